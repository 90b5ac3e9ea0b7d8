"""A session's cost written out (SES-3, SES-4, SES-5, SES-8): the pricing engine's breakdown
(billing.pricing, TAR-3) with labels for people, for finished and for running sessions.

Finished sessions are priced at their stop (and again at plug-out for parking) and the
amounts stored on the row; ``session_cost`` recomputes the lines from the same snapshot and
samples for display, and ``running`` sessions are priced up to now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from billing.pricing import PriceBreakdown, SessionFacts, TariffSnapshot, energy_ended_at, price_session
from wccportal.lib.money import format_money, round_money

from .models import ChargingSession


def breakdown_for(session: ChargingSession, *, at: datetime | None = None) -> PriceBreakdown | None:
    """The session priced with the tariff copied at its start: up to its stop (or plug-out),
    or, while it runs, up to ``at`` (default: now). None without a tariff (free charging)."""
    from .services import _energy_samples

    if not session.tariff_snapshot:
        return None
    tariff = TariffSnapshot.from_dict(session.tariff_snapshot)
    end = max(session.stopped_at or at or timezone.now(), session.started_at)
    samples = _energy_samples(session, end)
    return price_session(
        tariff,
        SessionFacts(started_at=session.started_at, charging_ended_at=energy_ended_at(samples) or end,
                     stopped_at=session.plugged_out_at or end, samples=samples),
    )


@dataclass(frozen=True)
class SessionCost:
    currency: str
    tariff_name: str
    breakdown: PriceBreakdown
    lines: list  # groups.tariffs.PreviewLine: label, detail, quantity, unit price, amount (displays)
    total: Decimal
    total_display: str
    cost_per_kwh: Decimal | None  # the total over the energy: what a kWh cost in the end
    cost_per_kwh_display: str
    running: bool


def session_cost(session: ChargingSession, *, at: datetime | None = None) -> SessionCost | None:
    """The cost lines of ``session`` as people read them, e.g. "35.13 kWh × 0.30 EUR/kWh = 10.54 EUR"."""
    from groups.tariffs import _line, format_price

    breakdown = breakdown_for(session, at=at)
    if breakdown is None:
        return None
    snapshot = TariffSnapshot.from_dict(session.tariff_snapshot)
    per_kwh = cost_per_kwh(breakdown.total, session.energy_wh, breakdown.currency)
    return SessionCost(
        currency=breakdown.currency, tariff_name=snapshot.name, breakdown=breakdown,
        lines=[_line(line, snapshot) for line in breakdown.lines], total=breakdown.total,
        total_display=format_money(breakdown.total, breakdown.currency), cost_per_kwh=per_kwh,
        cost_per_kwh_display=format_price(per_kwh, breakdown.currency) + "/kWh" if per_kwh is not None else "–",
        running=session.status == ChargingSession.Status.ACTIVE,
    )


def cost_per_kwh(total: Decimal | None, energy_wh: int | float, currency: str) -> Decimal | None:
    """What one kWh cost in the end (total / energy), to the minor unit; None without energy."""
    if total is None or not energy_wh:
        return None
    kwh = Decimal(int(energy_wh)) / 1000
    return round_money(Decimal(total) / kwh, currency)
