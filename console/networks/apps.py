from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "console.networks"
    label = "networks"
