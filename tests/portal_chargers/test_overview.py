"""Portal charge points (CP-6) and connectors (CP-8): filters, activate / deactivate only own
chargers (ChangeAvailability on connector 0), the Excel export, and who sees what."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from chargers.models import ChargePoint, ChargerOperation, Connector
from tests.factories.chargers import ChargePointFactory

pytestmark = pytest.mark.django_db

LIST = reverse("portal:chargers")
EXPORT = reverse("portal:chargers_export")
AVAILABILITY = reverse("portal:chargers_availability")
CONNECTORS = reverse("portal:connectors")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sent(monkeypatch):
    """What would go out to the chargers' sockets."""
    calls = []
    monkeypatch.setattr("chargers.services.group_send_on_commit",
                        lambda group, message: calls.append((group, message)))
    return calls


def ids_in(response):
    return {cp.charge_point_id for cp in response.context["table"].page.object_list.data}


# --- Who sees which chargers -------------------------------------------------------------------

@pytest.mark.parametrize(("persona", "expected"), [
    ("owner", {"CP-HOME", "CP-GROUP"}),
    ("member", {"CP-GROUP"}),
    ("guest", {"CP-HOME"}),
    ("outsider", set()),
    ("operator", {"CP-ORG"}),
    ("staff", {"CP-HOME", "CP-GROUP", "CP-ORG"}),
])
def test_overview_shows_the_chargers_the_user_sees(world, persona, expected):
    response = client_for(world[persona]).get(LIST)
    assert response.status_code == 200
    assert ids_in(response) == expected
    assert b"portal:charger_detail" not in response.content
    for cp_id in expected:
        assert reverse("portal:charger_detail", args=[cp_id]).encode() in response.content


def test_only_own_chargers_can_be_ticked(world):
    response = client_for(world["member"]).get(LIST)
    html = response.content.decode()
    group = ChargePoint.objects.get(charge_point_id="CP-GROUP")
    assert f'name="selection" value="{group.pk}"' not in html
    assert 'data-testid="charger-bulk"' not in html  # nothing of their own: no actions
    response = client_for(world["owner"]).get(LIST)
    assert f'name="selection" value="{group.pk}"' in response.content.decode()


def test_filters(owner):
    ChargePointFactory(charge_point_id="WB-1", owner=owner, model="Wallbox Pulsar",
                       firmware_version="5.1.2", onboarded_at=timezone.now() - timedelta(days=40))
    ChargePointFactory(charge_point_id="WB-2", owner=owner, model="Wallbox Pulsar",
                       firmware_version="6.0.0", onboarded_at=timezone.now())
    ChargePointFactory(charge_point_id="ABB-1", owner=owner, model="Terra AC",
                       firmware_version="6.0.0", onboarded_at=timezone.now())
    client = client_for(owner)
    assert ids_in(client.get(LIST, {"charge_point_id": "wb"})) == {"WB-1", "WB-2"}
    assert ids_in(client.get(LIST, {"model": "terra"})) == {"ABB-1"}
    assert ids_in(client.get(LIST, {"firmware_version": "6.0"})) == {"WB-2", "ABB-1"}
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert ids_in(client.get(LIST, {"onboarded_from": since})) == {"WB-2", "ABB-1"}
    assert ids_in(client.get(LIST, {"onboarded_to": since})) == {"WB-1"}
    # A reversed range is a form error.
    response = client.get(LIST, {"onboarded_from": since, "onboarded_to": "2020-01-01"})
    assert response.context["filter"].form.errors["onboarded_to"]
    assert "The end date is before the start date." in response.content.decode()


def test_page_sizes_and_sorting(owner):
    for i in range(25):
        ChargePointFactory(charge_point_id=f"P-{i:02d}", owner=owner)
    client = client_for(owner)
    assert len(ids_in(client.get(LIST))) == 20
    assert len(ids_in(client.get(LIST, {"per_page": 10}))) == 10
    assert len(ids_in(client.get(LIST, {"per_page": 999}))) == 20  # not offered: default
    response = client.get(LIST, {"per_page": 10, "sort": "-charge_point_id"})
    first = list(response.context["table"].page.object_list.data)[0]
    assert first.charge_point_id == "P-24"


# --- Activate / deactivate ---------------------------------------------------------------------

def test_deactivate_own_chargers_sends_change_availability(world, charger, group_charger, sent):
    ChargePoint.objects.filter(pk=charger.pk).update(is_online=True)
    response = client_for(world["owner"]).post(
        AVAILABILITY, {"action": "deactivate", "selection": [charger.pk, group_charger.pk]},
        follow=True,
    )
    assert response.status_code == 200
    ops = ChargerOperation.objects.order_by("charge_point__charge_point_id")
    assert [(op.charge_point.charge_point_id, op.action, op.payload, op.status) for op in ops] == [
        ("CP-GROUP", "ChangeAvailability", {"connectorId": 0, "type": "Inoperative"}, "offline"),
        ("CP-HOME", "ChangeAvailability", {"connectorId": 0, "type": "Inoperative"}, "pending"),
    ]
    assert len(sent) == 1 and sent[0][1]["action"] == "ChangeAvailability"
    text = response.content.decode()
    assert "Deactivation sent to 1 charge point: CP-HOME." in text
    assert "Offline, nothing sent: CP-GROUP." in text


