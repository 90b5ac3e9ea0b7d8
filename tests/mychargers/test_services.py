"""Owner use cases in chargers.services: the claim race, configuration keys kept in data,
and what a claim, a settings change and an unclaim tell the local-list sync."""

import threading

import pytest
from django.db import connection

from chargers import services
from chargers.models import ChargePoint, ChargerOperation, ConfigurationKey
from tests.factories.accounts import UserFactory
from tests.factories.chargers import ChargePointFactory
from wccportal.errors import DomainError


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_claims_one_wins():
    cp = ChargePointFactory(charge_point_id="CP-RACE", claim_code="RACE2345")
    users = [UserFactory(email="a@example.com"), UserFactory(email="b@example.com")]
    barrier = threading.Barrier(2)
    outcomes = {}

    def claim(user):
        try:
            barrier.wait()
            services.charger_claim(user=user, charge_point_id="CP-RACE", claim_code="RACE2345")
            outcomes[user.pk] = "won"
        except DomainError as error:
            outcomes[user.pk] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes.values()) == ["invalid_claim", "won"]
    winner = next(pk for pk, outcome in outcomes.items() if outcome == "won")
    assert ChargePoint.objects.get(pk=cp.pk).owner_id == winner


@pytest.mark.django_db
def test_the_most_specific_configuration_key_wins():
    cp = ChargePointFactory(vendor="Acme", model="Wallbox 11")
    # Defaults come with a data migration.
    assert services.configuration_key_for(charge_point=cp, setting="led_brightness").key == "LedBrightness"
    ConfigurationKey.objects.create(vendor="", model="Wallbox 11", setting="led_brightness", key="LightLevel")
    assert services.configuration_key_for(charge_point=cp, setting="led_brightness").key == "LightLevel"
    ConfigurationKey.objects.create(vendor="Acme", model="Wallbox 11", setting="led_brightness", key="AcmeLed")
    assert services.configuration_key_for(charge_point=cp, setting="led_brightness").key == "AcmeLed"
    other = ChargePointFactory(vendor="Other", model="Wallbox 11")
    assert services.configuration_key_for(charge_point=other, setting="led_brightness").key == "LightLevel"


@pytest.mark.django_db
def test_on_off_values_come_from_the_key_row(owner):
    cp = ChargePointFactory(owner=owner, vendor="Acme", model="Wallbox 11")
    ConfigurationKey.objects.create(model="Wallbox 11", setting="free_charging", key="AuthBypass",
                                    true_value="1", false_value="0")
    [op] = services.charger_settings_update(charge_point=cp, acting_user=owner, free_charging=True)
    assert op.payload == {"key": "AuthBypass", "value": "1"}


@pytest.mark.django_db
def test_a_value_the_charger_already_accepted_is_not_sent_again(owner):
    cp = ChargePointFactory(owner=owner)
    ChargerOperation.objects.create(charge_point=cp, action="ChangeConfiguration",
                                    payload={"key": "LedBrightness", "value": "40"}, status="accepted")
    assert services.charger_settings_update(charge_point=cp, acting_user=owner, led_brightness=40) == []
    # Rejected or offline last time: sent again.
    ChargerOperation.objects.create(charge_point=cp, action="ChangeConfiguration",
                                    payload={"key": "LedBrightness", "value": "50"}, status="offline")
    assert len(services.charger_settings_update(charge_point=cp, acting_user=owner, led_brightness=50)) == 1


@pytest.mark.django_db
def test_claim_settings_and_unclaim_resync_the_local_list(outsider, monkeypatch, django_capture_on_commit_callbacks):
    # A spy on the job the sync runs as (tests run django-q synchronously): which chargers'
    # local lists were queued for a resync after each commit.
    import chargers.local_list as local_list

    calls = []
    monkeypatch.setattr(local_list, "sync_local_lists", lambda pks: calls.append(list(pks)))
    cp = ChargePointFactory(charge_point_id="CP-LL", claim_code="LIST2345")
    with django_capture_on_commit_callbacks(execute=True):
        services.charger_claim(user=outsider, charge_point_id="CP-LL", claim_code="LIST2345")
    with django_capture_on_commit_callbacks(execute=True):
        services.charger_settings_update(charge_point=cp, acting_user=outsider, free_charging=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.charger_settings_update(charge_point=cp, acting_user=outsider, name="Renamed")
    with django_capture_on_commit_callbacks(execute=True):
        services.charger_unclaim(charge_point=ChargePoint.objects.get(pk=cp.pk), acting_user=outsider)
    assert calls == [[cp.pk], [cp.pk], [cp.pk]]


def test_qr_content_round_trip():
    cp = ChargePoint(charge_point_id="CP 1/2?", claim_code="AB&CD")
    assert services.claim_qr_parse(services.charger_claim_url(charge_point=cp)) == ("CP 1/2?", "AB&CD")
    with pytest.raises(DomainError) as error:
        services.claim_qr_parse("hello")
    assert error.value.code == "invalid_qr"
