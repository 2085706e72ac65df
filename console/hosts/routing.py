"""A host's websockets: every running container's stats, and the engine's events."""

from django.urls import path

from console.hosts.events import EventsConsumer
from console.hosts.stats import HostStatsConsumer

websocket_urlpatterns = [
    path("ws/hosts/<slug:slug>/stats/", HostStatsConsumer.as_asgi()),
    path("ws/hosts/<slug:slug>/events/", EventsConsumer.as_asgi()),
]
