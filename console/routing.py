"""Websocket routes, each app's own; each consumer checks the user's role on the host
before streaming."""

from console.containers import routing as containers
from console.hosts import routing as hosts
from console.images import routing as images

websocket_urlpatterns = [
    *containers.websocket_urlpatterns,
    *hosts.websocket_urlpatterns,
    *images.websocket_urlpatterns,
]
