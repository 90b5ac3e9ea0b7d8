"""TAR-2 preview: the breakdown of an example session, by the engine that prices sessions."""

from datetime import UTC, datetime, time
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from groups import tariffs
from groups.models import GroupCharger
from tests.factories.chargers import ChargePointFactory
from tests.factories.groups import GroupFactory
from wccportal.errors import DomainError

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def lines(preview):
    return [(line.kind, line.quantity, line.unit_price, line.amount) for line in preview.lines]


def test_the_seeds_example(owner):
    """35.13 kWh × 0.30 EUR = 10.54 EUR, plus the connection fee."""
    tariff = tariffs.tariff_create(owner=owner, name="Home", currency="EUR", price_per_kwh=D("0.30"),
                                   connection_fee=D("1.00"))
    preview = tariffs.tariff_preview(tariff=tariff, energy_kwh=D("35.13"), started_at=datetime(2026, 3, 2, 9),
                                     duration_minutes=120, parked_minutes=0)
    assert lines(preview) == [("energy", D("35.13"), D("0.3000"), D("10.54")),
                              ("connection", D(1), D("1.0000"), D("1.00"))]
    assert preview.total == D("11.54") and preview.total_display == "11.54 EUR"
    energy = preview.lines[0]
    assert (energy.quantity_display, energy.unit_price_display, energy.amount_display) == (
        "35.13 kWh", "0.30 EUR/kWh", "10.54 EUR")
    assert preview.lines[1].label == "Connection fee"
    assert preview.time_zone == "Europe/Berlin"  # settings.TIME_ZONE: no group uses it
    assert preview.started_at == datetime(2026, 3, 2, 9, tzinfo=BERLIN)


def test_a_session_across_a_time_of_use_boundary(peak_tariff):
    """Monday 17:00–19:00 Berlin, 16 kWh evenly: 8 kWh at 0.30 before 18:00, 8 kWh at 0.40 after;
    the peak's time fee (2.00 EUR/h) for the hour after 18:00, the base one (0) before."""
    preview = tariffs.tariff_preview(tariff=peak_tariff, energy_kwh=16, started_at=datetime(2026, 3, 2, 17),
                                     duration_minutes=120, time_zone="Europe/Berlin")
    assert lines(preview) == [
        ("energy", D(8), D("0.3000"), D("2.40")),
        ("energy", D(8), D("0.4000"), D("3.20")),
        ("time", D(1), D("2.0000"), D("2.00")),
        ("connection", D(1), D("1.0000"), D("1.00")),
    ]
    assert preview.total == D("8.60")
    assert preview.lines[1].detail == "Mon–Fri 18:00–22:00"
    assert preview.lines[0].detail == "outside the periods"


def test_the_periods_are_read_in_the_time_zone(peak_tariff):
    """17:00 UTC is 18:00 in Berlin (winter): all peak; in London it is before the peak."""
    at = datetime(2026, 3, 2, 17, tzinfo=UTC)
    berlin = tariffs.tariff_preview(tariff=peak_tariff, energy_kwh=10, started_at=at, duration_minutes=60,
                                    time_zone="Europe/Berlin")
    london = tariffs.tariff_preview(tariff=peak_tariff, energy_kwh=10, started_at=at, duration_minutes=60,
                                    time_zone="Europe/London")
    assert berlin.breakdown.amount("energy") == D("4.00")
    assert london.breakdown.amount("energy") == D("3.00")


def test_default_zone_is_a_chargers_of_the_first_group_using_it(owner, peak_tariff):
    b = GroupFactory(owner=owner, name="B", tariff=peak_tariff)
    GroupFactory(owner=owner, name="A", tariff=peak_tariff)  # no charger
    GroupCharger.objects.create(group=b, charge_point=ChargePointFactory(owner=owner, time_zone="America/New_York"))
    assert tariffs.tariff_time_zone(peak_tariff).key == "America/New_York"
    preview = tariffs.tariff_preview(tariff=peak_tariff, energy_kwh=1, started_at=datetime(2026, 3, 2, 18),
                                     duration_minutes=60)
    assert preview.time_zone == "America/New_York"
    assert preview.lines[0].unit_price == D("0.40")  # 18:00 in New York: the peak


def test_parking_after_the_grace_period_and_the_limits(owner):
    tariff = tariffs.tariff_create(owner=owner, name="Car park", currency="EUR", price_per_kwh=D("0.25"),
                                   parking_fee_per_hour=D("3.00"), parking_grace_minutes=30, max_price=D("5"))
    preview = tariffs.tariff_preview(tariff=tariff, energy_kwh=10, started_at=datetime(2026, 3, 2, 9),
                                     duration_minutes=60, parked_minutes=90)
    assert lines(preview) == [
        ("energy", D(10), D("0.2500"), D("2.50")),
        ("parking", D(1), D("3.0000"), D("3.00")),
        ("maximum", D(1), D("-0.50"), D("-0.50")),
    ]
    assert preview.subtotal == D("5.50") and preview.total == D("5.00")
    assert preview.lines[1].detail == "after 30 minutes of grace"

    tariffs.tariff_update(tariff=tariff, max_price=None, min_price=D("4"))
    small = tariffs.tariff_preview(tariff=tariff, energy_kwh=1, started_at=datetime(2026, 3, 2, 9),
                                   duration_minutes=10)
    assert small.total == D("4.00") and small.lines[-1].kind == "minimum"


def test_an_unsaved_draft_can_be_previewed(owner):
    draft, periods = tariffs.tariff_build(owner=owner, name="Draft", currency="JPY", price_per_kwh=D("30"),
                                          periods=[{"weekdays": "0123456", "start_time": time(0),
                                                    "end_time": time(6), "price_per_kwh": D("20")}])
    preview = tariffs.tariff_preview(tariff=draft, periods=periods, energy_kwh=D("10.5"),
                                     started_at=datetime(2026, 3, 2, 5), duration_minutes=120)
    assert lines(preview) == [("energy", D("5.25"), D("20"), D(105)), ("energy", D("5.25"), D("30"), D(158))]
    assert preview.total_display == "263 JPY" and preview.lines[0].unit_price_display == "20 JPY/kWh"
    assert draft.pk is None


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"energy_kwh": -1}, "energy_kwh"),
    ({"energy_kwh": "lots"}, "energy_kwh"),
    ({"energy_kwh": 100000}, "energy_kwh"),
    ({"duration_minutes": -5}, "duration_minutes"),
    ({"parked_minutes": 10**6}, "parked_minutes"),
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
])
def test_bad_preview_input(peak_tariff, kwargs, field):
    with pytest.raises(DomainError) as exc:
        tariffs.tariff_preview(tariff=peak_tariff, **{"energy_kwh": 1, "started_at": datetime(2026, 3, 2, 9),
                                                      "duration_minutes": 60, **kwargs})
    assert exc.value.code == "invalid_preview" and field in exc.value.fields


@pytest.mark.parametrize(("amount", "currency", "text"), [
    (D("0.3"), "EUR", "0.30 EUR"), (D("0.2875"), "EUR", "0.2875 EUR"), (D("1.0000"), "EUR", "1.00 EUR"),
    (D("12"), "JPY", "12 JPY"), (D("12.5"), "JPY", "12.5 JPY"), (None, "EUR", "–"),
])
def test_unit_prices_are_shown_as_entered(amount, currency, text):
    assert tariffs.format_price(amount, currency) == text
