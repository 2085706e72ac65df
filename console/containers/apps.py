from django.apps import AppConfig


class ContainersConfig(AppConfig):
    name = "console.containers"
    label = "containers"
