"""Money helpers: Decimal with an ISO-4217 currency, rounded half-up to the minor unit."""

from decimal import ROUND_HALF_UP, Decimal

# Minor units of the currencies the platform offers; ISO 4217 says 2 for most.
MINOR_UNITS = {"EUR": 2, "USD": 2, "GBP": 2, "CHF": 2, "SEK": 2, "NOK": 2, "DKK": 2,
               "PLN": 2, "CZK": 2, "HUF": 2, "JPY": 0, "ISK": 0}
CURRENCIES = sorted(MINOR_UNITS)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-MINOR_UNITS.get(currency.upper(), 2))


def round_money(amount: Decimal, currency: str) -> Decimal:
    return Decimal(amount).quantize(quantum(currency), rounding=ROUND_HALF_UP)


def format_money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return "–"
    return f"{round_money(amount, currency)} {currency.upper()}"
