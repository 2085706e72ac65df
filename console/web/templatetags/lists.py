from django import template

register = template.Library()


@register.filter
def make_list_words(value: str) -> list[str]:
    """ "a b c" -> ["a", "b", "c"], for short fixed lists in templates."""
    return value.split()
