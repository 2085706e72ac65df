from django import template

from console.hosts.models import Platform

register = template.Library()


@register.filter
def platform_label(value: str) -> str:
    return Platform(value).label if value in Platform.values else "unknown"


@register.filter
def make_list_words(value: str) -> list[str]:
    """ "a b c" -> ["a", "b", "c"], for short fixed lists in templates."""
    return value.split()
