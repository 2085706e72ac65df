"""Form pieces the pages of several engine objects share: text fields parsed by
`runspec`, where each problem is a field error before anything reaches the engine, and
the list filter and prune forms."""

from __future__ import annotations

from django import forms

from console.engine import runspec


class SpecField(forms.CharField):
    """Text parsed by one of runspec's functions; its ValueErrors become field errors."""

    def __init__(self, parse, *, textarea: bool = False, **kwargs):
        kwargs.setdefault("required", False)
        if textarea:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
            # Leading and trailing whitespace of a value is part of it.
            kwargs.setdefault("strip", False)
        super().__init__(**kwargs)
        self.parse = parse

    def clean(self, value):
        text = super().clean(value)
        try:
            return self.parse(text)
        except runspec.SpecError as exc:
            raise forms.ValidationError(exc.problems) from None
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


def parse_options(text: str) -> dict[str, str]:
    """`--opt` lines, read like labels: KEY=VALUE, a bare KEY is an empty value."""
    return runspec.parse_key_values(text, "option")


def labels_field() -> SpecField:
    return SpecField(
        runspec.parse_labels,
        textarea=True,
        label="Labels (--label)",
        help_text="KEY=VALUE per line.",
    )


class EngineFilterForm(forms.Form):
    """A list page's `-f` filters, passed to the engine as they are."""

    def engine_filters(self) -> dict[str, list[str]]:
        if not self.is_valid():
            return {}
        return {key: [value] for key, value in self.cleaned_data.items() if value}


class PruneForm(forms.Form):
    label = forms.CharField(
        required=False,
        help_text="Only those with this label (key or key=value), as --filter label=…",
    )
