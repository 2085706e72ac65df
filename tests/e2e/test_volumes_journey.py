"""A person creates a volume, runs a container using it from the run form's picker, and
sees the volume in use."""

import contextlib

from tests.browser import log_in
from tests.engines import raw_client

VOLUME = "e2e-vol"
CONTAINER = "e2e-vol-user"


def test_create_a_volume_and_run_a_container_on_it(page, console_server, fleet, e2e_host):
    api = raw_client(fleet)
    host_url = f"{console_server.url}/hosts/{e2e_host}"
    try:
        log_in(page, console_server)
        page.goto(f"{host_url}/volumes/new/")
        page.fill("#id_name", VOLUME)
        page.click("button:text-is('Create volume')")
        page.wait_for_url(f"**/volumes/{VOLUME}/")
        assert api.inspect_volume(VOLUME)["Name"] == VOLUME

        page.goto(f"{host_url}/containers/new/")
        page.select_option("#volume-pick-name", VOLUME)
        page.fill("#volume-pick-path", "/data")
        page.click("#volume-pick-add")
        assert page.input_value("#id_volumes") == f"{VOLUME}:/data"
        page.fill("#id_image", fleet.base_image)
        page.fill("#id_name", CONTAINER)
        page.fill("#id_command", "sh -c \"trap 'exit 0' TERM; sleep 600 & wait\"")
        page.click("button:text-is('Run')")
        page.wait_for_url(f"**/containers/{CONTAINER}/")
        (mount,) = api.inspect_container(CONTAINER)["Mounts"]
        assert mount["Name"] == VOLUME and mount["Destination"] == "/data"

        page.goto(f"{host_url}/volumes/{VOLUME}/")
        user = page.locator("#users tbody tr", has_text=CONTAINER)
        assert user.count() == 1
        assert "running" in user.inner_text()
    finally:
        for container in api.containers(all=True, filters={"name": CONTAINER}):
            with contextlib.suppress(Exception):
                api.remove_container(container["Id"], force=True)
        with contextlib.suppress(Exception):
            api.remove_volume(VOLUME, force=True)
        api.close()
