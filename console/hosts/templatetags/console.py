from django import template

from console.hosts.models import Platform

register = template.Library()


@register.filter
def platform_label(value: str) -> str:
    return Platform(value).label if value in Platform.values else "unknown"
