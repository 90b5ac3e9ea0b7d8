"""Tariffs (TAR-1, TAR-2, GRP-6): create, change, remove and preview an owner's tariffs.

A tariff belongs to its owner; a group uses at most one (Group.tariff). Sessions copy the
tariff in force at their start (TAR-3), so changing or removing a tariff never changes a
finished session's cost; removing one detaches it from every group (Group.tariff SET_NULL).

Every amount is a Decimal with at most 4 decimal places (the minimum and maximum per
session: 2), never negative. Time-of-use periods give other prices on some weekdays between
two times of day in the charger's time zone; ``end_time`` 00:00 means midnight at the end
of the day, and two periods of a tariff never overlap on the same weekday.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.pricing import (
    CONNECTION,
    ENERGY,
    MAXIMUM,
    MINIMUM,
    PARKING,
    TIME,
    Line,
    Period,
    PriceBreakdown,
    SessionFacts,
    TariffSnapshot,
    price_session,
)
from wccportal.errors import DomainError
from wccportal.lib.money import CURRENCIES, format_money, quantum

from .models import Group, Tariff, TariffPeriod

AMOUNT_FIELDS = ("connection_fee", "price_per_kwh", "time_fee_per_hour", "parking_fee_per_hour")
LIMIT_FIELDS = ("min_price", "max_price")
FIELDS = ("name", "currency", *AMOUNT_FIELDS, "parking_grace_minutes", *LIMIT_FIELDS)
AMOUNT_PLACES = 4  # the model's decimal_places for prices
LIMIT_PLACES = 2  # … and for the minimum and maximum per session
AMOUNT_MAX = Decimal("999999")  # max_digits=10 with 4 places: 6 digits before the point
MAX_GRACE_MINUTES = 24 * 60
DEFAULTS = {
    "name": "", "currency": "EUR", "connection_fee": Decimal(0), "price_per_kwh": Decimal(0),
    "time_fee_per_hour": Decimal(0), "parking_fee_per_hour": Decimal(0), "parking_grace_minutes": 0,
    "min_price": None, "max_price": None,
}
DAY_SECONDS = 24 * 3600

# Preview bounds: an example session, not a fleet's month.
PREVIEW_MAX_KWH = Decimal(1000)
PREVIEW_MAX_MINUTES = 7 * 24 * 60


class _Errors:
    """Collects every problem of an input, so a form can show them all at once; the code of
    the DomainError is the first problem's."""

    def __init__(self):
        self.items: list[tuple[str, str, str]] = []

    def add(self, field: str, message: str, code: str) -> None:
        self.items.append((field, message, code))

    def raise_any(self) -> None:
        if not self.items:
            return
        fields: dict[str, list[str]] = {}
        for field, message, _code in self.items:
            fields.setdefault(field, []).append(message)
        field, message, code = self.items[0]
        raise DomainError(message, code=code, fields=fields)


# --- Validation -----------------------------------------------------------------------------


def _amount(errors: _Errors, field: str, value, *, places: int = AMOUNT_PLACES, required: bool = True):
    if value is None or value == "":
        if required:
            errors.add(field, _("This amount is required."), "required")
        return None
    if isinstance(value, float):  # binary fractions would sneak in: money is Decimal (DESIGN §6)
        value = str(value)
    try:
        amount = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        errors.add(field, _("Enter a number."), "invalid_amount")
        return None
    if not amount.is_finite():
        errors.add(field, _("Enter a number."), "invalid_amount")
        return None
    if amount < 0:
        errors.add(field, _("An amount cannot be negative."), "negative_amount")
        return None
    if amount > AMOUNT_MAX:
        errors.add(field, _("This amount is too large."), "amount_too_large")
        return None
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        errors.add(field, _("Use at most %(places)d decimal places.") % {"places": places}, "too_precise")
        return None
    return amount.quantize(Decimal(1).scaleb(-places))


def _time(errors: _Errors, field: str, value) -> time | None:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.add(field, _("Enter a time of day (HH:MM)."), "invalid_time")
    return None


