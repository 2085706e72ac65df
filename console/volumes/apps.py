from django.apps import AppConfig


class VolumesConfig(AppConfig):
    name = "console.volumes"
    label = "volumes"
