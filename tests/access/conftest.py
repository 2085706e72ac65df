"""Fixtures of the /teams/ tests: a team manager (admin of every host, not a superuser),
a team, and users who may not manage teams."""

import pytest

from console.access.models import AuditEntry, Role


@pytest.fixture
def manager(make_user):
    return make_user("manager", Role.ADMIN, all_hosts=True)


@pytest.fixture
def as_manager(logged_in, manager):
    return logged_in(manager)


@pytest.fixture
def team(db):
    from console.access.models import Team

    return Team.objects.create(name="blue")


@pytest.fixture(params=[Role.VIEWER, Role.OPERATOR, Role.ADMIN])
def as_non_manager(request, logged_in, make_user, unix_host):
    """A user with a role on one host (even admin there) who may not manage teams."""
    return logged_in(make_user(f"u{request.param}", request.param, unix_host))


def audited(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))
