"""`docker images` filters, `docker tag` and `docker image prune` as forms; every problem
is a field error before anything reaches the engine."""

from __future__ import annotations

from django import forms

from console.engine.reference import BadReference, Reference, parse_reference
from console.web.forms import EngineFilterForm, PruneForm


class ImageFilterForm(EngineFilterForm):
    """`docker images -f …`."""

    dangling = forms.ChoiceField(
        choices=[("", "any"), ("true", "dangling only"), ("false", "tagged only")],
        required=False,
    )
    label = forms.CharField(required=False, help_text="key or key=value")
    reference = forms.CharField(required=False, help_text="e.g. busybox or team/*:1.*")


def field_reference(text: str, *, allow_digest: bool = True) -> Reference:
    """`parse_reference` in a form: what is wrong with it is the field's error."""
    try:
        return parse_reference(text, allow_digest=allow_digest)
    except BadReference as exc:
        raise forms.ValidationError(str(exc)) from None


class ReferenceField(forms.CharField):
    """An image reference, cleaned into a `Reference`."""

    def __init__(self, *, allow_digest: bool = True, **kwargs):
        self.allow_digest = allow_digest
        kwargs.setdefault("max_length", 512)
        super().__init__(**kwargs)

    def clean(self, value) -> Reference | None:
        text = super().clean(value)
        if not text and not self.required:
            return None
        return field_reference(text, allow_digest=self.allow_digest)


class TagForm(forms.Form):
    reference = ReferenceField(
        allow_digest=False,
        label="New name (repository[:tag])",
        help_text="e.g. 127.0.0.1:5000/team/app:1.0; without a tag, “latest”.",
    )


class ImagePruneForm(PruneForm):
    """`docker image prune`; with `all_unused` (-a), every image no container uses, which
    must be confirmed on its own."""

    all_unused = forms.BooleanField(required=False, widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        required=False,
        label="Yes, remove every image that no container uses, tagged or not",
    )

    def clean(self):
        data = super().clean()
        if data.get("all_unused") and not data.get("confirm"):
            self.add_error("confirm", "Tick this box to prune every unused image.")
        data.pop("confirm", None)  # asked of the person, not of the engine
        return data
