"""Build an image from an uploaded Dockerfile in a real browser: the build's page follows
the engine's log live, ends with a link to the new image, and the engine holds the tag."""

import contextlib
import uuid

import docker.errors

from tests.browser import log_in, wait_until


def test_build_from_dockerfile_with_live_log(
    page, console_server, e2e_host, fleet, engine_api, csp_violations
):
    unique = uuid.uuid4().hex[:8]
    tag = f"e2e-build/{unique}:1"
    marker = f"built-{unique}"
    # The sleep keeps the build running while its page opens, so the log arrives live.
    dockerfile = f"FROM {fleet.base_image}\nRUN sleep 1 && echo {marker} | tee /marker\n"
    log_in(page, console_server)
    page.goto(f"{console_server.url}/hosts/{e2e_host}/images/build/")
    page.set_input_files(
        "#id_dockerfile",
        {"name": "Dockerfile", "mimeType": "text/plain", "buffer": dockerfile.encode()},
    )
    page.fill("#id_tags", tag)
    page.select_option("#id_network", "none")
    try:
        page.click("#build-form button[type=submit]")
        page.wait_for_url(f"**/hosts/{e2e_host}/images/build/*/")
        # build.js follows the socket and marks the log when the engine's verdict arrives.
        wait_until(page, "document.querySelector('#build-log[data-done]') !== null", 60)
        assert page.get_attribute("#build-log", "data-done") == "ok"
        lines = page.locator("#build-log .line").all_inner_texts()
        assert f"Step 1/2 : FROM {fleet.base_image}" in lines, lines
        assert any(line.startswith("Step 2/2 : RUN sleep 1") for line in lines), lines
        assert marker in lines, lines
        assert any(line.startswith("Successfully built ") for line in lines), lines
        outcome = page.locator("#build-outcome").inner_text()
        assert outcome.startswith("Built ") and outcome.endswith(f", tagged {tag}."), outcome
        link = page.locator("#build-image")
        assert link.is_visible()
        assert csp_violations.collect() == []

        link.click()
        page.wait_for_selector("#tags")
        assert tag in page.locator("#tags").inner_text()
        assert tag in page.locator("main h1").inner_text()
        assert csp_violations.collect() == []

        image = engine_api.inspect_image(tag)
        assert tag in image["RepoTags"]
        assert image["Id"].removeprefix("sha256:")[:12] in outcome
        assert page.url.endswith(f"/images/{image['Id']}/")
    finally:
        with contextlib.suppress(docker.errors.NotFound):
            engine_api.remove_image(tag)
