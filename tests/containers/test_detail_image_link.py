"""The container page links its image's page (any user who sees the container sees the
image: both need the viewer role on the host)."""

import re
import uuid

from console.access.models import Role


def test_viewer_follows_the_image_link(logged_in, make_user, unix_host, make_container, engine_api):
    name = f"image-link-{uuid.uuid4().hex[:8]}"
    cid = make_container(name, start=False)
    image_id = engine_api.inspect_container(cid)["Image"]
    client = logged_in(make_user("v", Role.VIEWER, unix_host))
    html = client.get(f"/hosts/unix/containers/{name}/").content.decode()
    match = re.search(r'id="image"><a href="([^"]+)">', html)
    assert match and match.group(1) == f"/hosts/unix/images/{image_id}/"
    image_page = client.get(match.group(1))
    assert image_page.status_code == 200
    assert image_id in image_page.content.decode()
