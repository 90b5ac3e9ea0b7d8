"""Pricing of a charging session (TAR-1, TAR-3): a pure function, Decimal only, no ORM.

Usage (the tariff preview prices an example session the same way)::

    from datetime import UTC, datetime, time, timedelta
    from decimal import Decimal as D
    from billing.pricing import Period, SessionFacts, TariffSnapshot, price_session

    peak = Period(weekdays="01234", start=time(18), end=time(22), price_per_kwh=D("0.40"))
    tariff = TariffSnapshot(currency="EUR", price_per_kwh=D("0.30"), connection_fee=D("1.00"),
                            periods=(peak,), time_zone="Europe/Berlin")
    at = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 17:00 in Berlin, a Monday
    end = at + timedelta(hours=2)
    facts = SessionFacts(started_at=at, charging_ended_at=end, stopped_at=end,
                         samples=[(at, 0), (end, 16000)])  # register Wh; or energy_wh=16000 without samples
    breakdown = price_session(tariff, facts)  # .lines: Line(kind, quantity, unit_price, amount, periods); .total

Rules:

- Energy: the session's energy register samples (timestamp, Wh) are read in time order; the
  energy of each interval between two samples is spread over that interval linearly in time,
  so an interval crossing a time-of-use boundary is split in proportion to time. A register
  that goes down (a glitch) never gives negative energy: the running maximum is priced.
  Without samples the energy is spread linearly from ``started_at`` to ``charging_ended_at``.
- Time of use: a :class:`Period` covers the instants whose local wall time in the site's time
  zone falls on one of its weekdays within [start, end) (end 00:00 = midnight at the end of the
  day). The first period covering an instant gives its prices; outside every period the
  tariff's own prices apply. Lengths are real elapsed time: on a spring-forward day a period
  02:00–03:00 is empty, on a fall-back day it lasts two hours.
- Time fee: per hour of charging (``started_at`` → ``charging_ended_at``), at the price of the
  period each moment falls in (a period without a time fee uses the tariff's).
- Parking fee: per hour from ``charging_ended_at`` + the grace period until ``stopped_at``.
  Sessions take ``charging_ended_at`` from their samples with :func:`energy_ended_at`.
- Lines: one energy line per distinct price per kWh and one time line per distinct time fee
  (``periods`` lists the periods priced in it, ``None`` for the tariff's own price), then the
  connection fee and parking. A line is present only when its quantity and its unit price are
  not zero. Each line's amount is ``quantity × unit_price`` rounded half-up to the currency's
  minor unit (quantities stay exact).
- Total: the sum of the lines. The minimum and maximum per session are applied as explicit
  lines of kind ``minimum`` (the top-up to the minimum) and ``maximum`` (a negative line down to
  the maximum), so the total is always the sum of the lines; ``subtotal`` is the sum before them.
  (A minimum above the maximum: the maximum wins.)
- Instants are aware datetimes (naive ones are read as UTC); a stop before the start counts as
  the start, a charging end outside [start, stop] is held inside it. An unknown time zone is UTC.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from wccportal.lib.money import round_money

HOUR = Decimal(3600)
MICROS_PER_HOUR = Decimal(3_600_000_000)
MIDNIGHT = time(0)
ZERO = Decimal(0)

# Line kinds, in the order the lines come.
ENERGY, TIME, CONNECTION, PARKING, MINIMUM, MAXIMUM = "energy", "time", "connection", "parking", "minimum", "maximum"
KINDS = (ENERGY, TIME, CONNECTION, PARKING, MINIMUM, MAXIMUM)

Sample = tuple[datetime, Decimal | int | float]  # (timestamp, energy register in Wh)


def _dec(value, default: Decimal | None = ZERO) -> Decimal | None:
    if value is None or value == "":
        return default
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _time(value) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))


def zone(name: str | None) -> tzinfo:
    """The site's time zone; UTC when unknown (pricing never fails on a bad zone name)."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _aware(at: datetime) -> datetime:
    """Instants in UTC; a naive datetime is taken as UTC."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """A time-of-use period (TAR-1): other prices on some weekdays between two times of day."""

    weekdays: str  # digits, 0 = Monday … 6 = Sunday
    start: time
    end: time  # 00:00 = midnight at the end of the day; end <= start (other than 00:00) = empty
    price_per_kwh: Decimal
    time_fee_per_hour: Decimal | None = None  # None: the tariff's own time fee

    def covers(self, local: datetime) -> bool:
        """Whether the local wall time ``local`` (in the site's zone) lies in this period."""
        if str(local.weekday()) not in self.weekdays:
            return False
        wall = local.time()
        return self.start <= wall and (self.end == MIDNIGHT or wall < self.end)

    @classmethod
    def from_dict(cls, data: dict) -> Period:
        return cls(
            weekdays=str(data.get("weekdays", "0123456")), start=_time(data["start"]), end=_time(data["end"]),
            price_per_kwh=_dec(data.get("price_per_kwh")),
            time_fee_per_hour=_dec(data.get("time_fee_per_hour"), None),
        )

    def to_dict(self) -> dict:
        return {
            "weekdays": self.weekdays, "start": self.start.isoformat(), "end": self.end.isoformat(),
            "price_per_kwh": str(self.price_per_kwh),
            "time_fee_per_hour": None if self.time_fee_per_hour is None else str(self.time_fee_per_hour),
        }


@dataclass(frozen=True)
class TariffSnapshot:
    """A tariff as copied onto a session at its start (TAR-3), with the site's time zone."""

    currency: str
    price_per_kwh: Decimal = ZERO
    connection_fee: Decimal = ZERO
    time_fee_per_hour: Decimal = ZERO
    parking_fee_per_hour: Decimal = ZERO
    parking_grace_minutes: int = 0
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    name: str = ""
    periods: tuple[Period, ...] = ()
    time_zone: str = "UTC"  # the charger's site, e.g. "Europe/Berlin"

    @classmethod
    def from_dict(cls, data: dict) -> TariffSnapshot:
        """Read a stored snapshot; snapshots older than time-of-use (no periods, no zone) load too."""
        return cls(
            currency=data["currency"], name=data.get("name", ""),
            price_per_kwh=_dec(data.get("price_per_kwh")),
            connection_fee=_dec(data.get("connection_fee")),
            time_fee_per_hour=_dec(data.get("time_fee_per_hour")),
            parking_fee_per_hour=_dec(data.get("parking_fee_per_hour")),
            parking_grace_minutes=int(data.get("parking_grace_minutes") or 0),
            min_price=_dec(data.get("min_price"), None), max_price=_dec(data.get("max_price"), None),
            periods=tuple(Period.from_dict(p) for p in data.get("periods") or ()),
            time_zone=data.get("time_zone") or "UTC",
        )

    def to_dict(self) -> dict:
        return {
            "currency": self.currency, "name": self.name,
            "price_per_kwh": str(self.price_per_kwh), "connection_fee": str(self.connection_fee),
            "time_fee_per_hour": str(self.time_fee_per_hour),
            "parking_fee_per_hour": str(self.parking_fee_per_hour),
            "parking_grace_minutes": self.parking_grace_minutes,
            "min_price": None if self.min_price is None else str(self.min_price),
            "max_price": None if self.max_price is None else str(self.max_price),
            "periods": [p.to_dict() for p in self.periods],
            "time_zone": self.time_zone,
        }

    @classmethod
    def from_tariff(cls, tariff, *, periods: Iterable = (), time_zone: str = "UTC") -> TariffSnapshot:
        """A snapshot of anything shaped like groups.models.Tariff / TariffPeriod (read by
        attribute, so unsaved instances of a form work too)."""
        return cls(
            currency=tariff.currency, name=tariff.name or "",
            price_per_kwh=_dec(tariff.price_per_kwh), connection_fee=_dec(tariff.connection_fee),
            time_fee_per_hour=_dec(tariff.time_fee_per_hour),
            parking_fee_per_hour=_dec(tariff.parking_fee_per_hour),
            parking_grace_minutes=int(tariff.parking_grace_minutes or 0),
            min_price=_dec(tariff.min_price, None), max_price=_dec(tariff.max_price, None),
            periods=tuple(
                Period(weekdays=p.weekdays, start=p.start_time, end=p.end_time, price_per_kwh=_dec(p.price_per_kwh),
                       time_fee_per_hour=_dec(p.time_fee_per_hour, None))
                for p in periods
            ),
            time_zone=time_zone,
        )

    def rate_at(self, at: datetime) -> tuple[int | None, Decimal, Decimal]:
        """(index of the period in force or None, price per kWh, time fee per hour) at an instant."""
        if self.periods:
            local = _aware(at).astimezone(zone(self.time_zone))
            for index, period in enumerate(self.periods):
                if period.covers(local):
                    fee = self.time_fee_per_hour if period.time_fee_per_hour is None else period.time_fee_per_hour
                    return index, period.price_per_kwh, fee
        return None, self.price_per_kwh, self.time_fee_per_hour


@dataclass(frozen=True, kw_only=True)
class SessionFacts:
    """What pricing needs of a session. Instants are aware (a naive one is read as UTC)."""

    started_at: datetime
    charging_ended_at: datetime  # last moment energy flowed (or the stop); see energy_ended_at
    stopped_at: datetime  # transaction end (plug-out time when known)
    samples: Sequence[Sample] = ()  # energy register (timestamp, Wh), incl. the start and stop readings
    energy_wh: Decimal | int | None = None  # used only without samples: spread linearly over the charging time


@dataclass(frozen=True)
class Segment:
    """A stretch of time with one set of prices."""

    start: datetime
    end: datetime
    period: int | None  # index into TariffSnapshot.periods; None = the tariff's own prices
    price_per_kwh: Decimal
    time_fee_per_hour: Decimal

    @property
    def micros(self) -> int:
        return (self.end - self.start) // timedelta(microseconds=1)


@dataclass(frozen=True)
class Line:
    kind: str  # energy, time, connection, parking, minimum, maximum
    quantity: Decimal  # kWh (energy), hours (time, parking), 1 (connection, minimum, maximum); exact
    unit_price: Decimal
    amount: Decimal  # rounded half-up to the currency's minor unit
    periods: tuple[int | None, ...] = ()  # energy / time: indexes into TariffSnapshot.periods, None = base price


@dataclass(frozen=True)
class PriceBreakdown:
    currency: str
    lines: tuple[Line, ...] = field(default_factory=tuple)
    total: Decimal = ZERO  # == sum of the lines' amounts

    def amount(self, kind: str) -> Decimal:
        return sum((line.amount for line in self.lines if line.kind == kind), ZERO)

    @property
    def subtotal(self) -> Decimal:
        """The total before the minimum and maximum per session."""
        return sum((line.amount for line in self.lines if line.kind not in (MINIMUM, MAXIMUM)), ZERO)

    def to_dict(self) -> dict:
        """JSON-ready: amounts as strings, quantities to 6 decimal places."""
        return {
            "currency": self.currency, "total": str(self.total), "subtotal": str(self.subtotal),
            "lines": [
                {"kind": line.kind, "quantity": str(line.quantity.quantize(Decimal("0.000001"))),
                 "unit_price": str(line.unit_price), "amount": str(line.amount), "periods": list(line.periods)}
                for line in self.lines
            ],
        }


# -- time of use -------------------------------------------------------------------------------


def _offset_changes(tz: tzinfo, start: datetime, end: datetime) -> list[datetime]:
    """Instants in (start, end) at which the zone's UTC offset changes (DST), to the microsecond."""
    found = []
    step = timedelta(hours=6)
    a = start
    while a < end:
        b = min(a + step, end)
        if a.astimezone(tz).utcoffset() != b.astimezone(tz).utcoffset():
            lo, hi = a, b  # lo has the old offset, hi the new one
            old = lo.astimezone(tz).utcoffset()
            while hi - lo > timedelta(microseconds=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(tz).utcoffset() == old:
                    lo = mid
                else:
                    hi = mid
            if start < hi < end:
                found.append(hi)
        a = b
    return found


def _wall_instants(tz: tzinfo, day: date, wall: time) -> list[datetime]:
    """The instants (UTC) at which the local clock shows ``wall`` on ``day``: none in a
    spring-forward gap, two in a fall-back fold."""
    naive = datetime.combine(day, wall)
    instants = []
    for fold in (0, 1):
        instant = naive.replace(tzinfo=tz, fold=fold).astimezone(UTC)
        if instant.astimezone(tz).replace(tzinfo=None) == naive and instant not in instants:
            instants.append(instant)
    return instants


def segments(tariff: TariffSnapshot, start: datetime, end: datetime) -> list[Segment]:
    """The stretches of [start, end) with constant prices, in order, covering it exactly."""
    start, end = _aware(start), _aware(end)
    if end <= start:
        return []
    cuts = {start, end}
    if tariff.periods:
        tz = zone(tariff.time_zone)
        cuts.update(_offset_changes(tz, start, end))
        day, last = start.astimezone(tz).date() - timedelta(days=1), end.astimezone(tz).date() + timedelta(days=1)
        while day <= last:
            walls = {MIDNIGHT}
            weekday = str(day.weekday())
            for period in tariff.periods:
                if weekday in period.weekdays:
                    walls.update((period.start, period.end))
            for wall in walls:
                cuts.update(at for at in _wall_instants(tz, day, wall) if start < at < end)
            day += timedelta(days=1)
    result: list[Segment] = []
    for a, b in pairwise(sorted(cuts)):
        index, price, fee = tariff.rate_at(a)  # constant on [a, b): no boundary lies inside
        if result and result[-1].period == index:
            result[-1] = Segment(result[-1].start, b, index, price, fee)
        else:
            result.append(Segment(a, b, index, price, fee))
    return result


def _overlaps(segs: list[Segment], starts: list[datetime], a: datetime, b: datetime):
    """(segment, microseconds) of the segments overlapping [a, b), a < b."""
    i = max(bisect.bisect_right(starts, a) - 1, 0)
    while i < len(segs) and segs[i].start < b:
        lo, hi = max(segs[i].start, a), min(segs[i].end, b)
        if hi > lo:
            yield segs[i], (hi - lo) // timedelta(microseconds=1)
        i += 1


# -- energy samples -----------------------------------------------------------------------------


def _clean(samples: Iterable[Sample]) -> list[tuple[datetime, Decimal]]:
    """Samples in time order with the register's running maximum (never negative energy)."""
    ordered = sorted(((_aware(at), _dec(wh)) for at, wh in samples), key=lambda s: s[0])
    points, top = [], None
    for at, wh in ordered:
        top = wh if top is None else max(top, wh)
        points.append((at, top))
    return points


def energy_ended_at(samples: Iterable[Sample]) -> datetime | None:
    """The last moment energy flowed: the first sample at which the register reached its final
    reading (the first sample when no energy flowed); None without samples."""
    points = _clean(samples)
    if not points:
        return None
    final = points[-1][1]
    return next(at for at, wh in points if wh >= final)


class _Buckets:
    """Quantities summed per unit price, remembering the periods, in order of first use."""

    def __init__(self):
        self.quantity: dict[Decimal, Decimal] = {}
        self.periods: dict[Decimal, list[int | None]] = {}

    def add(self, price: Decimal, period: int | None, quantity: Decimal) -> None:
        key = price.normalize()  # 0.30 and 0.3000 are one price
        if key not in self.quantity:
            self.quantity[key], self.periods[key] = ZERO, []
        self.quantity[key] += quantity
        if period not in self.periods[key]:
            self.periods[key].append(period)

    def lines(self, kind: str, currency: str, prices: dict[Decimal, Decimal]) -> list[Line]:
        return [
            Line(kind, quantity, prices[key], round_money(quantity * prices[key], currency), tuple(self.periods[key]))
            for key, quantity in self.quantity.items()
            if quantity and key
        ]


def price_session(tariff: TariffSnapshot, facts: SessionFacts) -> PriceBreakdown:
    """Price a session with a tariff snapshot (TAR-3): see the module's docstring for the rules."""
    cur = tariff.currency
    started = _aware(facts.started_at)
    stopped = max(_aware(facts.stopped_at), started)
    ended = min(max(_aware(facts.charging_ended_at), started), stopped)
    points = _clean(facts.samples) if facts.samples else _clean(
        [(started, ZERO), (ended, _dec(facts.energy_wh) or ZERO)])

    first = min(started, points[0][0])
    last = max(stopped, points[-1][0])
    segs = segments(tariff, first, last) or [Segment(first, last, *tariff.rate_at(first))]
    starts = [s.start for s in segs]
    prices: dict[Decimal, Decimal] = {}

    energy = _Buckets()
    for (t0, w0), (t1, w1) in pairwise(points):
        wh = w1 - w0
        if not wh:
            continue
        pieces = list(_overlaps(segs, starts, t0, t1)) if t1 > t0 else []
        if not pieces:  # readings at one instant: all at that instant's prices
            index, price, _fee = tariff.rate_at(t0)
            pieces = [(Segment(t0, t0, index, price, ZERO), 1)]
        total_us, given = sum(us for _seg, us in pieces), ZERO
        for n, (seg, us) in enumerate(pieces):
            share = wh - given if n == len(pieces) - 1 else wh * us / total_us
            given += share
            prices.setdefault(seg.price_per_kwh.normalize(), seg.price_per_kwh)
            energy.add(seg.price_per_kwh, seg.period, share / 1000)

    time_fee = _Buckets()
    fees: dict[Decimal, Decimal] = {}
    if ended > started:
        for seg, us in _overlaps(segs, starts, started, ended):
            fees.setdefault(seg.time_fee_per_hour.normalize(), seg.time_fee_per_hour)
            time_fee.add(seg.time_fee_per_hour, seg.period, us / MICROS_PER_HOUR)

    lines = [*energy.lines(ENERGY, cur, prices), *time_fee.lines(TIME, cur, fees)]
    if tariff.connection_fee:
        lines.append(Line(CONNECTION, Decimal(1), tariff.connection_fee, round_money(tariff.connection_fee, cur)))
    parked_from = ended + timedelta(minutes=tariff.parking_grace_minutes)
    if stopped > parked_from and tariff.parking_fee_per_hour:
        hours = ((stopped - parked_from) // timedelta(microseconds=1)) / MICROS_PER_HOUR
        lines.append(Line(PARKING, hours, tariff.parking_fee_per_hour,
                          round_money(hours * tariff.parking_fee_per_hour, cur)))

    total = round_money(sum((line.amount for line in lines), ZERO), cur)
    if tariff.min_price is not None and total < round_money(tariff.min_price, cur):
        top_up = round_money(tariff.min_price, cur) - total
        lines.append(Line(MINIMUM, Decimal(1), top_up, top_up))
        total += top_up
    if tariff.max_price is not None and total > round_money(tariff.max_price, cur):
        cut = round_money(tariff.max_price, cur) - total
        lines.append(Line(MAXIMUM, Decimal(1), cut, cut))
        total += cut
    return PriceBreakdown(cur, tuple(lines), total)
