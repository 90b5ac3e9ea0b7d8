"""The portal's charge point page (CP-7): one page per tab under /portal/charger/<id>/.

Every tab view starts from ``charger_page_context``: it fetches the charger through the access
selectors (404 for other tenants) and says which tabs the user may open. Those who only use a
charger (members, guests) see Overview, Charging sessions, Connectors and Pictures; the tabs
that show or change the charger's set-up are for those who manage it.
"""

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from wccportal.lib.money import format_money

from .models import ChargePoint
from .portal_operations import COMMANDS
from .selectors import charger_get_for_user, charger_list_for_user


@dataclass(frozen=True)
class Tab:
    key: str
    url_name: str  # takes the charge point id
    label: str
    icon: str
    managers_only: bool


TABS = (
    Tab("overview", "portal:charger_detail", _("Overview"), "info-circle", False),
    Tab("sessions", "portal:charger_sessions", _("Charging sessions"), "lightning-charge", False),
    Tab("connectors", "portal:charger_connectors", _("Connectors"), "plug", False),
    Tab("installation", "portal:charger_installation", _("Installation"), "geo-alt", True),
    Tab("diagnostics", "portal:charger_diagnostics", _("Diagnostics"), "file-earmark-medical", True),
    Tab("configuration", "portal:charger_configuration", _("Configuration"), "sliders", True),
    Tab("pictures", "portal:charger_pictures", _("Pictures"), "images", False),
    Tab("logbook", "portal:charger_logbook", _("Logbook"), "journal-text", True),
)
_TAB_KEYS = {tab.key: tab for tab in TABS}

# The Operations menu of the page (OPS-1): each opens the command's page with this charger.
OPERATION_MENU = (
    "remote-start", "remote-stop", "reset", "change-availability", "unlock-connector",
    "get-configuration", "change-configuration", "get-diagnostics", "trigger-message",
    "update-firmware", "clear-cache",
)


def charger_page_context(request, charge_point_id: str, tab: str) -> dict:
    """The charger (404 unless the user may see it, or manage it for a managers' tab) and what
    the page shell needs: the tabs this user may open and the Operations menu."""
    current = _TAB_KEYS[tab]
    cp = charger_get_for_user(request.user, charge_point_id)
    can_write = charger_list_for_user(request.user, write=True).filter(pk=cp.pk).exists()
    if current.managers_only and not can_write:
        raise Http404("No such charger.")
    commands = {command.slug: command for command in COMMANDS}
    return {
        "nav": "chargers",
        "cp": cp,
        "can_write": can_write,
        "tab": tab,
        "tabs": [t for t in TABS if can_write or not t.managers_only],
        "operation_menu": [commands[slug] for slug in OPERATION_MENU if slug in commands] if can_write else [],
    }


def managed_charger(request, charge_point_id: str) -> ChargePoint:
    """The charger if the user manages it, else 404: every POST of the page starts here, so a
    forged form from someone who only sees (or does not see) the charger changes nothing."""
    return charger_get_for_user(request.user, charge_point_id, write=True)


def charger_group(cp: ChargePoint):
    """The group the charger is in (GRP-5: at most one), through the reverse relation so this
    app need not import ``groups``."""
    link = getattr(cp, "group_link", None)
    return link.group if link is not None else None


@dataclass(frozen=True)
class SessionRow:
    """One line of the Charging sessions and Logbook tabs."""

    session: object  # sessions_app.models.ChargingSession
    energy_kwh: float
    cost: str
    tag: str
    driver: str


def session_rows(sessions) -> list[SessionRow]:
    rows = []
    for s in sessions:
        user = s.user
        driver = (user.get_full_name() or user.email) if user is not None else ""
        tag = s.tag.alias if s.tag_id and s.tag and s.tag.alias else ""
        cost = format_money(s.total_cost, s.currency) if s.total_cost is not None and s.currency else "–"
        rows.append(SessionRow(session=s, energy_kwh=s.energy_kwh, cost=cost, tag=tag, driver=driver))
    return rows


def charger_sessions_for_user(user, cp: ChargePoint):
    """This charger's sessions the user may see (a member or guest: their own; who manages the
    charger: all), newest first."""
    # Sessions belong to a later app (DESIGN.md §3): imported here, where they are read.
    from sessions_app.selectors import session_list_for_user

    return session_list_for_user(user).filter(charge_point=cp).order_by("-started_at", "-pk")
