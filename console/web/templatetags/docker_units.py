"""Sizes on image pages as the docker CLI prints them, so they match what a shell shows."""

from django import template

from console.engine.system import human_size

register = template.Library()


@register.filter
def docker_size(value) -> str:
    """1984000 -> "1.984MB"; -1 (unknown to the engine) -> "N/A"."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return ""
    return "N/A" if n < 0 else human_size(n)