def _weekdays(errors: _Errors, field: str, value) -> str | None:
    """"0135", ["0", "1"] or [0, 1] → "01"…: digits 0–6 (Monday = 0), each once, at least one."""
    if value is None:
        value = ""
    items = list(value) if isinstance(value, str) else [str(v) for v in value]
    if not items:
        errors.add(field, _("Choose at least one weekday."), "invalid_weekdays")
        return None
    if any(item not in "0123456" or len(item) != 1 for item in items):
        errors.add(field, _("Weekdays are digits from 0 (Monday) to 6 (Sunday)."), "invalid_weekdays")
        return None
    if len(set(items)) != len(items):
        errors.add(field, _("Each weekday may appear only once."), "invalid_weekdays")
        return None
    return "".join(sorted(items))


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def period_span(start: time, end: time) -> tuple[int, int]:
    """Seconds since midnight of a period's start and end; an end at 00:00 is the day's end."""
    end_s = _seconds(end)
    return _seconds(start), DAY_SECONDS if end_s == 0 else end_s


def _clean_periods(errors: _Errors, periods: Iterable) -> list[dict]:
    cleaned: list[dict] = []
    for i, raw in enumerate(periods):
        if isinstance(raw, TariffPeriod):
            raw = {f: getattr(raw, f) for f in ("weekdays", "start_time", "end_time", "price_per_kwh",
                                                 "time_fee_per_hour")}
        prefix = f"periods.{i}."
        before = len(errors.items)
        period = {
            "weekdays": _weekdays(errors, prefix + "weekdays", raw.get("weekdays")),
            "start_time": _time(errors, prefix + "start_time", raw.get("start_time")),
            "end_time": _time(errors, prefix + "end_time", raw.get("end_time")),
            "price_per_kwh": _amount(errors, prefix + "price_per_kwh", raw.get("price_per_kwh")),
            "time_fee_per_hour": _amount(errors, prefix + "time_fee_per_hour", raw.get("time_fee_per_hour"),
                                         required=False),
        }
        if period["start_time"] is not None and period["end_time"] is not None:
            start, end = period_span(period["start_time"], period["end_time"])
            if start >= end:
                errors.add(prefix + "end_time",
                           _("The period must end after it starts (00:00 means midnight at the end of the day)."),
                           "invalid_period_times")
        if len(errors.items) == before:
            cleaned.append({**period, "_index": i})
    # No two periods on the same weekday may overlap: the price at any moment is unambiguous.
    for a_pos, a in enumerate(cleaned):
        for b in cleaned[a_pos + 1:]:
            shared = set(a["weekdays"]) & set(b["weekdays"])
            a_start, a_end = period_span(a["start_time"], a["end_time"])
            b_start, b_end = period_span(b["start_time"], b["end_time"])
            if shared and a_start < b_end and b_start < a_end:
                errors.add(f"periods.{b['_index']}.start_time",
                           _("This period overlaps period %(other)d on the same weekday.") % {"other": a["_index"] + 1},
                           "periods_overlap")
    return [{k: v for k, v in p.items() if k != "_index"} for p in cleaned]


def tariff_periods_clean(periods: Iterable) -> list[dict]:
    """Validated time-of-use periods alone (the admin's inline), or a DomainError."""
    errors = _Errors()
    cleaned = _clean_periods(errors, list(periods))
    errors.raise_any()
    return cleaned


