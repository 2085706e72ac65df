"""The policy table is the one statement of who may do what: every action a view, socket
or template names is in it, and a template's `caps.noun_verb` cannot name one that is not
(Django would render a misspelt one as false, hiding a button without a word)."""

import re
from pathlib import Path

import pytest

from console.access.models import Role
from console.access.policy import POLICY, Capabilities

ROOT = Path(__file__).resolve().parents[2]


def test_every_capability_a_template_asks_is_an_action():
    asked = {
        name
        for template in (ROOT / "templates").rglob("*.html")
        for name in re.findall(r"\bcaps\.(\w+)", template.read_text())
    }
    assert asked, "no template asks caps anything: this test looks in the wrong place"
    unknown = {name for name in asked if name.replace("_", ".", 1) not in POLICY}
    assert unknown == set()


def test_every_action_the_code_names_is_in_the_table():
    named = set()
    for source in (ROOT / "console").rglob("*.py"):
        text = source.read_text()
        named |= set(re.findall(r'host_for\([^)]*"(\w+\.\w+)"\)', text))
        named |= set(re.findall(r'permission = "(\w+\.\w+)"', text))
    assert len(named) > 20
    assert named - set(POLICY) == set()


@pytest.mark.parametrize(
    ("role", "may", "may_not"),
    [
        (Role.VIEWER, "container_view", "container_exec"),
        (Role.OPERATOR, "container_exec", "image_build"),
        (Role.ADMIN, "image_build", None),
    ],
)
def test_capabilities_follow_the_role(role, may, may_not):
    caps = Capabilities(role)
    assert getattr(caps, may) is True
    if may_not:
        assert getattr(caps, may_not) is False
    assert not Capabilities(None).container_view
    with pytest.raises(AttributeError):
        caps.container_fly  # noqa: B018
