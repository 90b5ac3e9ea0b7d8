"""OPS-1 / OPS-2 in the portal: the command menu and history, one validated form per command,
access (only chargers the user manages; others' operations 404), the answer endpoint."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from chargers import portal_operations as ops
from chargers.models import ChargePoint, ChargerOperation
from tests.factories.chargers import ChargePointFactory

pytestmark = pytest.mark.django_db

SEND = "chargers.services.group_send_on_commit"


def online(*chargers):
    ChargePoint.objects.filter(pk__in=[c.pk for c in chargers]).update(is_online=True)


def url(slug):
    return reverse("portal:operation", args=[slug])


def future(hours=2):
    return (timezone.localtime() + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


# One valid POST per command (the charger added by the test).
VALID = {
    "remote-start": {"connector_id": "1", "id_tag": "OWNER1"},
    "remote-stop": {"transaction_id": "42"},
    "unlock-connector": {"connector_id": "2"},
    "reset": {"type": "Hard"},
    "change-availability": {"connector_id": "0", "type": "Inoperative"},
    "trigger-message": {"requested_message": "StatusNotification", "connector_id": "1"},
    "data-transfer": {"vendor_id": "com.example", "message_id": "hello", "data": "{\"a\": 1}"},
    "get-configuration": {"keys": "HeartbeatInterval\nMeterValueSampleInterval"},
    "change-configuration": {"key": "HeartbeatInterval", "value": "120"},
    "get-diagnostics": {"location": "ftp://diag.example.com/up", "retries": "2", "retry_interval": "60"},
    "update-firmware": {"location": "https://fw.example.com/fw.bin", "retrieve_date": "2030-01-01T10:00"},
    "reserve-now": {"connector_id": "1", "id_tag": "OWNER1", "expiry_date": None, "reservation_id": "7"},
    "cancel-reservation": {"reservation_id": "7"},
    "clear-cache": {},
    "send-local-list": {"update_type": "Differential", "entries": "ABC123, Accepted, 2030-01-01T00:00\nOLD1"},
    "get-local-list-version": {},
    "set-charging-profile": {"connector_id": "1", "profile_id": "3", "stack_level": "0", "purpose": "TxDefaultProfile",
                             "kind": "Relative", "rate_unit": "A", "periods": "0, 16\n3600, 10, 3"},
    "clear-charging-profile": {"profile_id": "3"},
    "get-composite-schedule": {"connector_id": "1", "duration": "3600", "rate_unit": "W"},
}

EXPECTED = {
    "remote-start": {"connectorId": 1, "idTag": "OWNER1"},
    "reset": {"type": "Hard"},
    "change-availability": {"connectorId": 0, "type": "Inoperative"},
    "get-configuration": {"key": ["HeartbeatInterval", "MeterValueSampleInterval"]},
    "send-local-list": {"listVersion": 1, "updateType": "Differential", "localAuthorizationList": [
        {"idTag": "ABC123", "idTagInfo": {"status": "Accepted", "expiryDate": None}}, {"idTag": "OLD1"}]},
    "set-charging-profile": {"connectorId": 1, "csChargingProfiles": {
        "chargingProfileId": 3, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Relative", "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [
            {"startPeriod": 0, "limit": 16.0}, {"startPeriod": 3600, "limit": 10.0, "numberPhases": 3}]}}},
}

# Bad input per command: field → message part (nothing may be sent).
INVALID = {
    "remote-start": ({"connector_id": "9", "id_tag": "OWNER1"}, "connector_id"),
    "remote-stop": ({"transaction_id": "abc"}, "transaction_id"),
    "unlock-connector": ({"connector_id": "0"}, "connector_id"),
    "reset": ({"type": "Medium"}, "type"),
    "change-availability": ({"connector_id": "-1", "type": "Operative"}, "connector_id"),
    "trigger-message": ({"requested_message": "StartTransaction"}, "requested_message"),
    "data-transfer": ({"vendor_id": ""}, "vendor_id"),
    "get-configuration": ({"keys": "K" * 51}, "keys"),
    "change-configuration": ({"key": "K" * 51, "value": "1"}, "key"),
    "get-diagnostics": ({"location": "not a url"}, "location"),
    "update-firmware": ({"location": "https://fw.example.com/fw.bin", "retrieve_date": "tomorrow"}, "retrieve_date"),
    "reserve-now": ({"connector_id": "1", "id_tag": "OWNER1", "expiry_date": "2001-01-01T10:00",
                     "reservation_id": "7"}, "expiry_date"),
    "cancel-reservation": ({"reservation_id": ""}, "reservation_id"),
    "send-local-list": ({"update_type": "Differential", "entries": ""}, "entries"),
    "set-charging-profile": ({"connector_id": "1", "profile_id": "3", "stack_level": "0", "purpose": "TxDefaultProfile",
                              "kind": "Relative", "rate_unit": "A", "periods": "10, 16"}, "periods"),
    "clear-charging-profile": ({"purpose": "Everything"}, "purpose"),
    "get-composite-schedule": ({"connector_id": "1", "duration": "0"}, "duration"),
}


def test_every_ocpp_command_of_ops1_has_a_page():
    actions = {c.action for c in ops.COMMANDS}
    for action in ("RemoteStartTransaction", "RemoteStopTransaction", "Reset", "ChangeAvailability",
                   "ChangeConfiguration", "GetConfiguration", "GetDiagnostics", "UnlockConnector",
                   "TriggerMessage", "UpdateFirmware", "ReserveNow", "CancelReservation", "ClearCache",
                   "SendLocalList", "GetLocalListVersion", "SetChargingProfile", "ClearChargingProfile",
                   "DataTransfer"):
        assert action in actions
    assert set(VALID) == set(ops.BY_SLUG)


def test_menu_lists_every_command_and_the_history(client, owner, charger):
    ChargerOperation.objects.create(charge_point=charger, requested_by=owner, action="Reset",
                                    payload={"type": "Soft"}, status="accepted", response={"status": "Accepted"})
    client.force_login(owner)
    r = client.get(reverse("portal:operations"))
    assert r.status_code == 200
    html = r.content.decode()
    for command in ops.COMMANDS:
        assert url(command.slug) in html
    assert "CP-HOME" in html and "Accepted" in html


@pytest.mark.parametrize("slug", sorted(VALID))
def test_each_command_sends_its_validated_payload(client, owner, charger, tags, slug):
    online(charger)
    client.force_login(owner)
    assert client.get(url(slug)).status_code == 200
    data = {"charge_point": "CP-HOME", **VALID[slug]}
    if slug == "reserve-now":
        data["expiry_date"] = future()
    with mock.patch(SEND) as send:
        r = client.post(url(slug), data)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    op = ChargerOperation.objects.get()
    assert op.action == ops.BY_SLUG[slug].action and op.requested_by == owner
    assert op.status == ChargerOperation.Status.PENDING
    send.assert_called_once()
    assert send.call_args.args[1]["payload"] == op.payload
    assert r.url == f"{url(slug)}?op={op.pk}&charger=CP-HOME"
    if slug in EXPECTED:
        expected = EXPECTED[slug]
        if slug == "send-local-list":
            assert op.payload["localAuthorizationList"][0]["idTagInfo"]["expiryDate"].endswith("Z")
            op.payload["localAuthorizationList"][0]["idTagInfo"]["expiryDate"] = None
        assert op.payload == expected
    # The page after the redirect shows the (pending) operation.
    page = client.get(r.url).content.decode()
    assert 'data-testid="op-result"' in page and "Waiting for the charge point" in page


@pytest.mark.parametrize("slug", sorted(INVALID))
def test_bad_input_gives_form_errors_and_sends_nothing(client, owner, charger, tags, slug):
    online(charger)
    client.force_login(owner)
    data, field = INVALID[slug]
    with mock.patch(SEND) as send:
        r = client.post(url(slug), {"charge_point": "CP-HOME", **data})
    assert r.status_code == 200
    assert field in r.context["form"].errors, r.context["form"].errors
    assert not ChargerOperation.objects.exists()
    send.assert_not_called()


def test_set_charging_profile_cross_field_rules(owner, charger):
    base = {**VALID["set-charging-profile"], "charge_point": "CP-HOME"}
    form = ops.SetChargingProfileForm({**base, "purpose": "TxProfile", "connector_id": "0"}, user=owner)
    assert "connector_id" in form.errors
    form = ops.SetChargingProfileForm({**base, "transaction_id": "5"}, user=owner)
    assert "transaction_id" in form.errors
    form = ops.SetChargingProfileForm({**base, "kind": "Recurring"}, user=owner)
    assert "recurrency_kind" in form.errors and "start_schedule" in form.errors


def test_full_local_list_without_entries_sends_the_platform_list(owner, charger, tags):
    form = ops.SendLocalListForm({"charge_point": "CP-HOME", "update_type": "Full", "entries": ""}, user=owner)
    assert form.is_valid(), form.errors
    payload = form.payload()
    assert payload["updateType"] == "Full" and payload["listVersion"] == 1
    assert isinstance(payload["localAuthorizationList"], list)


def test_offline_charger_is_recorded_offline_and_nothing_sent(client, owner, charger):
    client.force_login(owner)
    with mock.patch(SEND) as send:
        r = client.post(url("clear-cache"), {"charge_point": "CP-HOME"}, follow=True)
    op = ChargerOperation.objects.get()
    assert op.status == ChargerOperation.Status.OFFLINE
    send.assert_not_called()
    assert "offline" in r.content.decode()


def test_unknown_command_is_404(client, owner):
    client.force_login(owner)
    assert client.get(url("self-destruct")).status_code == 404


def test_anonymous_is_sent_to_login(client):
    r = client.get(reverse("portal:operations"))
    assert r.status_code == 302 and "login" in r.url


# --- Access --------------------------------------------------------------------------------

MANAGES = {
    "owner": {"CP-HOME", "CP-GROUP"},
    "member": set(),
    "guest": set(),
    "outsider": set(),
    "operator": {"CP-ORG"},
    "staff": {"CP-HOME", "CP-GROUP", "CP-ORG"},
}


@pytest.mark.parametrize("persona", sorted(MANAGES))
def test_picker_holds_only_the_chargers_the_user_manages(client, world, persona):
    user = world[persona]
    client.force_login(user)
    r = client.get(url("reset"))
    assert r.status_code == 200
    offered = {cp.charge_point_id for cp in r.context["form"].fields["charge_point"].queryset}
    assert offered == MANAGES[persona]
    if not MANAGES[persona]:
        assert 'data-testid="no-chargers"' in r.content.decode()


@pytest.mark.parametrize("persona", sorted(MANAGES))
def test_forged_post_for_a_charger_not_managed_sends_nothing(client, world, persona):
    user = world[persona]
    ChargePoint.objects.update(is_online=True)
    client.force_login(user)
    for cp_id in {"CP-HOME", "CP-GROUP", "CP-ORG"} - MANAGES[persona]:
        with mock.patch(SEND) as send:
            r = client.post(url("reset"), {"charge_point": cp_id, "type": "Hard"})
        assert r.status_code == 200 and "charge_point" in r.context["form"].errors
        send.assert_not_called()
    assert not ChargerOperation.objects.exists()


@pytest.mark.parametrize("persona", sorted(MANAGES))
def test_history_and_answers_only_for_managed_chargers(client, world, persona):
    user = world[persona]
    ops_by_cp = {
        cp.charge_point_id: ChargerOperation.objects.create(
            charge_point=cp, action="GetConfiguration", status="accepted",
            response={"configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]})
        for cp in ChargePoint.objects.all()
    }
    client.force_login(user)
    r = client.get(reverse("portal:operations"))
    shown = {record.charge_point.charge_point_id for record in r.context["table"].data}
    assert shown == MANAGES[persona]
    for cp_id, op in ops_by_cp.items():
        result = client.get(reverse("portal:operation_result", args=[op.pk]))
        as_json = client.get(reverse("portal:operation_result", args=[op.pk]), {"format": "json"})
        if cp_id in MANAGES[persona]:
            assert result.status_code == 200 and "HeartbeatInterval" in result.content.decode()
            assert as_json.json()["status"] == "accepted" and as_json.json()["completed"] is True
        else:
            assert result.status_code == 404 and as_json.status_code == 404
        # ?op= of someone else's operation shows nothing.
        page = client.get(url("get-configuration"), {"op": op.pk})
        assert (page.context["current"] is not None) == (cp_id in MANAGES[persona])


def test_history_filters(client, owner, charger, group_charger):
    old = ChargerOperation.objects.create(charge_point=charger, action="Reset", status="accepted")
    ChargerOperation.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    ChargerOperation.objects.create(charge_point=charger, action="ClearCache", status="rejected")
    ChargerOperation.objects.create(charge_point=group_charger, action="Reset", status="timed_out")
    client.force_login(owner)

    def shown(**params):
        r = client.get(reverse("portal:operations"), params)
        return sorted((o.charge_point.charge_point_id, o.action) for o in r.context["table"].data)

    assert len(shown()) == 3
    assert shown(charge_point="CP-GROUP") == [("CP-GROUP", "Reset")]
    assert shown(action="Reset") == [("CP-GROUP", "Reset"), ("CP-HOME", "Reset")]
    assert shown(status="rejected") == [("CP-HOME", "ClearCache")]
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert shown(created_from=since) == [("CP-GROUP", "Reset"), ("CP-HOME", "ClearCache")]
    until = (timezone.localdate() - timedelta(days=5)).isoformat()
    assert shown(created_to=until) == [("CP-HOME", "Reset")]
    # A charger of someone else in the filter: a filter error, nothing of theirs shown.
    other = ChargePointFactory(charge_point_id="CP-OTHER")
    ChargerOperation.objects.create(charge_point=other, action="Reset")
    assert ("CP-OTHER", "Reset") not in shown(charge_point="CP-OTHER")


def test_history_is_paginated(client, owner, charger):
    ChargerOperation.objects.bulk_create(
        [ChargerOperation(charge_point=charger, action="Reset") for _ in range(25)])
    client.force_login(owner)
    r = client.get(reverse("portal:operations"), {"per_page": 10})
    assert len(r.context["table"].page.object_list) == 10
    r = client.get(reverse("portal:operations"), {"per_page": 10, "page": 3})
    assert len(r.context["table"].page.object_list) == 5


def test_get_configuration_answer_is_a_key_value_table(client, owner, charger):
    op = ChargerOperation.objects.create(
        charge_point=charger, requested_by=owner, action="GetConfiguration", status="accepted",
        response={"configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"},
                                       {"key": "NumberOfConnectors", "readonly": True, "value": "2"}],
                  "unknownKey": ["Nope"]})
    client.force_login(owner)
    html = client.get(reverse("portal:operation_result", args=[op.pk])).content.decode()
    assert 'data-testid="op-answer-table"' in html
    assert "<td class=\"text-break\">HeartbeatInterval</td><td class=\"text-break\">300</td>" in html
    assert "Nope" in html and "hx-trigger" not in html  # answered: no more polling


def test_pending_result_polls(client, owner, charger):
    op = ChargerOperation.objects.create(charge_point=charger, requested_by=owner, action="Reset")
    client.force_login(owner)
    html = client.get(reverse("portal:operation_result", args=[op.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in html
