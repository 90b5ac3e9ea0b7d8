"""Helpers for the charge point page's tests (CP-7): signed-in clients, the URL of a tab, and
what would go out to chargers' sockets."""

import io

import pytest
from django.test import Client
from django.urls import reverse

TABS = ("charger_detail", "charger_sessions", "charger_connectors", "charger_installation",
        "charger_configuration", "charger_pictures", "charger_logbook")
MANAGERS_TABS = {"charger_installation", "charger_configuration", "charger_logbook"}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def url(name, cp_id="CP-HOME", *args):
    return reverse(f"portal:{name}", args=[cp_id, *args])


def image_bytes(fmt="PNG", size=(64, 48), color=(10, 125, 79)):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def sent(monkeypatch):
    """What would go out to the chargers' sockets (the operation is recorded all the same)."""
    calls = []
    monkeypatch.setattr("chargers.services.group_send_on_commit",
                        lambda group, message: calls.append((group, message)))
    return calls

