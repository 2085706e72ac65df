"""A viewer in a real browser: a team manager sets the team up through /teams/, the
viewer sees only their team's host, has no stop button nor tabs it may not open, and a
forged stop is refused."""

import json
import uuid

from tests.browser import log_in
from tests.conftest import STOPPABLE


def _set_up_viewer(page, console, host_slug: str, team: str, username: str) -> str:
    """As the superuser, through the teams pages: a team, a new user in it, and the team's
    viewer role on `host_slug`. Returns the one-time password the page showed."""
    page.goto(console.url + "/teams/new/")
    page.fill("#id_name", team)
    page.click("button[type=submit].primary")
    page.wait_for_selector(f"h1:has-text('Team {team}')")
    page.select_option("#roles select[name=role]", label="viewer")
    page.select_option("#roles select[name=host]", value=host_slug)
    page.click("#roles button:has-text('Grant')")
    page.wait_for_selector(f"#roles td:has-text('{host_slug}'), #roles a")
    page.fill("#members input[name=username]", username)
    page.click("#members button:has-text('Create user')")
    return page.locator("#one-time-password").inner_text().strip()


def test_viewer_sees_only_their_host_and_cannot_stop(
    browser, page, console_server, e2e_host, fleet, engine_containers
):
    unique = uuid.uuid4().hex[:6]
    other = f"e2e-other-{unique}"
    console_server.manage("addhost", other, fleet.unix_url)  # another team's host
    name = f"e2e-viewer-{unique}"
    cid = engine_containers(name, STOPPABLE)

    log_in(page, console_server)
    password = _set_up_viewer(page, console_server, e2e_host, f"viewers-{unique}", f"v{unique}")

    context = browser.new_context()
    viewer = context.new_page()
    viewer.set_default_timeout(15_000)
    try:
        viewer.goto(console_server.url + "/")
        viewer.fill("#id_username", f"v{unique}")
        viewer.fill("#id_password", password)
        viewer.click("button[type=submit]")
        viewer.wait_for_url(console_server.url + "/")
        dashboard = viewer.content()
        assert f"/hosts/{e2e_host}/" in dashboard
        assert other not in dashboard
        assert viewer.goto(f"{console_server.url}/hosts/{other}/").status == 404

        viewer.goto(f"{console_server.url}/hosts/{e2e_host}/containers/{name}/")
        viewer.wait_for_selector("main h1")
        assert viewer.locator("button:has-text('Stop')").count() == 0
        # Only the tabs a viewer may open (the others would answer 403).
        tabs = viewer.locator("nav.tabs")
        assert tabs.locator("a:has-text('Logs')").count() == 1
        for refused in ("Terminal", "Attach", "Files", "Export"):
            assert tabs.locator(f"a:has-text('{refused}')").count() == 0, refused
        assert viewer.locator(f"form[action$='/{name}/stop/'], form[action$='/stop/']").count() == 0

        # A forged POST with a valid CSRF token taken from the page is refused.
        token = json.loads(viewer.locator("body").get_attribute("hx-headers"))["X-CSRFToken"]
        response = viewer.request.post(
            f"{console_server.url}/hosts/{e2e_host}/containers/{name}/stop/",
            headers={"X-CSRFToken": token, "Referer": viewer.url},
            form={"csrfmiddlewaretoken": token},
        )
        assert response.status == 403
        assert "needs the operator role" in response.text()
        assert engine_containers.api.inspect_container(cid)["State"]["Running"] is True
    finally:
        context.close()
