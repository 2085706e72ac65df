"""`{% if caps|may:action %}`: for templates that name the action in a variable (a page
shared by several nouns); elsewhere `caps.noun_verb` reads better."""

from django import template

from console.access.policy import Capabilities

register = template.Library()


@register.filter
def may(caps: Capabilities, action: str) -> bool:
    return caps.may(action)
