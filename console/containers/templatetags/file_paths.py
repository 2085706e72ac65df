"""Names and paths of files in containers and volumes, which need not be UTF-8."""

from urllib.parse import quote

from django import template

from console.engine import tar_safety

register = template.Library()


@register.filter
def printable(text: str) -> str:
    r"""The name as the page shows it: odd bytes written as \xNN."""
    return tar_safety.printable(text)


@register.filter
def path_query(path: str) -> str:
    """The path as a link's query value: its bytes, %-escaped, so the link leads back to
    the very same name."""
    return quote(tar_safety.as_bytes(path), safe="")
