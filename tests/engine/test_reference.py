"""The one image reference grammar (distribution's, which the engine applies): the parts
of a good reference, and one sentence for a bad one, the same on every form and socket."""

import pytest
from django.core.exceptions import ValidationError

from console.engine import runspec
from console.engine.reference import BadReference, parse_reference, pull_reference
from console.images.forms import field_reference


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("busybox", ("busybox", "", "")),
        ("library/busybox:1.36", ("library/busybox", "1.36", "")),
        ("127.0.0.1:5000/team/app:v1", ("127.0.0.1:5000/team/app", "v1", "")),
        ("localhost:5000/a", ("localhost:5000/a", "", "")),
        ("Registry.Example.com/a_b/c-d__e:T_1", ("Registry.Example.com/a_b/c-d__e", "T_1", "")),
        ("registry.example.org/a/b/c:v1.2-rc_3", ("registry.example.org/a/b/c", "v1.2-rc_3", "")),
        ("my_app__x.y-z:tag", ("my_app__x.y-z", "tag", "")),
        ("a@sha256:" + "0" * 64, ("a", "", "sha256:" + "0" * 64)),
        ("app:1@sha256:" + "a" * 64, ("app", "1", "sha256:" + "a" * 64)),
    ],
)
def test_references_parse_like_dockers(text, parts):
    ref = parse_reference(f"  {text} ")
    assert (ref.name, ref.tag, ref.digest) == parts and str(ref) == text


BAD = [
    ("", "Give an image reference"),
    ("Busybox", "repository names must be lowercase"),
    ("a/B", "repository names must be lowercase"),
    # The first part is a path component, not a registry, without a "." or ":".
    ("Team/app", "repository names must be lowercase"),
    ("a//b", "is not a valid image reference"),
    ("-a", "is not a valid image reference"),
    ("a:", "is not a valid image reference"),
    ("a b", "is not a valid image reference"),
    ("busybox:-tag", "is not a valid image reference"),
    ("a:" + "t" * 129, "is not a valid image reference"),
    # Tags are ASCII: the engine refuses "é" there.
    ("app:t\u00e9st", "is not a valid image reference"),
    ("app@sha256:short", "is not a valid image reference"),
    ("a/" + "b" * 260, "longer than 255"),
]


@pytest.mark.parametrize(("text", "problem"), BAD)
def test_references_docker_refuses_say_why_the_same_everywhere(text, problem):
    with pytest.raises(BadReference, match=problem) as refused:
        parse_reference(text)
    # The run form and the image pages' forms say the very same sentence.
    with pytest.raises(ValueError) as by_run:
        runspec.parse_image(text)
    assert str(by_run.value) == str(refused.value)
    with pytest.raises(ValidationError) as by_form:
        field_reference(text)
    assert by_form.value.messages == [str(refused.value)]


def test_where_no_digest_may_be_given():
    with pytest.raises(BadReference, match=r"A digest \(@sha256:…\) cannot be given here."):
        parse_reference("app@sha256:" + "a" * 64, allow_digest=False)
    with pytest.raises(BadReference, match=r"expected \[registry\[:port\]/\]name\[:tag\] with"):
        parse_reference("a b", allow_digest=False)


def test_every_tag_is_pulled_from_a_repository_only():
    assert str(pull_reference("team/app", all_tags=True)) == "team/app"
    assert str(pull_reference("team/app:1", all_tags=False)) == "team/app:1"
    with pytest.raises(BadReference, match="To pull every tag, give the repository"):
        pull_reference("team/app:1", all_tags=True)
