from django.apps import AppConfig


class StreamsConfig(AppConfig):
    name = "console.streams"
    label = "streams"
