"""The Configuration tab (CP-7): read the keys (GetConfiguration), show the latest full answer,
change a writable key (ChangeConfiguration) and show the charger's answer."""

import re

import pytest

from chargers.charger_details import charger_configuration
from chargers.models import ChargePoint, ChargerOperation
from chargers.services import operation_complete, operation_failed
from tests.portal_charger_detail.conftest import client_for, url

pytestmark = pytest.mark.django_db

KEYS = [
    {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
    {"key": "ChargePointModel", "readonly": True, "value": "SimBox 22"},
    {"key": "AuthorizationKey", "readonly": False, "value": "secret-value"},
    {"key": "LocalAuthListEnabled", "readonly": False},
]


@pytest.fixture
def online(charger):
    ChargePoint.objects.filter(pk=charger.pk).update(is_online=True)
    charger.refresh_from_db()
    return charger


def read(client, cp, keys=KEYS, unknown=None):
    """Read the configuration from the page and let the charger answer."""
    client.post(url("charger_configuration_read", cp.charge_point_id))
    op = ChargerOperation.objects.filter(charge_point=cp, action="GetConfiguration").latest("pk")
    answer = {"configurationKey": keys}
    if unknown:
        answer["unknownKey"] = unknown
    operation_complete(operation_id=op.pk, response=answer)
    return op


def test_read_sends_get_configuration_and_waits(owner, online, sent):
    client = client_for(owner)
    response = client.post(url("charger_configuration_read"))
    assert response.status_code == 302 and response["Location"] == url("charger_configuration")
    op = ChargerOperation.objects.get()
    assert (op.action, op.payload, op.status, op.requested_by) == ("GetConfiguration", {}, "pending", owner)
    assert sent == [("charger.CP-HOME", {"type": "ocpp.call", "operation_id": op.pk,
                                         "action": "GetConfiguration", "payload": {}})]
    html = client.get(url("charger_configuration")).content.decode()
    assert 'data-testid="config-waiting"' in html and f'data-pending="{op.pk}"' in html
    assert 'hx-trigger="every 2s"' in html  # the polling fallback
    assert 'data-testid="config-read" disabled' in html


def test_the_answer_shows_as_a_table(owner, online, sent):
    client = client_for(owner)
    read(client, online, unknown=["Nope"])
    response = client.get(url("charger_configuration_panel"))
    html = response.content.decode()
    assert "<html" not in html and 'data-testid="config-table"' in html
    assert [e.key for e in response.context["config"].entries] == [
        "AuthorizationKey", "ChargePointModel", "HeartbeatInterval", "LocalAuthListEnabled"]
    assert "300" in html and "SimBox 22" in html and "Unknown keys:" in html and "Nope" in html
    assert "secret-value" not in html and "***" not in html  # the charger's password stays hidden
    assert 'data-pending=""' in html and "every 2s" not in html
    # Edit only for writable keys the platform does not set itself.
    assert 'data-config-key="HeartbeatInterval"' in html and 'data-config-key="LocalAuthListEnabled"' in html
    assert 'data-config-key="ChargePointModel"' not in html and 'data-config-key="AuthorizationKey"' not in html


def test_the_latest_full_answer_counts(owner, online, sent):
    client = client_for(owner)
    read(client, online, keys=[{"key": "Old", "readonly": False, "value": "1"}])
    read(client, online)
    # A read of some keys (Operations > Get Configuration) does not shrink the table.
    partial = ChargerOperation.objects.create(charge_point=online, action="GetConfiguration",
                                              payload={"key": ["HeartbeatInterval"]})
    operation_complete(operation_id=partial.pk, response={"configurationKey": KEYS[:1]})
    config = charger_configuration(online)
    assert len(config.entries) == 4 and config.entry("Old") is None and config.attempt is None


def test_offline_read_fails_at_once_and_says_so(owner, charger):
    client = client_for(owner)
    response = client.post(url("charger_configuration_read"), follow=True)
    op = ChargerOperation.objects.get()
    assert op.status == "offline"
    html = response.content.decode()
    assert "The charge point is offline: nothing was sent." in html
    assert 'data-testid="config-offline"' in html and 'data-testid="config-offline-badge"' in html


def test_a_failed_read_keeps_the_last_answer(owner, online, sent):
    client = client_for(owner)
    read(client, online)
    client.post(url("charger_configuration_read"))
    op = ChargerOperation.objects.filter(action="GetConfiguration").latest("pk")
    operation_failed(operation_id=op.pk, status="timed_out", error="No answer from the charger.")
    html = client.get(url("charger_configuration")).content.decode()
    assert 'data-testid="config-failed"' in html and "Timed out" in html and "The table shows the last answer." in html
    assert 'data-testid="config-table"' in html


def test_change_a_key_and_see_the_answer(owner, online, sent):
    client = client_for(owner)
    read(client, online)
    response = client.post(url("charger_configuration_change"), {"key": "HeartbeatInterval", "value": "600"},
                           follow=True)
    op = ChargerOperation.objects.get(action="ChangeConfiguration")
    assert (op.payload, op.status, op.requested_by) == ({"key": "HeartbeatInterval", "value": "600"}, "pending", owner)
    assert sent[-1][1]["action"] == "ChangeConfiguration"
    html = response.content.decode()
    assert "HeartbeatInterval sent to the charge point" in html
    assert f'data-pending="{op.pk}"' in html
    operation_complete(operation_id=op.pk, response={"status": "Accepted"})
    response = client.get(url("charger_configuration_panel"))
    entry = response.context["config"].entry("HeartbeatInterval")
    assert entry.change.pk == op.pk and entry.change_answer == "Accepted"
    html = response.content.decode()
    assert '<span class="badge text-bg-success" data-testid="config-answer">Accepted</span>' in html


@pytest.mark.parametrize("answer, label", [
    ("Rejected", "Rejected"), ("RebootRequired", "Reboot required"), ("NotSupported", "Not supported"),
])
def test_other_answers(owner, online, sent, answer, label):
    client = client_for(owner)
    read(client, online)
    client.post(url("charger_configuration_change"), {"key": "LocalAuthListEnabled", "value": "false"})
    op = ChargerOperation.objects.get(action="ChangeConfiguration")
    operation_complete(operation_id=op.pk, response={"status": answer})
    response = client.get(url("charger_configuration_panel"))
    assert response.context["config"].entry("LocalAuthListEnabled").change_answer == answer
    answers = re.findall(r'data-testid="config-answer"[^>]*>([^<]*)<', response.content.decode())
    assert answers == [label]


def test_an_empty_value_may_be_sent(owner, online, sent):
    client = client_for(owner)
    read(client, online)
    client.post(url("charger_configuration_change"), {"key": "LocalAuthListEnabled", "value": ""})
    assert ChargerOperation.objects.get(action="ChangeConfiguration").payload == {
        "key": "LocalAuthListEnabled", "value": ""}


@pytest.mark.parametrize("data, field, message", [
    ({"key": "NoSuchKey", "value": "1"}, "key", "did not report this key"),
    ({"key": "ChargePointModel", "value": "X"}, "key", "read-only"),
    ({"key": "AuthorizationKey", "value": "new-password"}, "key", "password"),
    ({"key": "K" * 51, "value": "1"}, "key", "at most 50 characters"),
    ({"key": "HeartbeatInterval", "value": "9" * 501}, "value", "at most 500 characters"),
    ({"key": "", "value": "1"}, "key", "required"),
])
def test_bad_changes_are_form_errors_and_nothing_is_sent(owner, online, sent, data, field, message):
    client = client_for(owner)
    read(client, online)
    sent.clear()
    response = client.post(url("charger_configuration_change"), data)
    assert response.status_code == 200
    form = response.context["change_form"]
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert "data-open-on-load" in html and "is-invalid" in html
    assert not ChargerOperation.objects.filter(action="ChangeConfiguration").exists() and not sent


def test_no_change_before_a_read(owner, online, sent):
    response = client_for(owner).post(url("charger_configuration_change"), {"key": "HeartbeatInterval", "value": "1"})
    assert "Read the configuration first." in " ".join(response.context["change_form"].errors["key"])
    assert not ChargerOperation.objects.exists()


def test_change_on_an_offline_charger_fails_at_once(owner, online, sent):
    client = client_for(owner)
    read(client, online)
    ChargePoint.objects.filter(pk=online.pk).update(is_online=False)
    response = client.post(url("charger_configuration_change"), {"key": "HeartbeatInterval", "value": "60"},
                           follow=True)
    op = ChargerOperation.objects.get(action="ChangeConfiguration")
    assert op.status == "offline"
    html = response.content.decode()
    assert "The charge point is offline: nothing was sent." in html
    assert "Offline: not sent" in html


def test_the_service_checks_as_well(owner, online, sent):
    from chargers.charger_details import charger_configuration_change
    from wccportal.errors import DomainError

    read(client_for(owner), online)
    with pytest.raises(DomainError) as caught:
        charger_configuration_change(charge_point=online, key="ChargePointModel", value="x", acting_user=owner)
    assert "key" in caught.value.fields
    assert not ChargerOperation.objects.filter(action="ChangeConfiguration").exists()
