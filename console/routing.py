"""Websocket routes; each consumer checks the user's role on the host before streaming."""

from django.urls import path

from console.streams.builds import BuildConsumer
from console.streams.live import EventsConsumer, HostStatsConsumer, StatsConsumer
from console.streams.logs import LogsConsumer
from console.streams.merged import MergedLogsConsumer
from console.streams.pulls import PullConsumer
from console.streams.pushes import PushConsumer
from console.streams.terminal import AttachConsumer, TerminalConsumer

websocket_urlpatterns = [
    path("ws/hosts/<slug:slug>/containers/<str:ref>/logs/", LogsConsumer.as_asgi()),
    path("ws/hosts/<slug:slug>/containers/<str:ref>/terminal/", TerminalConsumer.as_asgi()),
    path("ws/hosts/<slug:slug>/containers/<str:ref>/attach/", AttachConsumer.as_asgi()),
    path("ws/hosts/<slug:slug>/containers/<str:ref>/stats/", StatsConsumer.as_asgi()),
    path("ws/hosts/<slug:slug>/stats/", HostStatsConsumer.as_asgi()),
    path("ws/hosts/<slug:slug>/events/", EventsConsumer.as_asgi()),
    path("ws/hosts/<slug:slug>/logs/", MergedLogsConsumer.as_asgi()),
    path("ws/hosts/<slug:slug>/images/pull/", PullConsumer.as_asgi()),
    path("ws/hosts/<slug:slug>/images/push/", PushConsumer.as_asgi()),
    path("ws/hosts/<slug:slug>/images/build/", BuildConsumer.as_asgi()),
]
