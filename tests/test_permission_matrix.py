"""Every URL of the console, for every role, on a host whose engine is down.

The table below must name every host-scoped route (a new route without an entry fails
`test_every_route_is_in_the_table`), with the role each method needs. For each route:
another team's user gets 404 (or 405 for a method the view does not take), a role too low
gets 403, and a dead engine never turns any of them into a 500.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from console.access.models import Role

VIEW, OPER, ADMIN = Role.VIEWER, Role.OPERATOR, Role.ADMIN
# route -> (role GET needs, role POST needs); None: the view does not take that method.
NEEDS = {
    "hosts/<slug:slug>/": (VIEW, None),
    "hosts/<slug:slug>/access/": (ADMIN, None),
    "hosts/<slug:slug>/edit/": (ADMIN, ADMIN),
    "hosts/<slug:slug>/delete/": (ADMIN, ADMIN),
    "hosts/<slug:slug>/test/": (None, VIEW),
    "hosts/<slug:slug>/trust-key/": (None, ADMIN),
    "hosts/<slug:slug>/stats/": (VIEW, None),
    "hosts/<slug:slug>/events/": (VIEW, None),
    "hosts/<slug:slug>/logs/": (VIEW, None),
    "hosts/<slug:slug>/containers/": (VIEW, None),
    "hosts/<slug:slug>/containers/bulk/": (None, OPER),
    "hosts/<slug:slug>/containers/new/": (OPER, OPER),
    "hosts/<slug:slug>/containers/<str:ref>/": (VIEW, OPER),
    "hosts/<slug:slug>/containers/<str:ref>/inspect/": (VIEW, OPER),
    "hosts/<slug:slug>/containers/<str:ref>/top/": (VIEW, None),
    "hosts/<slug:slug>/containers/<str:ref>/rename/": (OPER, OPER),
    "hosts/<slug:slug>/containers/<str:ref>/remove/": (OPER, OPER),
    "hosts/<slug:slug>/containers/<str:ref>/logs/": (VIEW, None),
    "hosts/<slug:slug>/containers/<str:ref>/logs/download/": (VIEW, None),
    "hosts/<slug:slug>/containers/<str:ref>/files/": (OPER, None),
    "hosts/<slug:slug>/containers/<str:ref>/files/download/": (OPER, None),
    "hosts/<slug:slug>/containers/<str:ref>/files/upload/": (None, OPER),
    "hosts/<slug:slug>/containers/<str:ref>/export/": (OPER, None),
    "hosts/<slug:slug>/containers/<str:ref>/terminal/": (OPER, None),
    "hosts/<slug:slug>/containers/<str:ref>/attach/": (OPER, None),
    "hosts/<slug:slug>/containers/<str:ref>/stats/": (VIEW, None),
    "hosts/<slug:slug>/containers/<str:ref>/<str:action>/": (None, OPER),
    "hosts/<slug:slug>/volumes/": (VIEW, None),
    "hosts/<slug:slug>/volumes/new/": (ADMIN, ADMIN),
    "hosts/<slug:slug>/volumes/prune/": (ADMIN, ADMIN),
    "hosts/<slug:slug>/volumes/<str:ref>/": (VIEW, OPER),
    "hosts/<slug:slug>/volumes/<str:ref>/remove/": (ADMIN, ADMIN),
    "hosts/<slug:slug>/volumes/<str:ref>/files/": (VIEW, None),
    "hosts/<slug:slug>/volumes/<str:ref>/download/": (OPER, None),
    "hosts/<slug:slug>/images/": (VIEW, None),
    "hosts/<slug:slug>/images/prune/": (ADMIN, ADMIN),
    "hosts/<slug:slug>/images/<str:ref>/": (VIEW, None),
    "hosts/<slug:slug>/images/<str:ref>/remove/": (OPER, OPER),
    "hosts/<slug:slug>/images/<str:ref>/tag/": (OPER, OPER),
    "hosts/<slug:slug>/df/": (VIEW, None),
    "hosts/<slug:slug>/images/build/": (ADMIN, ADMIN),
    "hosts/<slug:slug>/images/build/<str:job>/": (ADMIN, None),
    "hosts/<slug:slug>/images/save/": (OPER, None),
    "hosts/<slug:slug>/images/load/": (ADMIN, ADMIN),
    "hosts/<slug:slug>/images/import/": (ADMIN, ADMIN),
    "hosts/<slug:slug>/images/<str:ref>/save/": (OPER, None),
    "hosts/<slug:slug>/networks/": (VIEW, None),
    "hosts/<slug:slug>/networks/new/": (ADMIN, ADMIN),
    "hosts/<slug:slug>/networks/prune/": (ADMIN, ADMIN),
    "hosts/<slug:slug>/networks/connect/": (None, ADMIN),
    "hosts/<slug:slug>/networks/disconnect/": (None, ADMIN),
    "hosts/<slug:slug>/networks/<str:ref>/": (VIEW, None),
    "hosts/<slug:slug>/networks/<str:ref>/remove/": (ADMIN, ADMIN),
    "hosts/<slug:slug>/images/pull/": (OPER, OPER),
    "hosts/<slug:slug>/images/search/": (VIEW, None),
    "hosts/<slug:slug>/images/<str:ref>/push/": (OPER, OPER),
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
    (route, method, need)
    for route, needs in NEEDS.items()
    for method, need in zip(("get", "post"), needs, strict=True)
]


def test_every_route_is_in_the_table():
    host_scoped = {r for r in _routes(get_resolver()) if "<slug:slug>" in r}
    assert host_scoped == set(NEEDS)


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


@pytest.mark.parametrize("role", [VIEW, OPER, ADMIN])
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


@pytest.mark.parametrize("role", [VIEW, OPER, ADMIN])
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
