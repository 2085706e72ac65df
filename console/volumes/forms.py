"""`docker volume` flags as form fields; every problem is a field error before anything
reaches the engine."""

from __future__ import annotations

from django import forms

from console.web.forms import EngineFilterForm, PruneForm, SpecField, labels_field, parse_options


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


class VolumePruneForm(PruneForm):
    include_named = forms.BooleanField(
        required=False,
        label="Named volumes too (-a)",
        help_text="Engines before API 1.42 always prune unused named volumes as well.",
    )