def tariff_clean(*, data: dict, periods: Iterable | None) -> tuple[dict, list[dict] | None]:
    """Validated, normalised values of a tariff and its periods, or a DomainError naming
    every problem (codes: required, unknown_currency, invalid_amount, negative_amount,
    too_precise, amount_too_large, min_above_max, invalid_grace, invalid_weekdays,
    invalid_time, invalid_period_times, periods_overlap)."""
    errors = _Errors()
    out: dict = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors.add("name", _("Give the tariff a name."), "required")
    elif len(name) > Tariff._meta.get_field("name").max_length:
        errors.add("name", _("The name is too long."), "name_too_long")
    out["name"] = name
    currency = str(data.get("currency") or "").strip().upper()
    if currency not in CURRENCIES:
        errors.add("currency", _("Unknown currency. Choose one of: %(list)s.") % {"list": ", ".join(CURRENCIES)},
                   "unknown_currency")
    out["currency"] = currency
    for field in AMOUNT_FIELDS:
        out[field] = _amount(errors, field, data.get(field))
    for field in LIMIT_FIELDS:
        out[field] = _amount(errors, field, data.get(field), places=LIMIT_PLACES, required=False)
    grace = data.get("parking_grace_minutes")
    try:
        grace = int(grace if grace not in (None, "") else 0)
        if isinstance(data.get("parking_grace_minutes"), float | Decimal) and grace != data["parking_grace_minutes"]:
            raise ValueError
    except (TypeError, ValueError):
        errors.add("parking_grace_minutes", _("Enter a whole number of minutes."), "invalid_grace")
        grace = None
    else:
        if not 0 <= grace <= MAX_GRACE_MINUTES:
            errors.add("parking_grace_minutes",
                       _("The grace period is between 0 and %(max)d minutes.") % {"max": MAX_GRACE_MINUTES},
                       "invalid_grace")
    out["parking_grace_minutes"] = grace
    if out["min_price"] is not None and out["max_price"] is not None and out["min_price"] > out["max_price"]:
        errors.add("max_price", _("The maximum per session cannot be below the minimum."), "min_above_max")
    cleaned_periods = None if periods is None else _clean_periods(errors, periods)
    errors.raise_any()
    return out, cleaned_periods


# --- Use cases ------------------------------------------------------------------------------


def _save_periods(tariff: Tariff, periods: list[dict]) -> None:
    tariff.periods.all().delete()
    TariffPeriod.objects.bulk_create([TariffPeriod(tariff=tariff, **p) for p in periods])


@transaction.atomic
def tariff_create(*, owner, periods: Iterable = (), acting_user=None, **fields) -> Tariff:
    """A new tariff of ``owner`` with its time-of-use periods (TAR-1)."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown tariff fields: {sorted(unknown)}")
    data, cleaned_periods = tariff_clean(data={**DEFAULTS, **fields}, periods=list(periods or ()))
    tariff = Tariff.objects.create(owner=owner, **data)
    _save_periods(tariff, cleaned_periods)
    return tariff


@transaction.atomic
def tariff_update(*, tariff: Tariff, periods: Iterable | None = None, acting_user=None, **fields) -> Tariff:
    """Change a tariff; ``periods`` (when given) replace all its periods at once (TAR-2).

    Sessions already started keep the copy they took (TAR-3): nothing else changes."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown tariff fields: {sorted(unknown)}")
    given = tariff
    tariff = Tariff.objects.select_for_update().get(pk=tariff.pk)
    current = {f: getattr(tariff, f) for f in FIELDS}
    data, cleaned_periods = tariff_clean(data={**current, **fields},
                                         periods=None if periods is None else list(periods))
    for field, value in data.items():
        setattr(tariff, field, value)
    tariff.save()
    if cleaned_periods is not None:
        _save_periods(tariff, cleaned_periods)
    if given is not tariff:  # the caller's instance shows the change too
        for field in (*FIELDS, "updated_at"):
            setattr(given, field, getattr(tariff, field))
    return tariff


@transaction.atomic
def tariff_delete(*, tariff: Tariff, acting_user=None) -> list[int]:
    """Remove a tariff: every group using it is detached (TAR-2) and then has no tariff;
    finished and running sessions keep the copy taken at their start (TAR-3).
    Returns the ids of the detached groups."""
    tariff = Tariff.objects.select_for_update().get(pk=tariff.pk)
    detached = list(Group.objects.filter(tariff=tariff).values_list("pk", flat=True))
    # Explicit rather than left to SET_NULL: one UPDATE, and the detached groups are known.
    Group.objects.filter(pk__in=detached).update(tariff=None, updated_at=timezone.now())
    tariff.delete()
    return detached


