"""TAR-1 rules of a tariff, each with its error code: amounts, currency, limits, periods."""

from datetime import time
from decimal import Decimal as D

import pytest

from groups import tariffs
from groups.models import Tariff, TariffPeriod
from wccportal.errors import DomainError

pytestmark = pytest.mark.django_db


def period(**overrides):
    return {"weekdays": "01234", "start_time": time(18), "end_time": time(22), "price_per_kwh": D("0.40"),
            **overrides}


def create(owner, **fields):
    return tariffs.tariff_create(owner=owner, **{"name": "T", "price_per_kwh": D("0.30"), **fields})


def error_of(owner, **fields) -> DomainError:
    with pytest.raises(DomainError) as exc:
        create(owner, **fields)
    assert Tariff.objects.count() == 0 and TariffPeriod.objects.count() == 0  # nothing half-written
    return exc.value


def test_a_full_tariff_is_created_with_its_periods(owner):
    tariff = create(owner, currency="chf", connection_fee="1.5", time_fee_per_hour=D("0.1234"),
                    parking_fee_per_hour=D("3"), parking_grace_minutes=30, min_price=D("2"), max_price=D("50.00"),
                    periods=[period(), period(weekdays=["5", "6"], start_time="00:00", end_time="00:00",
                                              price_per_kwh="0.2", time_fee_per_hour=None)])
    tariff.refresh_from_db()
    assert tariff.owner == owner and tariff.currency == "CHF"
    assert (tariff.connection_fee, tariff.time_fee_per_hour, tariff.min_price) == (D("1.5"), D("0.1234"), D("2"))
    assert [(p.weekdays, p.start_time, p.end_time, p.price_per_kwh, p.time_fee_per_hour)
            for p in tariff.periods.order_by("start_time")] == [
        ("56", time(0), time(0), D("0.2"), None), ("01234", time(18), time(22), D("0.40"), None)]


@pytest.mark.parametrize(("fields", "code", "field"), [
    ({"name": "  "}, "required", "name"),
    ({"name": "x" * 101}, "name_too_long", "name"),
    ({"currency": "XYZ"}, "unknown_currency", "currency"),
    ({"currency": ""}, "unknown_currency", "currency"),
    ({"price_per_kwh": D("-0.01")}, "negative_amount", "price_per_kwh"),
    ({"connection_fee": "-1"}, "negative_amount", "connection_fee"),
    ({"time_fee_per_hour": D("-2")}, "negative_amount", "time_fee_per_hour"),
    ({"parking_fee_per_hour": D("-2")}, "negative_amount", "parking_fee_per_hour"),
    ({"min_price": D("-1")}, "negative_amount", "min_price"),
    ({"price_per_kwh": "abc"}, "invalid_amount", "price_per_kwh"),
    ({"price_per_kwh": "NaN"}, "invalid_amount", "price_per_kwh"),
    ({"price_per_kwh": None}, "required", "price_per_kwh"),
    ({"price_per_kwh": D("0.12345")}, "too_precise", "price_per_kwh"),
    ({"max_price": D("10.001")}, "too_precise", "max_price"),
    ({"connection_fee": D("1000000")}, "amount_too_large", "connection_fee"),
    ({"min_price": D("10"), "max_price": D("9.99")}, "min_above_max", "max_price"),
    ({"parking_grace_minutes": -1}, "invalid_grace", "parking_grace_minutes"),
    ({"parking_grace_minutes": "soon"}, "invalid_grace", "parking_grace_minutes"),
    ({"parking_grace_minutes": 24 * 60 + 1}, "invalid_grace", "parking_grace_minutes"),
])
def test_each_rule_has_its_code(owner, fields, code, field):
    exc = error_of(owner, **fields)
    assert exc.code == code
    assert field in exc.fields and exc.fields[field]


def test_trailing_zeros_beyond_four_places_are_not_too_precise(owner):
    assert create(owner, price_per_kwh=D("0.300000")).price_per_kwh == D("0.3")


def test_min_equal_to_max_is_allowed(owner):
    tariff = create(owner, min_price=D("5"), max_price=D("5"))
    assert tariff.min_price == tariff.max_price == D("5")


@pytest.mark.parametrize(("bad", "code", "field"), [
    ({"weekdays": ""}, "invalid_weekdays", "weekdays"),
    ({"weekdays": []}, "invalid_weekdays", "weekdays"),
    ({"weekdays": "017"}, "invalid_weekdays", "weekdays"),
    ({"weekdays": "0a"}, "invalid_weekdays", "weekdays"),
    ({"weekdays": "011"}, "invalid_weekdays", "weekdays"),
    ({"weekdays": ["1", "12"]}, "invalid_weekdays", "weekdays"),
    ({"start_time": time(22), "end_time": time(18)}, "invalid_period_times", "end_time"),
    ({"start_time": time(18), "end_time": time(18)}, "invalid_period_times", "end_time"),
    ({"start_time": "late"}, "invalid_time", "start_time"),
    ({"price_per_kwh": D("-0.1")}, "negative_amount", "price_per_kwh"),
    ({"price_per_kwh": None}, "required", "price_per_kwh"),
    ({"time_fee_per_hour": D("0.00001")}, "too_precise", "time_fee_per_hour"),
])
def test_each_period_rule_has_its_code(owner, bad, code, field):
    exc = error_of(owner, periods=[period(weekdays="56"), period(**bad)])
    assert exc.code == code
    assert list(exc.fields) == [f"periods.1.{field}"]


def test_end_at_midnight_means_the_end_of_the_day(owner):
    tariff = create(owner, periods=[period(start_time=time(22), end_time=time(0))])
    assert tariff.periods.get().end_time == time(0)


@pytest.mark.parametrize(("a", "b"), [
    (("01234", time(18), time(22)), ("4", time(21), time(23))),
    (("0", time(0), time(0)), ("0", time(12), time(13))),  # a whole day and anything
    (("6", time(22), time(0)), ("6", time(23, 30), time(0))),  # both to midnight
    (("3", time(8), time(9)), ("3", time(8), time(9))),
])
def test_periods_may_not_overlap_on_a_shared_weekday(owner, a, b):
    exc = error_of(owner, periods=[
        period(weekdays=a[0], start_time=a[1], end_time=a[2]), period(weekdays=b[0], start_time=b[1], end_time=b[2])])
    assert exc.code == "periods_overlap"
    assert list(exc.fields) == ["periods.1.start_time"]
    assert "period 1" in exc.fields["periods.1.start_time"][0]


def test_touching_periods_and_other_weekdays_do_not_overlap(owner):
    tariff = create(owner, periods=[
        period(weekdays="01234", start_time=time(6), end_time=time(18)),
        period(weekdays="01234", start_time=time(18), end_time=time(0)),
        period(weekdays="56", start_time=time(6), end_time=time(20)),
    ])
    assert tariff.periods.count() == 3


def test_every_problem_is_reported_at_once(owner):
    exc = error_of(owner, name="", currency="ABC", price_per_kwh=D("-1"), periods=[period(weekdays="")])
    assert exc.code == "required"  # the first problem's
    assert set(exc.fields) == {"name", "currency", "price_per_kwh", "periods.0.weekdays"}


def test_floats_are_read_by_their_decimal_text(owner):
    assert create(owner, price_per_kwh=0.1).price_per_kwh == D("0.1")


def test_unknown_fields_are_a_programming_error(owner):
    with pytest.raises(TypeError):
        create(owner, colour="red")
