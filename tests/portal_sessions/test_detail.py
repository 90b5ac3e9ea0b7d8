"""SES-8: a session's detail page, and who may open it."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import MeterValue, SessionEvent

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_detail_shows_everything(client, owner, sessions_world):
    session = sessions_world["member_mar"]
    type(session).objects.filter(pk=session.pk).update(vehicle_mileage_km=4200, vehicle_id="B-EV 1", note="Fleet")
    SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.ERROR, at=session.started_at,
                                detail="GroundFailure")
    client.force_login(owner)
    response = client.get(reverse("portal:session_detail", args=[session.pk]))
    assert response.status_code == 200
    page = text(response)
    for expected in ('data-testid="detail-charger">Residence', "CP-GROUP",
                     f'data-testid="detail-transaction">{session.pk}<',
                     "MEMBER1", "10.00 kWh", "1000 Wh", "11000 Wh", "4200 km", "B-EV 1", "Fleet",
                     "Vehicle disconnected", '10 kWh × 0.30 EUR/kWh = <span class="fw-semibold text-nowrap">3.00 EUR',
                     'data-testid="cost-total">4.00 EUR',
                     "GroundFailure", 'id="power-chart"', "Energy.Active.Import.Register", "Power.Active.Import"):
        assert expected in page, expected
    assert page.count('data-testid="meter-row"') == 2
    assert 'data-testid="logbook-link"' in page  # the owner manages the charger


def test_meter_values_are_paginated(client, owner, sessions_world):
    session = sessions_world["owner_mar"]
    start = session.started_at
    MeterValue.objects.bulk_create([
        MeterValue(charge_point=session.charge_point, connector_id=1, session=session,
                   timestamp=start + timezone.timedelta(seconds=i), measurand="Voltage", value=230 + i % 3, unit="V")
        for i in range(40)])
    client.force_login(owner)
    url = reverse("portal:session_detail", args=[session.pk])
    assert text(client.get(url)).count('data-testid="meter-row"') == 25
    assert text(client.get(url, {"page": 2})).count('data-testid="meter-row"') == 42 - 25


@pytest.mark.parametrize(("persona", "visible"), [
    ("owner", {"owner_mar", "guest_mar", "member_mar", "active"}),
    ("member", {"member_mar"}),
    ("guest", {"guest_mar"}),
    ("outsider", {"org"}),
    ("operator", {"org"}),
    ("staff", {"owner_mar", "guest_mar", "member_mar", "org", "active"}),
])
def test_detail_access_matrix(client, personas, sessions_world, persona, visible):
    client.force_login(personas[persona])
    for key in ("owner_mar", "guest_mar", "member_mar", "org", "active"):
        status = client.get(reverse("portal:session_detail", args=[sessions_world[key].pk])).status_code
        assert status == (200 if key in visible else 404), (persona, key)


def test_unknown_session_is_404(client, owner, sessions_world):
    client.force_login(owner)
    assert client.get(reverse("portal:session_detail", args=[999999])).status_code == 404


def test_active_session_offers_stop_to_its_manager_only(client, owner, member, sessions_world):
    client.force_login(owner)
    url = reverse("portal:session_detail", args=[sessions_world["active"].pk])
    assert 'data-testid="stop-confirm"' in client.get(url).content.decode()
    client.force_login(member)
    page = client.get(reverse("portal:session_detail", args=[sessions_world["member_mar"].pk])).content.decode()
    assert 'data-testid="stop-button"' not in page and 'data-testid="logbook-link"' not in page
