"""Portal logs (CP-10): the CS-CP frame log and the heartbeat log show frames of chargers the
user may manage only (staff: all), filter, and page by cursor without ever counting."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ocpp_gateway.models import OcppFrame
from wccportal.lib import ocpp16

pytestmark = pytest.mark.django_db

LOGS = reverse("portal:logs")
HEARTBEATS = reverse("portal:heartbeats")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def frame(cp_id, action="StatusNotification", direction="in", message_type=2, payload=None, at=None):
    body = payload if payload is not None else {"connectorId": 1, "status": "Available"}
    return OcppFrame.objects.create(
        charge_point_id=cp_id, direction=direction, message_type=message_type, action=action,
        message_id="m1", payload=json.dumps([message_type, "m1", action, body]),
        created_at=at or timezone.now(),
    )


def counts(queries):
    """COUNT queries on the frame table (the shell's unread-notification badge is no concern)."""
    table = OcppFrame._meta.db_table
    return [q for q in queries if "COUNT(" in q["sql"].upper() and table in q["sql"]]


@pytest.fixture
def frames(world, charger, group_charger, org_charger):
    return {cp: frame(cp) for cp in ("CP-HOME", "CP-GROUP", "CP-ORG", "UNKNOWN-1")}


def shown(response):
    return {f.charge_point_id for f in response.context["page"].rows}


@pytest.mark.parametrize(("persona", "expected"), [
    ("owner", {"CP-HOME", "CP-GROUP"}),
    ("member", set()),  # uses the group charger, does not manage it
    ("guest", set()),  # the home charger is only shared with them
    ("outsider", set()),
    ("operator", {"CP-ORG"}),
    ("staff", {"CP-HOME", "CP-GROUP", "CP-ORG", "UNKNOWN-1"}),
])
def test_frame_log_access(world, frames, persona, expected):
    client = client_for(world[persona])
    response = client.get(LOGS)
    assert response.status_code == 200
    assert shown(response) == expected
    # Asking for another's charger by name shows nothing either.
    assert shown(client.get(LOGS, {"charge_point": "CP-HOME"})) <= expected


@pytest.mark.parametrize(("persona", "expected"), [
    ("owner", {"CP-HOME"}), ("member", set()), ("guest", set()), ("outsider", set()),
    ("operator", {"CP-ORG"}), ("staff", {"CP-HOME", "CP-ORG"}),
])
def test_heartbeat_log_access(world, charger, org_charger, persona, expected):
    frame("CP-HOME", action="Heartbeat", payload={})
    frame("CP-ORG", action="Heartbeat", payload={})
    frame("CP-HOME", action="Heartbeat", direction="out", message_type=3, payload={"currentTime": "x"})
    frame("CP-HOME", action="BootNotification")
    response = client_for(world[persona]).get(HEARTBEATS)
    assert response.status_code == 200
    rows = response.context["page"].rows
    assert {f.charge_point_id for f in rows} == expected
    assert all(f.action == "Heartbeat" and f.direction == "in" for f in rows)


def test_frame_filters(world, charger, group_charger):
    old = frame("CP-HOME", action="BootNotification", at=timezone.now() - timedelta(days=3))
    out = frame("CP-HOME", action="Reset", direction="out", payload={"type": "Soft"})
    err = frame("CP-GROUP", action="", message_type=4, payload={})
    client = client_for(world["owner"])

    def pks(**params):
        return [f.pk for f in client.get(LOGS, params).context["page"].rows]

    assert pks(action="BootNotification") == [old.pk]
    assert pks(direction="out") == [out.pk]
    assert pks(charge_point="CP-GROUP") == [err.pk]
    assert pks(message_type="4") == [err.pk]
    since = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert set(pks(since=since)) == {out.pk, err.pk}
    assert pks(until=since) == [old.pk]
    response = client.get(LOGS, {"since": since, "until": "2020-01-01T00:00"})
    assert response.context["form"].errors["until"]
    assert response.context["page"].rows == []
    assert client.get(LOGS, {"action": "Nonsense"}).context["form"].errors["action"]


def test_payload_is_shown_with_secrets_masked(world, charger):
    stored = ocpp16.redact_outgoing("ChangeConfiguration", {"key": "AuthorizationKey", "value": "s3cr3t"})
    frame("CP-HOME", action="ChangeConfiguration", direction="out", payload=stored)
    html = client_for(world["owner"]).get(LOGS).content.decode()
    assert "AuthorizationKey" in html and "***" in html and "s3cr3t" not in html
    assert 'data-testid="frame-payload"' in html


def test_cursor_pagination_without_count(world, charger):
    made = [frame("CP-HOME", payload={"n": i}) for i in range(45)]
    newest_first = [f.pk for f in reversed(made)]
    client = client_for(world["owner"])
    with CaptureQueriesContext(connection) as queries:
        first = client.get(LOGS, {"per_page": 20}).context["page"]
    assert not counts(queries)
    assert [f.pk for f in first.rows] == newest_first[:20]
    assert first.is_first and first.newer is None and first.older == newest_first[19]

    with CaptureQueriesContext(connection) as queries:
        second = client.get(LOGS, {"per_page": 20, "before": first.older}).context["page"]
    assert not counts(queries)
    assert [f.pk for f in second.rows] == newest_first[20:40]
    assert second.newer == newest_first[20] and second.older == newest_first[39]

    third = client.get(LOGS, {"per_page": 20, "before": second.older}).context["page"]
    assert [f.pk for f in third.rows] == newest_first[40:] and third.older is None

    with CaptureQueriesContext(connection) as queries:
        back = client.get(LOGS, {"per_page": 20, "after": third.newer}).context["page"]
    assert not counts(queries)
    assert [f.pk for f in back.rows] == newest_first[20:40]
    back = client.get(LOGS, {"per_page": 20, "after": back.newer}).context["page"]
    assert [f.pk for f in back.rows] == newest_first[:20] and back.is_first and back.newer is None
    # Links carry the filters and the cursor.
    html = client.get(LOGS, {"per_page": 20, "charge_point": "CP-HOME"}).content.decode()
    assert f"per_page=20&amp;charge_point=CP-HOME&amp;before={newest_first[19]}" in html


def test_heartbeat_pagination_without_count(world, charger):
    for _ in range(12):
        frame("CP-HOME", action="Heartbeat", payload={})
    client = client_for(world["owner"])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(HEARTBEATS, {"per_page": 10}).context["page"]
    assert not counts(queries)
    assert len(page.rows) == 10 and page.older
    assert len(client.get(HEARTBEATS, {"per_page": 10, "before": page.older}).context["page"].rows) == 2


@pytest.mark.parametrize("cursor", ["abc", "-5", "0", ""])
def test_bad_cursor_shows_first_page(world, charger, cursor):
    frame("CP-HOME")
    page = client_for(world["owner"]).get(LOGS, {"before": cursor}).context["page"]
    assert len(page.rows) == 1


def test_logs_need_login(db):
    for url in (LOGS, HEARTBEATS):
        assert Client().get(url).status_code == 302


def test_heartbeat_intervals(world, charger):
    now = timezone.now()
    frame("CP-HOME", action="Heartbeat", payload={}, at=now - timedelta(minutes=90))
    frame("CP-HOME", action="Heartbeat", payload={}, at=now)
    html = client_for(world["owner"]).get(HEARTBEATS).content.decode()
    assert "1:30:00" in html
