from django.apps import AppConfig


class WebConfig(AppConfig):
    """Shared page pieces; an app only so that its template tags load. No models."""

    name = "console.web"
    label = "web"
