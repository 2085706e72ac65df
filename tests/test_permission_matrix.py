"""Every URL of the console, for every role, on a host whose engine is down.

The table below must name every host-scoped route (a new route without an entry fails
`test_every_route_is_in_the_table`), with the policy action of each method. For each route:
another team's user gets 404 (or 405 for a method the view does not take), a role too low
gets 403, and a dead engine never turns any of them into a 500.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from console.access.models import Role
from console.access.policy import needs

# route -> (the policy action of its GET, of its POST); None: the view does not take that
# method. The role each needs is the policy table's (console.access.policy), as for the views.
ACTIONS = {
    "hosts/<slug:slug>/": ("host.view", None),
    "hosts/<slug:slug>/access/": ("host.access", None),
    "hosts/<slug:slug>/edit/": ("host.edit", "host.edit"),
    "hosts/<slug:slug>/delete/": ("host.remove", "host.remove"),
    "hosts/<slug:slug>/test/": (None, "host.view"),
    "hosts/<slug:slug>/trust-key/": (None, "host.pin_key"),
    "hosts/<slug:slug>/stats/": ("host.view", None),
    "hosts/<slug:slug>/events/": ("host.view", None),
    "hosts/<slug:slug>/logs/": ("container.view", None),
    "hosts/<slug:slug>/containers/": ("container.view", None),
    "hosts/<slug:slug>/containers/bulk/": (None, "container.change"),
    "hosts/<slug:slug>/containers/new/": ("container.run", "container.run"),
    "hosts/<slug:slug>/containers/<str:ref>/": ("container.view", "container.reveal"),
    "hosts/<slug:slug>/containers/<str:ref>/inspect/": ("container.view", "container.reveal"),
    "hosts/<slug:slug>/containers/<str:ref>/top/": ("container.view", None),
    "hosts/<slug:slug>/containers/<str:ref>/rename/": ("container.change", "container.change"),
    "hosts/<slug:slug>/containers/<str:ref>/remove/": ("container.change", "container.change"),
    "hosts/<slug:slug>/containers/<str:ref>/logs/": ("container.view", None),
    "hosts/<slug:slug>/containers/<str:ref>/logs/download/": ("container.view", None),
    "hosts/<slug:slug>/containers/<str:ref>/files/": ("container.files", None),
    "hosts/<slug:slug>/containers/<str:ref>/files/download/": ("container.files", None),
    "hosts/<slug:slug>/containers/<str:ref>/files/upload/": (None, "container.files"),
    "hosts/<slug:slug>/containers/<str:ref>/export/": ("container.export", None),
    "hosts/<slug:slug>/containers/<str:ref>/terminal/": ("container.exec", None),
    "hosts/<slug:slug>/containers/<str:ref>/attach/": ("container.attach", None),
    "hosts/<slug:slug>/containers/<str:ref>/stats/": ("container.view", None),
    "hosts/<slug:slug>/containers/<str:ref>/<str:action>/": (None, "container.change"),
    "hosts/<slug:slug>/volumes/": ("volume.view", None),
    "hosts/<slug:slug>/volumes/new/": ("volume.create", "volume.create"),
    "hosts/<slug:slug>/volumes/prune/": ("volume.prune", "volume.prune"),
    "hosts/<slug:slug>/volumes/<str:ref>/": ("volume.view", "volume.reveal"),
    "hosts/<slug:slug>/volumes/<str:ref>/remove/": ("volume.remove", "volume.remove"),
    "hosts/<slug:slug>/volumes/<str:ref>/files/": ("volume.view", None),
    "hosts/<slug:slug>/volumes/<str:ref>/download/": ("volume.download", None),
    "hosts/<slug:slug>/images/": ("image.view", None),
    "hosts/<slug:slug>/images/prune/": ("image.prune", "image.prune"),
    "hosts/<slug:slug>/images/<str:ref>/": ("image.view", None),
    "hosts/<slug:slug>/images/<str:ref>/remove/": ("image.remove", "image.remove"),
    "hosts/<slug:slug>/images/<str:ref>/tag/": ("image.tag", "image.tag"),
    "hosts/<slug:slug>/df/": ("host.view", None),
    "hosts/<slug:slug>/images/build/": ("image.build", "image.build"),
    "hosts/<slug:slug>/images/build/<str:job>/": ("image.build", None),
    "hosts/<slug:slug>/images/save/": ("image.save", None),
    "hosts/<slug:slug>/images/load/": ("image.load", "image.load"),
    "hosts/<slug:slug>/images/import/": ("image.import", "image.import"),
    "hosts/<slug:slug>/images/<str:ref>/save/": ("image.save", None),
    "hosts/<slug:slug>/networks/": ("network.view", None),
    "hosts/<slug:slug>/networks/new/": ("network.create", "network.create"),
    "hosts/<slug:slug>/networks/prune/": ("network.prune", "network.prune"),
    "hosts/<slug:slug>/networks/connect/": (None, "network.connect"),
    "hosts/<slug:slug>/networks/disconnect/": (None, "network.connect"),
    "hosts/<slug:slug>/networks/<str:ref>/": ("network.view", None),
    "hosts/<slug:slug>/networks/<str:ref>/remove/": ("network.remove", "network.remove"),
    "hosts/<slug:slug>/images/pull/": ("image.pull", "image.pull"),
    "hosts/<slug:slug>/images/search/": ("image.view", None),
    "hosts/<slug:slug>/images/<str:ref>/push/": ("image.push", "image.push"),
}


def _routes(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not pattern.startswith("admin/"):
                yield from _routes(entry, pattern)
        elif isinstance(entry, URLPattern):
            yield pattern


def _path(pattern: str, slug: str) -> str:
    return "/" + pattern.replace("<slug:slug>", slug).replace("<str:ref>", "c1").replace(
        "<str:action>", "stop"
    )


CASES = [
    (route, method, needs(action) if action else None)
    for route, methods in ACTIONS.items()
    for method, action in zip(("get", "post"), methods, strict=True)
]


def test_every_route_is_in_the_table():
    host_scoped = {r for r in _routes(get_resolver()) if "<slug:slug>" in r}
    assert host_scoped == set(ACTIONS)


@pytest.fixture
def dead_host(db, tmp_path):
    from console.hosts.models import Host

    return Host.objects.create(name="dead", slug="dead", url=f"unix://{tmp_path}/none.sock")


@pytest.mark.parametrize(("route", "method", "need"), CASES)
def test_other_team_sees_nothing(logged_in, make_user, dead_host, db, route, method, need):
    from console.hosts.models import Host

    elsewhere = Host.objects.create(name="other", slug="other", url="unix:///nowhere.sock")
    user = make_user("outsider", Role.ADMIN, elsewhere)
    response = getattr(logged_in(user), method)(_path(route, "dead"))
    assert response.status_code in (404, 405), (route, method, response.status_code)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.ADMIN])
@pytest.mark.parametrize(("route", "method", "need"), CASES)
def test_each_role_gets_in_or_is_refused_and_nothing_breaks(
    logged_in, make_user, dead_host, route, method, need, role
):
    user = make_user(f"u{role}", role, dead_host)
    response = getattr(logged_in(user), method)(_path(route, "dead"))
    status = response.status_code
    if need is None:
        assert status == 405, (route, method, status)
    elif role < need:
        assert status == 403, (route, method, role, status)
    else:
        # In: a page, a redirect, or the engine's trouble said as a page, never a crash.
        assert status not in (403, 500), (route, method, role, status)


# Team management is not host-scoped: only superusers and admins of every host get in.
TEAM_ROUTES = sorted(r for r in _routes(get_resolver()) if r.startswith("teams/"))


def test_team_routes_are_enumerated():
    assert "teams/" in TEAM_ROUTES and "teams/<int:pk>/roles/grant/" in TEAM_ROUTES
    assert "teams/users/" in TEAM_ROUTES and "teams/users/<int:pk>/password/" in TEAM_ROUTES


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.ADMIN])
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("route", TEAM_ROUTES)
def test_team_routes_refuse_everyone_but_team_managers(
    logged_in, make_user, dead_host, route, method, role
):
    from console.access.models import AuditEntry, Team

    team = Team.objects.create(name="t")
    client = logged_in(make_user(f"u{role}", role, dead_host))
    response = getattr(client, method)("/" + route.replace("<int:pk>", str(team.pk)))
    assert response.status_code in (403, 405), (route, method, response.status_code)
    assert Team.objects.filter(pk=team.pk, name="t").exists()
    assert not AuditEntry.objects.exists()
