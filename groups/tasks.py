"""Periodic jobs of groups (wccportal.schedules): bookings and the waitlist."""


def bookings_tick() -> None:
    """Reserve chargers whose booking slot begins, release no-shows, close finished
    bookings and send reminders (RES-2, RES-3)."""
    from .bookings import bookings_tick as tick

    tick()


def waitlist_tick() -> None:
    """Let expired holds go to the next driver in line (RES-4)."""
    from .waitlist import waitlist_tick as tick

    tick()


def invitations_expire() -> None:
    """Mark invitations past their expiry (GRP-3)."""
    from .services import invitations_expire as expire

    expire()
