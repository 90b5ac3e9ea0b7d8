"""Waitlist of a group (RES-4)."""


def charger_available(*, charge_point_pk: int) -> None:
    """A connector of the charger has just become Available (called from StatusNotification,
    inside the gateway's database transaction; must stay cheap)."""


def waitlist_tick() -> None:
    """Pass expired holds on to the next driver in line."""
