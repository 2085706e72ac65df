"""Pages show only the tabs, buttons and links the user's role may follow: a link that
answers 403 is a dead end (the roles are the policy table's, console/access/policy.py)."""

import re

import pytest
from django.urls import reverse

from console.access.models import Role
from console.access.policy import needs

# (url name, the action its page needs): the links a page may or may not carry.
CONTAINER_LINKS = [
    ("containers:terminal", "container.exec"),
    ("containers:attach", "container.attach"),
    ("containers:files", "container.files"),
    ("containers:export", "container.export"),
]
IMAGE_LINKS = [
    ("images:pull", "image.pull"),
    ("images:build", "image.build"),
    ("images:save_many", "image.save"),
    ("images:load", "image.load"),
    ("images:import", "image.import"),
    ("images:prune", "image.prune"),
]


def _hrefs(html: str) -> set[str]:
    return {href.split("?")[0] for href in re.findall(r'href="([^"]+)"', html)}


def _assert_links(html: str, links, role: Role, *args) -> None:
    hrefs = _hrefs(html)
    for name, action in links:
        url = reverse(name, args=args)
        assert (url in hrefs) == (role >= needs(action)), (role.label, name)


ROLES = [Role.VIEWER, Role.OPERATOR, Role.ADMIN]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.label)
def test_container_pages_link_what_the_role_may_open(
    role, logged_in, make_user, unix_host, make_container
):
    make_container("role-links-1")
    client = logged_in(make_user("links-user", role, unix_host))
    # Every page with the tabs, as far as the role may open it.
    pages = ["containers:detail", "containers:inspect", "containers:logs", "containers:stats"]
    pages += [name for name, action in CONTAINER_LINKS[:3] if role >= needs(action)]
    for page in pages:
        response = client.get(reverse(page, args=["unix", "role-links-1"]))
        assert response.status_code == 200, page
        _assert_links(response.content.decode(), CONTAINER_LINKS, role, "unix", "role-links-1")


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.label)
def test_image_pages_link_what_the_role_may_open(role, logged_in, make_user, unix_host):
    client = logged_in(make_user("links-user", role, unix_host))
    pages = ["images:list", "images:search", "system_df"]
    pages += [name for name, action in IMAGE_LINKS if role >= needs(action)]
    for name in pages:
        response = client.get(reverse(name, args=["unix"]))
        assert response.status_code == 200, name
        _assert_links(response.content.decode(), IMAGE_LINKS, role, "unix")


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.label)
def test_host_page_links_what_the_role_may_open(role, logged_in, make_user, unix_host):
    client = logged_in(make_user("links-user", role, unix_host))
    hrefs = _hrefs(client.get(reverse("hosts:detail", args=["unix"])).content.decode())
    # The host page links the images pages, not their forms: only what the role refuses
    # must be absent.
    for name, action in IMAGE_LINKS:
        assert role >= needs(action) or reverse(name, args=["unix"]) not in hrefs, name
    for name, action in [
        ("host_access", "host.access"),
        ("hosts:edit", "host.edit"),
        ("hosts:delete", "host.remove"),
    ]:
        assert (reverse(name, args=["unix"]) in hrefs) == (role >= needs(action)), name
