"""Websocket routes; each consumer checks the user's role on the host before accepting."""

websocket_urlpatterns: list = []