def tariff_build(*, owner, periods: Iterable = (), **fields) -> tuple[Tariff, list[TariffPeriod]]:
    """An unsaved tariff and periods from form values, validated like tariff_create: what
    the edit page previews before saving."""
    data, cleaned_periods = tariff_clean(data={**DEFAULTS, **fields}, periods=list(periods or ()))
    tariff = Tariff(owner=owner, **data)
    return tariff, [TariffPeriod(**p) for p in cleaned_periods]


# --- Reads ----------------------------------------------------------------------------------


def tariff_groups(tariff: Tariff) -> list[Group]:
    """Groups using this tariff (GRP-6)."""
    if tariff.pk is None:
        return []
    return list(Group.objects.filter(tariff=tariff).order_by("name", "pk"))


def tariff_time_zone(tariff: Tariff) -> ZoneInfo:
    """Where the tariff's times of day are read: the zone of a charger of the first group
    using it, else the platform's."""
    name = None
    if tariff.pk is not None:
        name = (
            Group.objects.filter(tariff=tariff, charger_links__isnull=False).order_by("name", "pk")
            .values_list("charger_links__charge_point__time_zone", flat=True).first()
        )
    return zone_or_default(name)


def zone_or_default(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo(settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def zone_valid(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


# --- Preview (TAR-2) ------------------------------------------------------------------------


def format_price(amount: Decimal | None, currency: str) -> str:
    """A unit price as entered: at least the currency's minor unit, up to 4 decimal places
    (0.30 EUR, 0.2875 EUR); amounts to pay use wccportal.lib.money.format_money."""
    if amount is None:
        return "–"
    places = max(-quantum(currency).as_tuple().exponent, -Decimal(amount).normalize().as_tuple().exponent)
    return f"{Decimal(amount).quantize(Decimal(1).scaleb(-min(places, AMOUNT_PLACES))):f} {currency.upper()}"


def _quantity(value: Decimal, places: int) -> str:
    text = f"{value.quantize(Decimal(1).scaleb(-places)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class PreviewLine:
    kind: str
    label: str
    detail: str
    quantity: Decimal
    unit: str  # kWh, h or "" (per session)
    unit_price: Decimal
    amount: Decimal
    periods: tuple
    quantity_display: str
    unit_price_display: str
    amount_display: str


@dataclass(frozen=True)
class TariffPreview:
    """The priced example session: the pricing engine's breakdown, with labels for people."""

    currency: str
    breakdown: PriceBreakdown
    lines: list[PreviewLine]
    total: Decimal
    subtotal: Decimal
    total_display: str
    subtotal_display: str
    time_zone: str
    started_at: datetime
    charging_ended_at: datetime
    stopped_at: datetime
    energy_kwh: Decimal


def _period_text(period: Period) -> str:
    days = {"0123456": _("every day"), "01234": _("Mon–Fri"), "56": _("Sat–Sun")}.get(period.weekdays)
    if days is None:
        names = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
        days = ", ".join(names[int(d)] for d in period.weekdays)
    end = "24:00" if period.end == time(0) else f"{period.end:%H:%M}"
    return f"{days} {period.start:%H:%M}–{end}"


def _line(line: Line, snapshot: TariffSnapshot) -> PreviewLine:
    cur = snapshot.currency
    labels = {
        ENERGY: (_("Energy"), "kWh", 3), TIME: (_("Charging time"), "h", 2),
        CONNECTION: (_("Connection fee"), "", 0), PARKING: (_("Parking"), "h", 2),
        MINIMUM: (_("Top-up to the minimum per session"), "", 0), MAXIMUM: (_("Cut to the maximum per session"), "", 0),
    }
    label, unit, places = labels.get(line.kind, (line.kind, "", 2))
    detail = ""
    if line.kind in (ENERGY, TIME) and snapshot.periods:
        detail = "; ".join(_("outside the periods") if i is None else _period_text(snapshot.periods[i])
                           for i in line.periods)
    elif line.kind == PARKING and snapshot.parking_grace_minutes:
        detail = _("after %(minutes)d minutes of grace") % {"minutes": snapshot.parking_grace_minutes}
    if line.kind in (MINIMUM, MAXIMUM):
        quantity_display, unit_price_display = "", ""
    else:
        quantity_display = _quantity(line.quantity, places) + (f" {unit}" if unit else "")
        unit_price_display = format_price(line.unit_price, cur) + (f"/{unit}" if unit else "")
    return PreviewLine(
        kind=line.kind, label=label, detail=detail, quantity=line.quantity, unit=unit, unit_price=line.unit_price,
        amount=line.amount, periods=line.periods, quantity_display=quantity_display,
        unit_price_display=unit_price_display, amount_display=format_money(line.amount, cur),
    )


def _preview_error(field: str, message: str) -> DomainError:
    return DomainError(message, code="invalid_preview", fields={field: [message]})


def tariff_preview(*, tariff: Tariff, energy_kwh, started_at: datetime, duration_minutes: int,
                   parked_minutes: int = 0, time_zone=None, periods: Iterable | None = None) -> TariffPreview:
    """The price breakdown of an example session (TAR-2) by the pricing engine that prices
    real sessions (billing.pricing, TAR-3): ``energy_kwh`` flowing evenly for
    ``duration_minutes`` from ``started_at``, then ``parked_minutes`` plugged in.

    ``time_zone`` (a name or ZoneInfo; default: the zone of the chargers using the tariff)
    places the time-of-use periods, and a naive ``started_at`` is read in it. ``periods``
    overrides the saved ones (an unsaved tariff from the edit form)."""
    zone = time_zone if isinstance(time_zone, ZoneInfo) else (
        zone_or_default(time_zone) if time_zone else tariff_time_zone(tariff))
    if isinstance(time_zone, str) and time_zone and not zone_valid(time_zone):
        raise _preview_error("time_zone", _("Unknown time zone."))
    try:
        kwh = energy_kwh if isinstance(energy_kwh, Decimal) else Decimal(str(energy_kwh))
    except (InvalidOperation, ValueError):
        raise _preview_error("energy_kwh", _("Enter a number.")) from None
    if not kwh.is_finite() or not 0 <= kwh <= PREVIEW_MAX_KWH:
        raise _preview_error("energy_kwh", _("Energy is between 0 and %(max)s kWh.") % {"max": PREVIEW_MAX_KWH})
    for field, value in (("duration_minutes", duration_minutes), ("parked_minutes", parked_minutes)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= PREVIEW_MAX_MINUTES:
            raise _preview_error(field, _("Minutes are a whole number between 0 and %(max)d.")
                                 % {"max": PREVIEW_MAX_MINUTES})
    start = started_at.replace(tzinfo=zone) if timezone.is_naive(started_at) else started_at
    charging_ended = start + timedelta(minutes=duration_minutes)
    stopped = charging_ended + timedelta(minutes=parked_minutes)
    snapshot = TariffSnapshot.from_tariff(
        tariff, periods=list(tariff.periods.all()) if periods is None else periods, time_zone=zone.key)
    breakdown = price_session(snapshot, SessionFacts(
        started_at=start, charging_ended_at=charging_ended, stopped_at=stopped, energy_wh=kwh * 1000))
    cur = snapshot.currency
    return TariffPreview(
        currency=cur, breakdown=breakdown, lines=[_line(line, snapshot) for line in breakdown.lines],
        total=breakdown.total, subtotal=breakdown.subtotal, total_display=format_money(breakdown.total, cur),
        subtotal_display=format_money(breakdown.subtotal, cur), time_zone=zone.key,
        started_at=start.astimezone(zone), charging_ended_at=charging_ended.astimezone(zone),
        stopped_at=stopped.astimezone(zone), energy_kwh=kwh,
    )
