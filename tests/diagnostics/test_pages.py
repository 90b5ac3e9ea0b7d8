"""CP-7 Diagnostics tab, Maintenance > Diagnostics with downloads, Maintenance > CP logs
(security events, CP-10): who sees what (others get 404), requests from the tab, filters,
paging by cursor without COUNT, and the group context."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chargers.diagnostics import demo_diagnostics, diagnostics_request, token_hash
from chargers.models import ChargerOperation, DiagnosticsFile, SecurityEvent
from chargers.security_events import demo_security_events
from tests.diagnostics.helpers import online

pytestmark = pytest.mark.django_db

MANAGERS = {"owner": {"CP-HOME", "CP-GROUP"}, "member": set(), "guest": set(), "outsider": set(),
            "operator": {"CP-ORG"}, "staff": {"CP-HOME", "CP-GROUP", "CP-ORG"}}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def tab(cp_id):
    return reverse("portal:charger_diagnostics", args=[cp_id])


def make_file(cp, *, status="uploaded", content=b"log line\n", name="diag.log", days_ago=0, user=None):
    now = timezone.now() - timedelta(days=days_ago)
    row = DiagnosticsFile(charge_point=cp, requested_by=user, token_hash=token_hash(f"{cp.pk}-{now}-{name}"),
                          status=status, requested_at=now, expires_at=now + timedelta(hours=24), file_name=name)
    if status == "uploaded":
        row.file.save(name, ContentFile(content), save=False)
        row.size, row.uploaded_at = len(content), now
    row.save()
    return row


@pytest.fixture
def files(world, charger, group_charger, org_charger, owner):
    return {cp.charge_point_id: make_file(cp, user=owner, name=f"{cp.charge_point_id}.log")
            for cp in (charger, group_charger, org_charger)}


# --- Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", list(MANAGERS))
@pytest.mark.parametrize("cp_id", ["CP-HOME", "CP-GROUP", "CP-ORG"])
def test_diagnostics_tab_access(world, files, persona, cp_id):
    client = client_for(world[persona])
    allowed = cp_id in MANAGERS[persona]
    response = client.get(tab(cp_id))
    assert response.status_code == (200 if allowed else 404)
    state = client.get(reverse("portal:charger_diagnostics_state", args=[cp_id]))
    assert state.status_code == (200 if allowed else 404)
    # A forged request: nothing is recorded or sent.
    post = client.post(tab(cp_id), {})
    assert post.status_code == (302 if allowed else 404)
    assert DiagnosticsFile.objects.filter(charge_point__charge_point_id=cp_id).count() == (2 if allowed else 1)
    if not allowed:
        assert not ChargerOperation.objects.exists()


@pytest.mark.parametrize("persona", list(MANAGERS))
def test_maintenance_list_and_downloads(world, files, persona):
    client = client_for(world[persona])
    response = client.get(reverse("portal:diagnostics"))
    assert response.status_code == 200
    shown = {r["file"].charge_point.charge_point_id for r in response.context["rows"]}
    assert shown == MANAGERS[persona]
    for cp_id, row in files.items():
        download = client.get(reverse("portal:diagnostics_download", args=[row.pk]))
        if cp_id in MANAGERS[persona]:
            assert download.status_code == 200
            assert download["Content-Disposition"] == f'attachment; filename="{cp_id}.log"'
            assert b"".join(download.streaming_content) == b"log line\n"
        else:
            assert download.status_code == 404


def test_anonymous_users_are_sent_to_login(files):
    client = Client()
    for url in (tab("CP-HOME"), reverse("portal:diagnostics"), reverse("portal:logs_security"),
                reverse("portal:diagnostics_download", args=[files["CP-HOME"].pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_download_of_a_request_without_file_is_404(world, charger, owner):
    row = make_file(charger, status="requested")
    assert client_for(owner).get(reverse("portal:diagnostics_download", args=[row.pk])).status_code == 404


# --- The tab ------------------------------------------------------------------------------------


def test_request_from_the_tab(world, charger, owner):
    online(charger)
    client = client_for(owner)
    response = client.post(tab("CP-HOME"), {"start_time": "2026-01-01T08:00", "stop_time": "2026-01-02T08:00"},
                           follow=True)
    assert response.status_code == 200
    row = DiagnosticsFile.objects.get()
    assert row.requested_by == owner and row.status == "requested" and row.operation.status == "pending"
    assert row.operation.payload["startTime"] and row.operation.payload["stopTime"]
    page = response.content.decode()
    assert "Diagnostics requested" in page and 'data-testid="diagnostics-following"' in page
    state = client.get(reverse("portal:charger_diagnostics_state", args=["CP-HOME"])).json()
    assert state["open"] is True and state["files"] == [{"id": row.pk, "state": "requested", "size": None}]


def test_request_to_an_offline_charger_shows_it_failed(world, charger, owner):
    client = client_for(owner)
    response = client.post(tab("CP-HOME"), {}, follow=True)
    row = DiagnosticsFile.objects.get()
    assert row.status == "failed" and row.operation.status == ChargerOperation.Status.OFFLINE
    page = response.content.decode()
    assert "The charge point is offline: the request was not sent." in page
    assert "The charge point was offline: nothing was sent." in page  # the row says why
    assert 'data-testid="diagnostics-offline"' in page
    assert client.get(reverse("portal:charger_diagnostics_state", args=["CP-HOME"])).json()["open"] is False


@pytest.mark.parametrize(("data", "field"), [
    ({"start_time": "2026-01-02T08:00", "stop_time": "2026-01-01T08:00"}, "stop_time"),
    ({"start_time": "next tuesday"}, "start_time"),
])
def test_bad_input_shows_errors_and_writes_nothing(world, charger, owner, data, field):
    online(charger)
    response = client_for(owner).post(tab("CP-HOME"), data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not DiagnosticsFile.objects.exists() and not ChargerOperation.objects.exists()


def test_tab_lists_the_chargers_files_with_their_state(world, charger, group_charger, owner):
    make_file(charger, name="home.log", user=owner)
    make_file(group_charger, name="group.log")
    expired = make_file(charger, status="requested", name="", days_ago=3)
    response = client_for(owner).get(tab("CP-HOME"))
    states = {r["file"].file_name or r["file"].pk: r["state"] for r in response.context["rows"]}
    assert states == {"home.log": "uploaded", expired.pk: "expired"}
    page = response.content.decode()
    assert "home.log" in page and "group.log" not in page and "owner@example.com" in page
    assert reverse("portal:diagnostics_download", args=[response.context["rows"][0]["file"].pk]) in page


# --- Maintenance > Diagnostics ------------------------------------------------------------------


def test_maintenance_filters(world, charger, group_charger, owner):
    online(charger)
    uploaded = make_file(charger, name="new.log", user=owner)
    old = make_file(group_charger, name="old.log", days_ago=10)
    pending = diagnostics_request(charge_point=charger, acting_user=owner)
    stale = make_file(group_charger, status="requested", days_ago=5)
    client = client_for(owner)

    def shown(**params):
        response = client.get(reverse("portal:diagnostics"), params)
        assert response.status_code == 200
        return {r["file"].pk for r in response.context["rows"]}

    assert shown() == {uploaded.pk, old.pk, pending.pk, stale.pk}
    assert shown(charge_point="CP-GROUP") == {old.pk, stale.pk}
    assert shown(state="uploaded") == {uploaded.pk, old.pk}
    assert shown(state="requested") == {pending.pk}
    assert shown(state="expired") == {stale.pk}
    day = (timezone.now() - timedelta(days=7)).date().isoformat()
    assert shown(requested_from=day) == {uploaded.pk, pending.pk, stale.pk}
    assert shown(requested_to=day) == {old.pk}
    # Another's charger, an unknown status or a reversed period: errors, nothing shown.
    assert shown(charge_point="CP-ORG") == set()
    assert shown(state="lost") == set()
    assert shown(requested_from="2026-02-02", requested_to="2026-02-01") == set()


def test_maintenance_list_pages(world, charger, owner):
    for i in range(12):
        make_file(charger, name=f"f{i}.log")
    client = client_for(owner)
    first = client.get(reverse("portal:diagnostics"), {"per_page": 10})
    second = client.get(reverse("portal:diagnostics"), {"per_page": 10, "page": 2})
    assert len(first.context["rows"]) == 10 and len(second.context["rows"]) == 2


def test_maintenance_lists_follow_the_group_context(world, charger, group_charger, owner):
    make_file(charger, name="home.log")
    make_file(group_charger, name="group.log")
    SecurityEvent.objects.create(charge_point=charger, type="StartupOfTheDevice")
    SecurityEvent.objects.create(charge_point=group_charger, type="ResetOrReboot")
    client = client_for(owner)
    group = group_charger.group_link.group
    client.post(reverse("portal:group_context"), {"group": group.pk})
    files = client.get(reverse("portal:diagnostics")).context["rows"]
    assert [r["file"].file_name for r in files] == ["group.log"]
    events = client.get(reverse("portal:logs_security")).context["rows"]
    assert [e.type for e in events] == ["ResetOrReboot"]


# --- Maintenance > CP logs (security events) -----------------------------------------------------


@pytest.fixture
def events(world, charger, group_charger, org_charger):
    return {cp.charge_point_id: SecurityEvent.objects.create(charge_point=cp, type="StartupOfTheDevice",
                                                             tech_info=f"boot {cp.charge_point_id}")
            for cp in (charger, group_charger, org_charger)}


@pytest.mark.parametrize("persona", list(MANAGERS))
def test_security_events_access(world, events, persona):
    client = client_for(world[persona])
    response = client.get(reverse("portal:logs_security"))
    assert response.status_code == 200
    assert {e.charge_point.charge_point_id for e in response.context["rows"]} == MANAGERS[persona]
    # Naming another's charger shows nothing of it.
    named = client.get(reverse("portal:logs_security"), {"charge_point": "CP-HOME"})
    assert {e.charge_point.charge_point_id for e in named.context["rows"]} <= MANAGERS[persona]


def test_security_event_filters(world, charger, group_charger, owner):
    now = timezone.now()
    a = SecurityEvent.objects.create(charge_point=charger, type="StartupOfTheDevice",
                                     received_at=now - timedelta(days=3))
    b = SecurityEvent.objects.create(charge_point=charger, type="TamperDetectionActivated", received_at=now)
    c = SecurityEvent.objects.create(charge_point=group_charger, type="StartupOfTheDevice", received_at=now)
    client = client_for(owner)

    def shown(**params):
        response = client.get(reverse("portal:logs_security"), params)
        assert response.status_code == 200
        return [e.pk for e in response.context["rows"]]

    assert shown() == [c.pk, b.pk, a.pk]
    assert shown(charge_point="CP-HOME") == [b.pk, a.pk]
    assert shown(type="StartupOfTheDevice") == [c.pk, a.pk]
    since = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert shown(since=since) == [c.pk, b.pk]
    assert shown(until=since) == [a.pk]
    assert shown(since=since, until=(now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")) == []
    page = client.get(reverse("portal:logs_security"), {"type": "TamperDetectionActivated"}).content.decode()
    assert "TamperDetectionActivated" in page and f'data-testid="security-event-{b.pk}"' in page


def test_security_events_page_by_cursor_without_count(world, charger, owner):
    SecurityEvent.objects.bulk_create([SecurityEvent(charge_point=charger, type=f"E{i}") for i in range(25)])
    client = client_for(owner)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("portal:logs_security"), {"per_page": 10})
    table = SecurityEvent._meta.db_table
    assert not [q for q in queries if "COUNT(" in q["sql"].upper() and table in q["sql"]]
    page = first.context["page"]
    assert [e.type for e in page.rows] == [f"E{i}" for i in range(24, 14, -1)] and page.is_first
    second = client.get(reverse("portal:logs_security"), {"per_page": 10, "before": page.older}).context["page"]
    assert [e.type for e in second.rows] == [f"E{i}" for i in range(14, 4, -1)]
    last = client.get(reverse("portal:logs_security"), {"per_page": 10, "before": second.older}).context["page"]
    assert [e.type for e in last.rows] == [f"E{i}" for i in range(4, -1, -1)] and last.older is None
    back = client.get(reverse("portal:logs_security"), {"per_page": 10, "after": last.newer}).context["page"]
    assert [e.type for e in back.rows] == [e.type for e in second.rows]


# --- Demo data -----------------------------------------------------------------------------------


def test_demo_data(charger, owner):
    rows = demo_diagnostics(charge_point=charger, acting_user=owner)
    assert [r.status for r in rows] == ["uploaded", "failed"] and rows[0].file.read().startswith(b"# Diagnostics")
    assert demo_diagnostics(charge_point=charger) == []  # once
    events = demo_security_events(charge_point=charger)
    assert len(events) == 6 and demo_security_events(charge_point=charger) == []
