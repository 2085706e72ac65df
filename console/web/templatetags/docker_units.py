"""Sizes on every page as the docker CLI prints them (`console.engine.text.human_size`),
so one object reads the same on each page and in a shell."""

from django import template

from console.engine.text import human_size

register = template.Library()


@register.filter
def docker_size(value) -> str:
    """1984000 -> "1.98MB"; -1 (unknown to the engine) -> "N/A"."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return ""
    return "N/A" if n < 0 else human_size(n)
