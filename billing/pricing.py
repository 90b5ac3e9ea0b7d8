"""Pricing of a charging session (TAR-1, TAR-3): a pure function, Decimal only, no ORM.

Each line (energy, time, connection, parking) is rounded half-up to the currency's minor
unit; the total is the sum of the rounded lines, then held between the tariff's minimum and
maximum per session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from wccportal.lib.money import round_money

HOUR = Decimal(3600)


@dataclass(frozen=True)
class TariffSnapshot:
    currency: str
    price_per_kwh: Decimal = Decimal(0)
    connection_fee: Decimal = Decimal(0)
    time_fee_per_hour: Decimal = Decimal(0)
    parking_fee_per_hour: Decimal = Decimal(0)
    parking_grace_minutes: int = 0
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    name: str = ""

    @classmethod
    def from_dict(cls, data: dict) -> TariffSnapshot:
        def dec(key):
            value = data.get(key)
            return None if value in (None, "") else Decimal(str(value))

        return cls(
            currency=data["currency"], name=data.get("name", ""),
            price_per_kwh=dec("price_per_kwh") or Decimal(0),
            connection_fee=dec("connection_fee") or Decimal(0),
            time_fee_per_hour=dec("time_fee_per_hour") or Decimal(0),
            parking_fee_per_hour=dec("parking_fee_per_hour") or Decimal(0),
            parking_grace_minutes=int(data.get("parking_grace_minutes") or 0),
            min_price=dec("min_price"), max_price=dec("max_price"),
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
        }


@dataclass(frozen=True)
class SessionFacts:
    energy_wh: int
    started_at: datetime
    charging_ended_at: datetime  # last moment energy flowed (or the stop)
    stopped_at: datetime  # transaction end (plug-out time when known)


@dataclass(frozen=True)
class Line:
    kind: str  # energy, time, connection, parking
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class PriceBreakdown:
    currency: str
    lines: list[Line] = field(default_factory=list)
    total: Decimal = Decimal(0)

    def amount(self, kind: str) -> Decimal:
        return sum((line.amount for line in self.lines if line.kind == kind), Decimal(0))


def price_session(tariff: TariffSnapshot, facts: SessionFacts) -> PriceBreakdown:
    cur = tariff.currency
    kwh = Decimal(facts.energy_wh) / Decimal(1000)
    charging_hours = Decimal(max((facts.charging_ended_at - facts.started_at).total_seconds(), 0)) / HOUR
    grace = timedelta(minutes=tariff.parking_grace_minutes)
    parked = max((facts.stopped_at - facts.charging_ended_at - grace).total_seconds(), 0)
    parking_hours = Decimal(parked) / HOUR
    lines = [
        Line("energy", kwh, tariff.price_per_kwh, round_money(kwh * tariff.price_per_kwh, cur)),
        Line("time", charging_hours, tariff.time_fee_per_hour,
             round_money(charging_hours * tariff.time_fee_per_hour, cur)),
        Line("connection", Decimal(1), tariff.connection_fee, round_money(tariff.connection_fee, cur)),
        Line("parking", parking_hours, tariff.parking_fee_per_hour,
             round_money(parking_hours * tariff.parking_fee_per_hour, cur)),
    ]
    total = sum((line.amount for line in lines), Decimal(0))
    if tariff.min_price is not None:
        total = max(total, round_money(tariff.min_price, cur))
    if tariff.max_price is not None:
        total = min(total, round_money(tariff.max_price, cur))
    return PriceBreakdown(cur, lines, total)
