"""Maintenance > Inventory (CP-9): the chargers one manages with their hardware data, filters,
sorting, page sizes, the group context, "in timeout?", and no secret in the page."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chargers.models import ChargePoint
from tests.factories.chargers import ChargePointFactory

pytestmark = pytest.mark.django_db

LIST = reverse("portal:maintenance")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def ids_in(response):
    return [cp.charge_point_id for cp in response.context["table"].page.object_list.data]


@pytest.mark.parametrize(("persona", "expected"), [
    ("owner", {"CP-HOME", "CP-GROUP"}),
    ("member", set()),  # uses the group charger, does not manage it
    ("guest", set()),  # the home charger is only shared with them
    ("outsider", set()),
    ("operator", {"CP-ORG"}),  # the organisation's charger
    ("staff", {"CP-HOME", "CP-GROUP", "CP-ORG"}),
])
def test_who_sees_which_chargers(world, persona, expected):
    response = client_for(world[persona]).get(LIST)
    assert response.status_code == 200
    assert set(ids_in(response)) == expected
    # Asking for another's charger by name finds nothing either.
    assert set(ids_in(client_for(world[persona]).get(LIST, {"charge_point_id": "CP-ORG"}))) <= expected


def test_anonymous_is_sent_to_login(db):
    response = Client().get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_columns_and_no_secret_in_the_page(world, charger):
    ChargePoint.objects.filter(pk=charger.pk).update(
        manufacturing_date=date(2021, 11, 26), part_number="5111189B", serial_number="21007123",
        material_number="MAT-1", firmware_version="2.1.6.1", vendor_code="VC-9", model="WB_NEXT",
        claim_code="SECRETCODE",
    )
    html = client_for(world["owner"]).get(LIST).content.decode()
    for text in ("Charge point ID", "MF date", "Model", "Part no.", "MES serial no.", "Material no.",
                 "FW version", "Vendor code", "Created date", "Modified date", "Access code", "In timeout?",
                 "2021-11-26", "5111189B", "21007123", "MAT-1", "2.1.6.1", "VC-9", "WB_NEXT"):
        assert text in html, text
    assert reverse("portal:inventory_detail", args=["CP-HOME"]) in html
    assert reverse("portal:inventory_reveal_code", args=["CP-HOME"]) in html
    assert "SECRETCODE" not in html  # revealed on click only
    # The maintenance tabs.
    for name in ("portal:diagnostics", "portal:logs_security", "portal:logs", "portal:heartbeats"):
        assert reverse(name) in html


def test_filters(world, owner):
    ChargePointFactory(charge_point_id="CP-A1", owner=owner, model="Pulsar Plus", serial_number="SN-111",
                       material_number="MAT-777")
    ChargePointFactory(charge_point_id="CP-B2", owner=owner, model="Terra AC", serial_number="SN-222",
                       material_number="MAT-888")
    client = client_for(owner)
    assert ids_in(client.get(LIST, {"charge_point_id": "a1"})) == ["CP-A1"]
    assert ids_in(client.get(LIST, {"serial_number": "222"})) == ["CP-B2"]
    assert ids_in(client.get(LIST, {"model": "pulsar"})) == ["CP-A1"]
    assert ids_in(client.get(LIST, {"material_number": "mat-8"})) == ["CP-B2"]
    assert ids_in(client.get(LIST, {"model": "terra", "serial_number": "111"})) == []


def test_sorting_by_columns(world, owner, charger, group_charger):
    ChargePoint.objects.filter(pk=charger.pk).update(manufacturing_date=date(2022, 1, 1), model="B model")
    ChargePoint.objects.filter(pk=group_charger.pk).update(manufacturing_date=date(2021, 1, 1), model="A model")
    client = client_for(owner)
    assert ids_in(client.get(LIST)) == ["CP-GROUP", "CP-HOME"]
    assert ids_in(client.get(LIST, {"sort": "-charge_point_id"})) == ["CP-HOME", "CP-GROUP"]
    assert ids_in(client.get(LIST, {"sort": "manufacturing_date"})) == ["CP-GROUP", "CP-HOME"]
    assert ids_in(client.get(LIST, {"sort": "-model"})) == ["CP-HOME", "CP-GROUP"]
    # The home charger is heard from now, the group charger never: "No" sorts before "Yes".
    ChargePoint.objects.filter(pk=charger.pk).update(last_seen_at=timezone.now())
    assert ids_in(client.get(LIST, {"sort": "in_timeout"})) == ["CP-HOME", "CP-GROUP"]
    assert ids_in(client.get(LIST, {"sort": "-in_timeout"})) == ["CP-GROUP", "CP-HOME"]
    # An unknown column is ignored, not an error.
    assert client.get(LIST, {"sort": "claim_code"}).status_code == 200


def test_page_sizes(world, owner):
    for i in range(23):  # and the home and group chargers: 25
        ChargePointFactory(charge_point_id=f"CP-P{i:02d}", owner=owner)
    client = client_for(owner)
    assert len(ids_in(client.get(LIST))) == 20  # default
    assert len(ids_in(client.get(LIST, {"per_page": 10}))) == 10
    assert len(ids_in(client.get(LIST, {"per_page": 10, "page": 3}))) == 5
    assert len(ids_in(client.get(LIST, {"per_page": 999}))) == 20  # not offered: the default
    assert len(ids_in(client.get(LIST, {"per_page": 50}))) == 25
    assert client.get(LIST, {"page": 99}).status_code == 200  # beyond the end: the first page


def test_group_context_narrows_the_list(world, owner, charger, group_charger):
    client = client_for(owner)
    group = group_charger.group_link.group
    client.post(reverse("portal:group_context"), {"group": group.pk})
    assert ids_in(client.get(LIST)) == ["CP-GROUP"]
    client.post(reverse("portal:group_context"), {})
    assert set(ids_in(client.get(LIST))) == {"CP-HOME", "CP-GROUP"}


def test_member_choosing_the_group_still_sees_nothing_to_manage(world, member, group_charger):
    client = client_for(member)
    client.post(reverse("portal:group_context"), {"group": group_charger.group_link.group.pk})
    assert ids_in(client.get(LIST)) == []


def test_in_timeout_follows_the_offline_rule(world, owner, charger, group_charger):
    limit = timedelta(seconds=settings.OCPP_OFFLINE_TIMEOUT)
    fresh = ChargePointFactory(charge_point_id="CP-FRESH", owner=owner, last_seen_at=timezone.now())
    stale = ChargePointFactory(charge_point_id="CP-STALE", owner=owner, is_online=True,
                               last_seen_at=timezone.now() - limit - timedelta(seconds=5))
    edge = ChargePointFactory(charge_point_id="CP-EDGE", owner=owner,
                              last_seen_at=timezone.now() - limit + timedelta(seconds=30))
    response = client_for(owner).get(LIST)
    timeouts = {cp.charge_point_id: cp.in_timeout for cp in response.context["table"].page.object_list.data}
    assert timeouts == {"CP-HOME": True, "CP-GROUP": True,  # never heard from
                        fresh.charge_point_id: False, stale.charge_point_id: True, edge.charge_point_id: False}
    html = response.content.decode()
    assert html.count('data-timeout="1"') == 3 and html.count('data-timeout="0"') == 2