def test_activate_sends_operative(world, charger, sent):
    ChargePoint.objects.filter(pk=charger.pk).update(is_online=True)
    client_for(world["owner"]).post(AVAILABILITY, {"action": "activate", "selection": [charger.pk]})
    op = ChargerOperation.objects.get()
    assert op.payload == {"connectorId": 0, "type": "Operative"}
    assert op.requested_by == world["owner"]


@pytest.mark.parametrize("persona", ["member", "guest", "outsider", "operator"])
def test_forged_pk_of_another_charger_sends_nothing(world, charger, group_charger, org_charger,
                                                     persona, sent):
    ChargePoint.objects.update(is_online=True)
    user = world[persona]
    own = [cp.pk for cp in (org_charger,) if persona == "operator"]
    response = client_for(user).post(
        AVAILABILITY, {"action": "deactivate", "selection": [*own, charger.pk, group_charger.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert ChargerOperation.objects.count() == 0
    assert sent == []
    assert "You may only activate or deactivate your own charge points." in response.content.decode()


def test_staff_may_deactivate_any(world, org_charger, sent):
    client_for(world["staff"]).post(AVAILABILITY, {"action": "deactivate", "selection": [org_charger.pk]})
    assert ChargerOperation.objects.get().charge_point == org_charger


@pytest.mark.parametrize("selection", [[], ["abc"], ["999999"]])
def test_bad_selection_sends_nothing(world, selection, sent):
    client_for(world["owner"]).post(AVAILABILITY, {"action": "activate", "selection": selection})
    assert ChargerOperation.objects.count() == 0 and sent == []


def test_availability_needs_post(world):
    assert client_for(world["owner"]).get(AVAILABILITY).status_code == 405


# --- Export ------------------------------------------------------------------------------------

def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_export_is_the_current_view(world, charger, group_charger):
    ChargePoint.objects.filter(pk=charger.pk).update(firmware_version="1.2.3", city="Bremen")
    rows = _sheet(client_for(world["owner"]).get(EXPORT, {"sort": "-charge_point_id"}))
    assert rows[0][:3] == ["Charge point ID", "Name", "Model"]
    assert [r[0] for r in rows[1:]] == ["CP-HOME", "CP-GROUP"]
    home = rows[1]
    assert home[4] == "1.2.3" and "Bremen" in home
    rows = _sheet(client_for(world["owner"]).get(EXPORT, {"charge_point_id": "group"}))
    assert [r[0] for r in rows[1:]] == ["CP-GROUP"]


@pytest.mark.parametrize(("persona", "expected"), [
    ("outsider", []), ("guest", ["CP-HOME"]), ("operator", ["CP-ORG"]),
])
def test_export_never_holds_others_chargers(world, persona, expected):
    rows = _sheet(client_for(world[persona]).get(EXPORT))
    assert [r[0] for r in rows[1:]] == expected


def test_pages_need_login(db):
    for url in (LIST, EXPORT, CONNECTORS):
        response = Client().get(url)
        assert response.status_code == 302 and "login" in response["Location"]


# --- Connectors (CP-8) -------------------------------------------------------------------------

def connector_rows(response):
    return [(c.charge_point.charge_point_id, c.connector_id, c.status)
            for c in response.context["table"].page.object_list.data]


@pytest.mark.parametrize(("persona", "expected"), [
    ("owner", {"CP-HOME", "CP-GROUP"}), ("member", {"CP-GROUP"}), ("guest", {"CP-HOME"}),
    ("outsider", set()), ("operator", {"CP-ORG"}), ("staff", {"CP-HOME", "CP-GROUP", "CP-ORG"}),
])
def test_connectors_of_the_users_chargers(world, persona, expected):
    rows = connector_rows(client_for(world[persona]).get(CONNECTORS))
    assert {r[0] for r in rows} == expected
    assert all(r[1] > 0 for r in rows)  # connector 0 is the charger itself
    assert len(rows) == 2 * len(expected)


def test_connector_filters_and_columns(world, charger):
    now = timezone.now()
    Connector.objects.filter(charge_point=charger, connector_id=1).update(
        status="Faulted", error_code="GroundFailure", status_changed_at=now, vendor_error_code="E42")
    Connector.objects.filter(charge_point=charger, connector_id=2).update(status="Charging")
    client = client_for(world["owner"])
    assert connector_rows(client.get(CONNECTORS, {"status": "Faulted"})) == [("CP-HOME", 1, "Faulted")]
    assert connector_rows(client.get(CONNECTORS, {"error": "error"})) == [("CP-HOME", 1, "Faulted")]
    assert {r[0] for r in connector_rows(client.get(CONNECTORS, {"charge_point": "group"}))} == {"CP-GROUP"}
    html = client.get(CONNECTORS, {"charge_point": "home"}).content.decode()
    assert "Ground failure (E42)" in html and "Charging" in html
    assert 'data-live-charger="CP-HOME"' in html
    assert f'data-connector="{charger.pk}:1"' in html
    response = client.get(CONNECTORS, {"status": "Nonsense"})
    assert response.context["filter"].form.errors["status"]


def test_availability_column_follows_connector_zero(world, charger, group_charger):
    Connector.objects.filter(charge_point=charger, connector_id=0).update(status="Unavailable")
    Connector.objects.filter(charge_point=group_charger, connector_id=0).update(status="Available")
    client = client_for(world["owner"])
    html = client.get(LIST).content.decode()
    assert "Deactivated" in html and "Activated" in html
    rows = _sheet(client.get(EXPORT))
    column = rows[0].index("Availability")
    assert {r[0]: r[column] for r in rows[1:]} == {"CP-GROUP": "Available", "CP-HOME": "Deactivated"}
