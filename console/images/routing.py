"""The images' websockets: the pull, push and build jobs' progress."""

from django.urls import path

from console.images.build_job import BuildConsumer
from console.images.pull_job import PullConsumer
from console.images.push_job import PushConsumer

websocket_urlpatterns = [
    path("ws/hosts/<slug:slug>/images/pull/", PullConsumer.as_asgi()),
    path("ws/hosts/<slug:slug>/images/push/", PushConsumer.as_asgi()),
    path("ws/hosts/<slug:slug>/images/build/", BuildConsumer.as_asgi()),
]
