"""Every periodic job of the platform, in one place; `manage.py sync_schedules` applies it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Every:
    name: str
    func: str
    minutes: int
    # Sends commands to chargers: in the embedded default it runs in the web server's process,
    # which holds their sockets (wccportal.lib.tasks.start_charger_schedules).
    chargers: bool = False


SCHEDULES = [
    Every("Mark silent chargers offline", "chargers.tasks.sweep_offline_chargers", 1),
    Every("Time out unanswered operations", "chargers.tasks.sweep_operation_timeouts", 1),
    Every("Prune the OCPP frame log", "ocpp_gateway.tasks.prune_frame_log", 60 * 24),
    Every("Bookings: reserve, release no-shows, remind", "groups.tasks.bookings_tick", 1, chargers=True),
    Every("Waitlist: pass expired holds on", "groups.tasks.waitlist_tick", 1),
    Every("Expire group invitations", "groups.tasks.invitations_expire", 60),
    Every("Expire diagnostics upload links", "chargers.tasks.expire_diagnostics_links", 60),
    Every("Erase accounts deleted 14 days ago", "accounts.tasks.erase_deactivated_accounts", 60 * 24),
    Every("Delete expired session exports", "sessions_app.tasks.exports_prune", 60 * 24),
]
