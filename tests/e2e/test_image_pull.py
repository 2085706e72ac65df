"""Pull an image from the local registry in a real browser, watch the per-layer progress
reach the end, then remove the image on its remove page."""

import docker.errors
import pytest

from tests.browser import log_in


def test_pull_with_live_progress_then_remove(
    page, console_server, e2e_host, registry_image, engine_api
):
    log_in(page, console_server)
    page.goto(f"{console_server.url}/hosts/{e2e_host}/images/")
    page.click("#images-nav >> text=Pull")
    page.fill("#id_ref", registry_image)
    page.click("#pull-form button[type=submit]")
    page.wait_for_selector("#pull-progress[data-done='1']", timeout=30_000)
    layers = page.locator("#pull-progress .layer").all_inner_texts()
    assert layers and any(text.endswith("Pull complete") for text in layers), layers
    final = page.locator("#pull-progress .final").all_inner_texts()
    assert any(text.startswith("Digest: sha256:") for text in final), final
    assert f"Status: Downloaded newer image for {registry_image}" in final
    image_id = engine_api.inspect_image(registry_image)["Id"]

    page.goto(f"{console_server.url}/hosts/{e2e_host}/images/{image_id}/remove/")
    page.click("button.danger")
    page.wait_for_selector("#removed")
    assert f"Untagged: {registry_image}" in page.locator("#removed").inner_text()
    with pytest.raises(docker.errors.NotFound):
        engine_api.inspect_image(image_id)
