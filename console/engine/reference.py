"""Docker image references (`[registry[:port]/]path[:tag][@digest]`), checked with the
grammar of the distribution project's reference package, which the engine applies,
before anything reaches an engine. The one parser of the console: the run form, the
image pages and the pull and push sockets all read references here.

Pure functions: a bad reference is a BadReference (a ValueError) saying what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"  # ASCII only, as distribution's [\w] is
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"

REFERENCE = re.compile(
    rf"(?P<name>(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*)"
    rf"(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?"
)
MAX_NAME = 255


class BadReference(ValueError):
    """Not an image reference the engine would take; the message says why."""


@dataclass(frozen=True)
class Reference:
    name: str  # repository, with its registry when one is given
    tag: str  # "" when none is given
    digest: str  # "" when none is given

    def __str__(self) -> str:
        text = self.name + (f":{self.tag}" if self.tag else "")
        return text + (f"@{self.digest}" if self.digest else "")


def parse_reference(text: str, *, allow_digest: bool = True) -> Reference:
    """The parts of a reference, or BadReference saying what is wrong with it."""
    text = text.strip()
    if not text:
        raise BadReference("Give an image reference, e.g. registry:5000/team/app:1.0.")
    match = REFERENCE.fullmatch(text)
    if not match:
        if REFERENCE.fullmatch(text.lower()):
            raise BadReference(f"“{text}”: repository names must be lowercase.")
        expected = "[registry[:port]/]name[:tag]" + ("[@digest]" if allow_digest else "")
        raise BadReference(
            f"“{text}” is not a valid image reference: expected {expected} "
            "with lowercase letters, digits and . _ - separators."
        )
    ref = Reference(match["name"], match["tag"] or "", match["digest"] or "")
    first, slash, _ = ref.name.partition("/")
    if slash and first != first.lower() and not any(c in first for c in ".:"):
        # Without a "." or ":" the first part is a path component, not a registry.
        raise BadReference(f"“{text}”: repository names must be lowercase.")
    if len(ref.name) > MAX_NAME:
        raise BadReference(f"The repository name is longer than {MAX_NAME} characters.")
    if ref.digest and not allow_digest:
        raise BadReference("A digest (@sha256:…) cannot be given here.")
    return ref


def pull_reference(text: str, all_tags: bool) -> Reference:
    """What `docker pull [-a]` takes: with every tag (-a), a repository only."""
    parsed = parse_reference(text)
    if all_tags and (parsed.tag or parsed.digest):
        raise BadReference(
            f"To pull every tag, give the repository without a tag or digest (“{parsed.name}”)."
        )
    return parsed
