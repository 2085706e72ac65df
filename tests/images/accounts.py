"""Clients of their own for users of different roles in one test (the fixtures in
conftest.py share pytest-django's one `client`)."""

from __future__ import annotations

from django.test import Client


def client_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
