"""Invariants of the pricing engine, by property (TAR-3): no negative totals, additivity across
time-of-use boundaries, DST days, rounding within half a minor unit per line, zero-decimal
currencies."""

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal as D
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from billing.pricing import Period, SessionFacts, TariffSnapshot, price_session, segments
from wccportal.lib.money import quantum

FAST = settings(max_examples=200, deadline=None)
BERLIN = "Europe/Berlin"

prices = st.decimals(min_value=D(0), max_value=D(3), places=4)
positive_prices = st.decimals(min_value=D("0.0001"), max_value=D(3), places=4)
currencies = st.sampled_from(["EUR", "JPY", "GBP"])
walls = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
weekdays = st.sets(st.sampled_from("0123456"), min_size=1).map(lambda days: "".join(sorted(days)))
instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31),
                        timezones=st.just(UTC))


@st.composite
def periods(draw, fee=prices, *, max_size=3, wall=walls, days=weekdays):
    result = []
    for _ in range(draw(st.integers(0, max_size))):
        start, end = sorted(draw(st.lists(wall, min_size=2, max_size=2)))
        if draw(st.booleans()):
            end = time(0)  # until midnight
        result.append(Period(draw(days), start, end, draw(fee), draw(st.none() | fee)))
    return tuple(result)


@st.composite
def tariffs(draw, price=prices, *, zone=BERLIN, with_limits=True, wall=walls, days=weekdays):
    low = draw(st.none() | prices) if with_limits else None
    high = draw(st.none() | prices) if with_limits else None
    return TariffSnapshot(
        currency=draw(currencies), price_per_kwh=draw(price), time_fee_per_hour=draw(price),
        connection_fee=draw(prices) if with_limits else D(0),
        parking_fee_per_hour=draw(prices) if with_limits else D(0),
        parking_grace_minutes=draw(st.integers(0, 60)), min_price=low, max_price=high,
        periods=draw(periods(price, wall=wall, days=days)), time_zone=zone,
    )


@st.composite
def sessions(draw, start=instants):
    """A session with a register that mostly rises (and sometimes glitches down)."""
    begin = draw(start)
    at, wh, samples = begin, draw(st.integers(0, 10**7)), []
    samples.append((at, wh))
    for _ in range(draw(st.integers(0, 12))):
        at += timedelta(seconds=draw(st.integers(0, 3 * 3600)))
        wh = max(0, wh + draw(st.integers(-500, 20000)))
        samples.append((at, wh))
    ended = at
    stopped = ended + timedelta(seconds=draw(st.integers(0, 6 * 3600)))
    return SessionFacts(started_at=begin, charging_ended_at=ended, stopped_at=stopped, samples=samples)


def within_half_a_minor_unit(line, currency):
    return abs(line.amount - line.quantity * line.unit_price) <= quantum(currency) / 2


@FAST
@given(tariffs(), sessions())
def test_non_negative_prices_never_give_a_negative_total(tariff, facts):
    result = price_session(tariff, facts)
    assert result.total >= 0
    assert result.total == sum(line.amount for line in result.lines)
    assert all(line.amount >= 0 for line in result.lines if line.kind != "maximum")
    assert all(line.quantity > 0 for line in result.lines)
    assert result.total == result.total.quantize(quantum(tariff.currency))


@FAST
@given(tariffs(), sessions())
def test_every_line_is_rounded_to_within_half_a_minor_unit(tariff, facts):
    result = price_session(tariff, facts)
    for line in result.lines:
        assert line.amount == line.amount.quantize(quantum(tariff.currency))
        assert within_half_a_minor_unit(line, tariff.currency)


