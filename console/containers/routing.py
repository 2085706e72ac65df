"""The containers' websockets: logs (one container's, and several merged), terminal,
attach and stats."""

from django.urls import path

from console.containers.logs import LogsConsumer
from console.containers.merged_logs import MergedLogsConsumer
from console.containers.stats import StatsConsumer
from console.containers.terminal import AttachConsumer, TerminalConsumer

websocket_urlpatterns = [
    path("ws/hosts/<slug:slug>/containers/<str:ref>/logs/", LogsConsumer.as_asgi()),
    path("ws/hosts/<slug:slug>/containers/<str:ref>/terminal/", TerminalConsumer.as_asgi()),
    path("ws/hosts/<slug:slug>/containers/<str:ref>/attach/", AttachConsumer.as_asgi()),
    path("ws/hosts/<slug:slug>/containers/<str:ref>/stats/", StatsConsumer.as_asgi()),
    path("ws/hosts/<slug:slug>/logs/", MergedLogsConsumer.as_asgi()),
]
