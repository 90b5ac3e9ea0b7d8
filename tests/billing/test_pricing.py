"""The pricing engine by worked examples (TAR-1, TAR-3): every number here is computed by hand."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal as D

from billing.pricing import (
    Period,
    SessionFacts,
    TariffSnapshot,
    energy_ended_at,
    price_session,
    segments,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday 2026-03-02, 10:00 in Berlin


def facts(start, end, wh, *, ended=None, stopped=None, samples=None):
    ended = ended or end
    return SessionFacts(started_at=start, charging_ended_at=ended, stopped_at=stopped or end,
                        samples=samples if samples is not None else [(start, 0), (ended, wh)])


def kinds(breakdown):
    return [(line.kind, line.amount) for line in breakdown.lines]


def assert_total_is_sum(breakdown):
    assert breakdown.total == sum(line.amount for line in breakdown.lines)


def test_seed_example_35_13_kwh_at_0_30_eur():
    # The seed's session: meter 4854801 → 4889931 Wh over 185 min, 35,13 kWh * 0,30 € = 10,54 €.
    tariff = TariffSnapshot(currency="EUR", price_per_kwh=D("0.30"))
    end = T0 + timedelta(minutes=185)
    result = price_session(tariff, facts(T0, end, 0, samples=[(T0, 4854801), (end, 4889931)]))
    (line,) = result.lines
    assert (line.kind, line.quantity, line.unit_price, line.amount) == ("energy", D("35.13"), D("0.30"), D("10.54"))
    assert result.total == D("10.54") and result.currency == "EUR"


def test_connection_fee_is_added_once():
    tariff = TariffSnapshot(currency="EUR", price_per_kwh=D("0.30"), connection_fee=D("1.00"))
    result = price_session(tariff, facts(T0, T0 + timedelta(hours=2), 35130))
    assert kinds(result) == [("energy", D("10.54")), ("connection", D("1.00"))]
    assert result.total == D("11.54")


def test_time_fee_per_hour_of_charging():
    # 185 min = 3.08333… h × 2.00 = 6.1666… → 6.17; plugged in 30 min longer: no time fee for those.
    tariff = TariffSnapshot(currency="EUR", time_fee_per_hour=D("2.00"))
    end = T0 + timedelta(minutes=185)
    result = price_session(tariff, facts(T0, end, 1000, stopped=end + timedelta(minutes=30)))
    (line,) = result.lines
    assert line.kind == "time" and line.amount == D("6.17")
    assert line.quantity == D(185) / D(60)


def test_parking_fee_after_the_grace_period():
    # Charging ends 11:00, grace 30 min, plug-out 12:15: 45 min parked × 6.00/h = 4.50.
    tariff = TariffSnapshot(currency="EUR", price_per_kwh=D("0.30"), parking_fee_per_hour=D("6.00"),
                            parking_grace_minutes=30)
    ended = T0 + timedelta(hours=2)
    result = price_session(tariff, facts(T0, ended, 10000, stopped=ended + timedelta(minutes=75)))
    assert kinds(result) == [("energy", D("3.00")), ("parking", D("4.50"))]
    assert result.lines[1].quantity == D("0.75")
    assert result.total == D("7.50")
    # Leaving within the grace period costs nothing extra.
    within = price_session(tariff, facts(T0, ended, 10000, stopped=ended + timedelta(minutes=30)))
    assert kinds(within) == [("energy", D("3.00"))]


def test_minimum_per_session_is_an_explicit_top_up_line():
    tariff = TariffSnapshot(currency="EUR", price_per_kwh=D("0.30"), min_price=D("5.00"))
    result = price_session(tariff, facts(T0, T0 + timedelta(hours=1), 2000))  # 0.60
    assert kinds(result) == [("energy", D("0.60")), ("minimum", D("4.40"))]
    assert result.subtotal == D("0.60") and result.total == D("5.00")
    assert_total_is_sum(result)


def test_maximum_per_session_is_an_explicit_reduction_line():
    tariff = TariffSnapshot(currency="EUR", price_per_kwh=D("0.30"), connection_fee=D("1.00"), max_price=D("10.00"))
    result = price_session(tariff, facts(T0, T0 + timedelta(hours=3), 35130))  # 10.54 + 1.00
    assert kinds(result) == [("energy", D("10.54")), ("connection", D("1.00")), ("maximum", D("-1.54"))]
    assert result.subtotal == D("11.54") and result.total == D("10.00")
    assert_total_is_sum(result)
    # Between the two: no adjustment.
    both = TariffSnapshot(currency="EUR", price_per_kwh=D("0.30"), min_price=D("1"), max_price=D("20"))
    assert kinds(price_session(both, facts(T0, T0 + timedelta(hours=3), 35130))) == [("energy", D("10.54"))]


def test_time_of_use_split_across_18_00_by_hand():
    # Berlin, Monday. Base 0.30/kWh and 1.00/h; weekdays 18:00–22:00: 0.45/kWh and 3.00/h.
    # Register (local time): 17:00 0 Wh, 17:40 8000, 18:30 18000, 19:00 21000.
    # 17:40–18:30 carries 10000 Wh over 50 min, 20 of them before 18:00: 4000 Wh base, 6000 peak.
    # Energy: base 8000 + 4000 = 12 kWh × 0.30 = 3.60; peak 6000 + 3000 = 9 kWh × 0.45 = 4.05.
    # Time: 17:00–18:00 1 h × 1.00 = 1.00; 18:00–19:00 1 h × 3.00 = 3.00. Total 11.65.
    peak = Period(weekdays="01234", start=time(18), end=time(22), price_per_kwh=D("0.45"), time_fee_per_hour=D("3"))
    tariff = TariffSnapshot(currency="EUR", price_per_kwh=D("0.30"), time_fee_per_hour=D("1.00"), periods=(peak,),
                            time_zone="Europe/Berlin")
    start = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 17:00 CET
    samples = [(start, 0), (start + timedelta(minutes=40), 8000), (start + timedelta(minutes=90), 18000),
               (start + timedelta(hours=2), 21000)]
    result = price_session(tariff, facts(start, start + timedelta(hours=2), 0, samples=samples))
    assert [(line.kind, line.quantity, line.unit_price, line.amount, line.periods) for line in result.lines] == [
        ("energy", D(12), D("0.30"), D("3.60"), (None,)),
        ("energy", D(9), D("0.45"), D("4.05"), (0,)),
        ("time", D(1), D("1.00"), D("1.00"), (None,)),
        ("time", D(1), D(3), D("3.00"), (0,)),
    ]
    assert result.total == D("11.65")
    # The same evening on a Saturday is all base price: 21 kWh × 0.30 + 2 h × 1.00.
    saturday = [(at + timedelta(days=5), wh) for at, wh in samples]
    weekend = price_session(tariff, facts(saturday[0][0], saturday[-1][0], 0, samples=saturday))
    assert kinds(weekend) == [("energy", D("6.30")), ("time", D("2.00"))]


def test_lines_group_periods_with_the_same_price():
    # Two periods at one price make one energy line naming both.
    morning = Period("0123456", time(6), time(7), D("0.20"))
    evening = Period("0123456", time(8), time(9), D("0.20"))
    tariff = TariffSnapshot(currency="EUR", price_per_kwh=D("0.30"), periods=(morning, evening), time_zone="UTC")
    start = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    result = price_session(tariff, facts(start, start + timedelta(hours=3), 3000))  # 1 kWh per hour
    assert [(line.quantity, line.unit_price, line.periods) for line in result.lines] == [
        (D(2), D("0.20"), (0, 1)), (D(1), D("0.30"), (None,))]


def test_period_until_midnight_and_weekdays():
    night = Period(weekdays="56", start=time(22), end=time(0), price_per_kwh=D("0.10"))  # weekend nights
    tariff = TariffSnapshot(currency="EUR", price_per_kwh=D("0.30"), periods=(night,), time_zone="Europe/Berlin")
    saturday_2330 = datetime(2026, 3, 7, 22, 30, tzinfo=UTC)  # 23:30 CET
    assert tariff.rate_at(saturday_2330) == (0, D("0.10"), D(0))
    assert tariff.rate_at(saturday_2330 - timedelta(hours=2))[0] is None  # 21:30
    assert tariff.rate_at(datetime(2026, 3, 2, 22, 30, tzinfo=UTC))[0] is None  # a Monday night
    # Sunday 23:00 → Monday 01:00 local: the period ends at midnight.
    spans = segments(tariff, datetime(2026, 3, 8, 22, 0, tzinfo=UTC), datetime(2026, 3, 9, 0, 0, tzinfo=UTC))
    assert [(s.start.hour, s.end.hour, s.period) for s in spans] == [(22, 23, 0), (23, 0, None)]


def test_spring_forward_hour_does_not_exist():
    # 2026-03-29 in Berlin has 23 hours; a period 02:00–03:00 never happens that day.
    night = Period("0123456", time(2), time(3), D("9.99"), D("9.99"))
    tariff = TariffSnapshot(currency="EUR", price_per_kwh=D("0.30"), time_fee_per_hour=D("1.00"), periods=(night,),
                            time_zone="Europe/Berlin")
    start = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # 00:00 CET
    end = datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # 00:00 CEST the next day
    result = price_session(tariff, facts(start, end, 23000))
    assert kinds(result) == [("energy", D("6.90")), ("time", D("23.00"))]
    assert [s.period for s in segments(tariff, start, end)] == [None]


def test_fall_back_hour_counts_twice():
    # 2026-10-25 in Berlin has 25 hours; 02:00–03:00 happens twice: two real hours in the period.
    night = Period("0123456", time(2), time(3), D("0.10"), D("0.50"))
    tariff = TariffSnapshot(currency="EUR", price_per_kwh=D("0.30"), time_fee_per_hour=D("1.00"), periods=(night,),
                            time_zone="Europe/Berlin")
    start = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # 00:00 CEST
    end = datetime(2026, 10, 25, 23, 0, tzinfo=UTC)  # 00:00 CET the next day
    result = price_session(tariff, facts(start, end, 25000))  # 1 kWh per real hour
    assert [(line.kind, line.quantity, line.amount) for line in result.lines] == [
        ("energy", D(23), D("6.90")), ("energy", D(2), D("0.20")), ("time", D(23), D("23.00")),
        ("time", D(2), D("1.00"))]
    night_spans = [s for s in segments(tariff, start, end) if s.period == 0]
    assert [(s.start, s.end) for s in night_spans] == [
        (datetime(2026, 10, 25, 0, 0, tzinfo=UTC), datetime(2026, 10, 25, 2, 0, tzinfo=UTC))]


def test_half_up_rounding_and_jpy():
    # 0.5 kWh × 0.25 = 0.125 → 0.13 (half-up, not half-even).
    eur = TariffSnapshot(currency="EUR", price_per_kwh=D("0.25"))
    assert price_session(eur, facts(T0, T0 + timedelta(hours=1), 500)).total == D("0.13")
    # Yen have no minor unit: 35.13 kWh × 35 = 1229.55 → 1230; 0.5 h × 25 = 12.5 → 13.
    jpy = TariffSnapshot(currency="JPY", price_per_kwh=D("35"), time_fee_per_hour=D("25"), connection_fee=D("100"))
    result = price_session(jpy, facts(T0, T0 + timedelta(minutes=30), 35130))
    assert kinds(result) == [("energy", D("1230")), ("time", D("13")), ("connection", D("100"))]
    assert result.total == D("1343") and result.total.as_tuple().exponent == 0


def test_without_samples_energy_is_spread_over_the_charging_time():
    peak = Period("0123456", time(12), time(0), D("0.50"))
    tariff = TariffSnapshot(currency="EUR", price_per_kwh=D("0.30"), periods=(peak,), time_zone="UTC")
    start, end = datetime(2026, 3, 2, 10, 0, tzinfo=UTC), datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    legacy = SessionFacts(started_at=start, charging_ended_at=end, stopped_at=end, energy_wh=8000)
    sampled = facts(start, end, 8000)
    assert price_session(tariff, legacy) == price_session(tariff, sampled)
    assert kinds(price_session(tariff, legacy)) == [("energy", D("1.20")), ("energy", D("2.00"))]


def test_a_register_going_down_never_gives_negative_energy():
    tariff = TariffSnapshot(currency="EUR", price_per_kwh=D("0.30"))
    samples = [(T0, 1000), (T0 + timedelta(minutes=10), 5000), (T0 + timedelta(minutes=20), 200),
               (T0 + timedelta(minutes=30), 6000)]
    result = price_session(tariff, facts(T0, T0 + timedelta(minutes=30), 0, samples=samples))
    assert kinds(result) == [("energy", D("1.50"))]  # 5 kWh: the running maximum


def test_readings_at_one_instant_use_that_instants_price():
    peak = Period("0123456", time(10), time(11), D("0.50"))
    tariff = TariffSnapshot(currency="EUR", price_per_kwh=D("0.30"), periods=(peak,), time_zone="UTC")
    at = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    result = price_session(tariff, facts(at, at, 0, samples=[(at, 0), (at, 2000)]))
    assert kinds(result) == [("energy", D("1.00"))]


def test_energy_ended_at_is_the_first_sample_with_the_final_reading():
    samples = [(T0, 100), (T0 + timedelta(hours=1), 900), (T0 + timedelta(hours=2), 1500),
               (T0 + timedelta(hours=3), 1500)]
    assert energy_ended_at(samples) == T0 + timedelta(hours=2)
    assert energy_ended_at([(T0, 5), (T0 + timedelta(hours=1), 5)]) == T0
    assert energy_ended_at([]) is None


def test_snapshot_round_trip_and_old_snapshots_still_load():
    old = {"currency": "EUR", "name": "Standard", "price_per_kwh": "0.3000", "connection_fee": "1.0000",
           "time_fee_per_hour": "0.0000", "parking_fee_per_hour": "0.0000", "parking_grace_minutes": 0,
           "min_price": None, "max_price": None}
    snapshot = TariffSnapshot.from_dict(old)
    assert snapshot.periods == () and snapshot.time_zone == "UTC" and snapshot.price_per_kwh == D("0.30")
    assert price_session(snapshot, facts(T0, T0 + timedelta(hours=3), 35130)).total == D("11.54")
    rich = TariffSnapshot(
        currency="EUR", price_per_kwh=D("0.30"), min_price=D("2.00"), time_zone="Europe/Berlin",
        periods=(Period("01234", time(18), time(0), D("0.45"), None), Period("56", time(7, 30), time(9), D("0.2"),
                                                                               D("1.5"))),
    )
    assert TariffSnapshot.from_dict(rich.to_dict()) == rich


def test_an_unknown_time_zone_falls_back_to_utc():
    peak = Period("0123456", time(10), time(11), D("0.50"))
    tariff = TariffSnapshot(currency="EUR", price_per_kwh=D("0.30"), periods=(peak,), time_zone="Mars/Olympus")
    assert tariff.rate_at(datetime(2026, 3, 2, 10, 30, tzinfo=UTC))[0] == 0


def test_breakdown_to_dict_is_json_ready():
    tariff = TariffSnapshot(currency="EUR", price_per_kwh=D("0.30"), connection_fee=D("1.00"))
    data = price_session(tariff, facts(T0, T0 + timedelta(hours=3), 35130)).to_dict()
    assert data == {"currency": "EUR", "total": "11.54", "subtotal": "11.54", "lines": [
        {"kind": "energy", "quantity": "35.130000", "unit_price": "0.30", "amount": "10.54", "periods": [None]},
        {"kind": "connection", "quantity": "1.000000", "unit_price": "1.00", "amount": "1.00", "periods": []}]}


def test_a_period_ending_inside_the_changed_hour():
    # A period 00:00–02:30: on the spring day it ends with the jump at 02:00 CET (2 h); on the
    # fall day it runs 00:00–02:30 CEST and again 02:00–02:30 CET (3 h).
    early = Period("0123456", time(0), time(2, 30), D("0.10"))
    tariff = TariffSnapshot(currency="EUR", price_per_kwh=D("0.30"), periods=(early,), time_zone="Europe/Berlin")
    for midnight, hours, expected in (
        (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), 23, [(datetime(2026, 3, 28, 23, 0, tzinfo=UTC), 2)]),
        (datetime(2026, 10, 24, 22, 0, tzinfo=UTC), 25, [(datetime(2026, 10, 24, 22, 0, tzinfo=UTC), 2.5),
                                                        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 0.5)]),
    ):
        spans = [s for s in segments(tariff, midnight, midnight + timedelta(hours=hours)) if s.period == 0]
        assert [(s.start, (s.end - s.start) / timedelta(hours=1)) for s in spans] == expected