@FAST
@given(tariffs(with_limits=False), instants, st.integers(60, 48 * 3600), st.integers(0, 10**6), st.data())
def test_pricing_is_additive_across_a_time_of_use_boundary(tariff, start, seconds, wh, data):
    end = start + timedelta(seconds=seconds)
    spans = segments(tariff, start, end)
    cuts = [s.start for s in spans[1:]] or [start + (end - start) / 2]
    cut = data.draw(st.sampled_from(cuts))
    # The register rises linearly; the two parts meet at the cut with the interpolated reading.
    at_cut = D(wh) * D((cut - start) // timedelta(microseconds=1)) / D((end - start) // timedelta(microseconds=1))

    def price(a, b, wa, wb):
        return price_session(tariff, SessionFacts(started_at=a, charging_ended_at=b, stopped_at=b,
                                                  samples=[(a, wa), (b, wb)]))

    whole, first, second = price(start, end, 0, wh), price(start, cut, 0, at_cut), price(cut, end, at_cut, wh)
    lines = len(whole.lines) + len(first.lines) + len(second.lines)
    assert abs(whole.total - first.total - second.total) <= quantum(tariff.currency) / 2 * lines
    # The exact quantities add up: per kind and per unit price.
    for kind in ("energy", "time"):
        def quantities(result, kind=kind):
            out = {}
            for line in result.lines:
                if line.kind == kind:
                    out[line.unit_price.normalize()] = out.get(line.unit_price.normalize(), 0) + line.quantity
            return out

        parts = quantities(first)
        for price_, quantity in quantities(second).items():
            parts[price_] = parts.get(price_, 0) + quantity
        assert set(parts) == set(quantities(whole))
        assert all(abs(parts[p] - q) < D("1e-15") for p, q in quantities(whole).items())


dst_days = st.sampled_from([(datetime(2026, 3, 28, 20, tzinfo=UTC), 23), (datetime(2026, 10, 24, 20, tzinfo=UTC), 25)])


@FAST
@given(tariffs(positive_prices, with_limits=False), dst_days, st.integers(0, 4 * 3600), st.integers(0, 10 * 3600))
def test_dst_days_price_real_elapsed_hours(tariff, day, before, after):
    # From about 2 h before the local midnight before a DST change (it happens at 01:00 UTC) to
    # about 4 h after the next midnight.
    day_start, day_hours = day
    start = day_start + timedelta(seconds=before)
    end = day_start + timedelta(hours=day_hours + 8) - timedelta(seconds=after)
    hours = D((end - start) // timedelta(microseconds=1)) / D(3_600_000_000)
    spans = segments(tariff, start, end)
    assert spans[0].start == start and spans[-1].end == end
    assert all(a.end == b.start and a.start < a.end for a, b in pairwise(spans))
    result = price_session(tariff, SessionFacts(started_at=start, charging_ended_at=end, stopped_at=end,
                                                samples=[(start, 0), (end, 1000 * int(hours * 10))]))
    priced = sum(line.quantity for line in result.lines if line.kind == "time")
    assert abs(priced - hours) < D("1e-20")
    assert abs(sum(line.quantity for line in result.lines if line.kind == "energy") - int(hours * 10)) < D("1e-20")


@FAST
@given(st.sampled_from([(datetime(2026, 3, 28, 23, tzinfo=UTC), 23), (datetime(2026, 10, 24, 22, tzinfo=UTC), 25)]),
       positive_prices, positive_prices)
def test_a_whole_dst_day_has_its_real_length_in_each_period(day, base, night):
    # Periods covering the whole local day, split at 02:00 and 03:00: the 02:00–03:00 one lasts
    # no time on the 23-hour day and two hours on the 25-hour day.
    local_midnight, day_hours = day
    parts = (Period("0123456", time(0), time(2), base), Period("0123456", time(2), time(3), night, night),
             Period("0123456", time(3), time(0), base))
    tariff = TariffSnapshot(currency="EUR", time_fee_per_hour=base, periods=parts, time_zone=BERLIN)
    spans = segments(tariff, local_midnight, local_midnight + timedelta(hours=day_hours))
    length = {index: sum((s.end - s.start for s in spans if s.period == index), timedelta())
              for index in range(3)}
    assert length == {0: timedelta(hours=2), 1: timedelta(hours=day_hours - 23), 2: timedelta(hours=21)}


@FAST
@given(tariffs(price=st.integers(0, 500).map(D)), sessions())
def test_jpy_amounts_have_no_minor_unit(tariff, facts):
    tariff = replace(tariff, currency="JPY")
    result = price_session(tariff, facts)
    assert all(line.amount == line.amount.to_integral_value() for line in result.lines)
    assert all(within_half_a_minor_unit(line, "JPY") for line in result.lines if line.kind in ("energy", "time"))
    assert result.total == sum(line.amount for line in result.lines) and result.total >= 0


# Wall times around the changed hour (01:00–03:45), so periods often start or end inside it.
night_walls = st.builds(time, st.sampled_from([1, 2, 3]), st.sampled_from([0, 15, 30, 45]))
changes = st.sampled_from([datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)])


@FAST
@given(tariffs(with_limits=False, wall=night_walls, days=st.just("0123456") | weekdays), changes,
       st.integers(0, 15 * 60 * 10**6 - 1))
def test_segments_agree_with_the_price_at_every_instant(tariff, change, jitter):
    # Periods start and end on quarter hours and Berlin changes its offset on a whole hour, so
    # the price is constant within each quarter hour: checking one instant in each of them
    # checks every instant. A day on each side of the DST change (01:00 UTC).
    start, end = change - timedelta(hours=26), change + timedelta(hours=26)
    spans = segments(tariff, start, end)
    assert spans[0].start == start and spans[-1].end == end
    assert all(a.end == b.start and a.start < a.end for a, b in pairwise(spans))
    for quarter in range(52 * 4):
        at = start + timedelta(minutes=15 * quarter, microseconds=jitter)
        (span,) = [s for s in spans if s.start <= at < s.end]
        assert (span.period, span.price_per_kwh, span.time_fee_per_hour) == tariff.rate_at(at)
