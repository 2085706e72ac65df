"""`docker volume` flags as form fields; every problem is a field error before anything
reaches the engine. The list filter and prune forms serve the networks pages too."""

from __future__ import annotations

from django import forms

from console.containers.forms import SpecField
from console.engine import runspec


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


class VolumeFilterForm(EngineFilterForm):
    dangling = forms.ChoiceField(
        choices=[("", "any"), ("true", "unused"), ("false", "in use")], required=False
    )
    driver = forms.CharField(required=False)
    label = forms.CharField(required=False, help_text="key or key=value")
    name = forms.CharField(required=False)


class VolumeForm(forms.Form):
    name = forms.CharField(
        required=False,
        max_length=255,
        help_text="Empty: the engine makes up a name (an anonymous volume).",
    )
    driver = forms.CharField(initial="local", max_length=255)
    driver_opts = SpecField(
        parse_options,
        textarea=True,
        label="Driver options (--opt)",
        help_text="KEY=VALUE per line, e.g. type=tmpfs, device=tmpfs, o=size=100m",
    )
    labels = labels_field()


class PruneForm(forms.Form):
    label = forms.CharField(
        required=False,
        help_text="Only those with this label (key or key=value), as --filter label=…",
    )


class VolumePruneForm(PruneForm):
    include_named = forms.BooleanField(
        required=False,
        label="Named volumes too (-a)",
        help_text="Engines before API 1.42 always prune unused named volumes as well.",
    )
