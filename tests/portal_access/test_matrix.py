"""Access matrix over every page of the portal: for each persona, each page answers 200 or 404,
never another tenant's row, and every POST-only action refuses a forged request with 404.

The route table below must name every route of the "portal" namespace: a new page without an
entry fails ``test_every_portal_route_is_in_the_matrix``, so none can be added unchecked.
Each feature's own tests go deeper (filters, forms, what a POST changes); this one proves the
rule holds everywhere at once.
"""

import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLResolver
from django.utils import timezone
from PIL import Image

from chargers.models import ChargerOperation, ChargerPicture, DiagnosticsFile
from groups.models import Group
from tests.history.conftest import at, charge

PERSONAS = ("owner", "member", "guest", "outsider", "operator", "staff")
EVERYONE = frozenset(PERSONAS)
OWNER_STAFF = frozenset({"owner", "staff"})
# CP-HOME is the owner's, shared with the guest; staff sees every charger.
HOME_USERS = frozenset({"owner", "guest", "staff"})
# The group "Residence" (CP-GROUP): its owner and its member; staff may open any group.
GROUP_PEOPLE = frozenset({"owner", "member", "staff"})
STAFF = frozenset({"staff"})


@dataclass(frozen=True)
class Page:
    """A GET page: who gets 200 (everyone else 404), and the URL's arguments by name of an
    object of the ``objects`` fixture."""

    allowed: frozenset
    args: tuple = ()
    query: str = ""


# Pages that list rows: the owner's home charger must not show up for anyone it isn't for.
LISTS = {"dashboard", "chargers", "connectors", "sessions", "tags", "operations", "maintenance",
         "diagnostics", "logs_security", "logs", "heartbeats", "reservations", "groups"}

PAGES = {
    "dashboard": Page(EVERYONE),
    "dashboard_data": Page(EVERYONE),
    "chargers": Page(EVERYONE),
    "chargers_export": Page(EVERYONE),
    "connectors": Page(EVERYONE),
    "charger_detail": Page(HOME_USERS, ("home",)),
    "charger_sessions": Page(HOME_USERS, ("home",)),
    "charger_connectors": Page(HOME_USERS, ("home",)),
    "charger_pictures": Page(HOME_USERS, ("home",)),
    "charger_picture": Page(HOME_USERS, ("home", "slot")),
    "charger_installation": Page(OWNER_STAFF, ("home",)),
    "charger_diagnostics": Page(OWNER_STAFF, ("home",)),
    "charger_diagnostics_state": Page(OWNER_STAFF, ("home",)),
    "charger_configuration": Page(OWNER_STAFF, ("home",)),
    "charger_configuration_panel": Page(OWNER_STAFF, ("home",)),
    "charger_logbook": Page(OWNER_STAFF, ("home",)),
    "charger_firmware": Page(OWNER_STAFF, ("home",)),
    "reservations": Page(EVERYONE),
    "sessions": Page(EVERYONE),
    "sessions_export": Page(EVERYONE, ("csv",)),
    "session_detail": Page(OWNER_STAFF, ("session",)),
    "tags": Page(EVERYONE),
    "tag_add": Page(EVERYONE),
    "tag_edit": Page(OWNER_STAFF, ("owner_tag",)),
    "settings": Page(EVERYONE),
    "operations": Page(EVERYONE),
    "operation": Page(EVERYONE, ("get-configuration",)),
    "operation_result": Page(OWNER_STAFF, ("operation",)),
    "maintenance": Page(EVERYONE),
    "inventory_detail": Page(OWNER_STAFF, ("home",)),
    "diagnostics": Page(EVERYONE),
    "diagnostics_download": Page(OWNER_STAFF, ("diagnostics_file",)),
    "logs_security": Page(EVERYONE),
    "notifications": Page(EVERYONE),
    "groups": Page(EVERYONE),
    "group_create": Page(EVERYONE),
    "group_detail": Page(GROUP_PEOPLE, ("group",)),
    "users": Page(STAFF),
    "user_add": Page(STAFF),
    "users_logins": Page(STAFF),
    "user_detail": Page(STAFF, ("owner_user",)),
    "logs": Page(EVERYONE),
    "heartbeats": Page(EVERYONE),
}

# POST-only actions on one object: an outsider's forged POST is a 404.
OBJECT_ACTIONS = {
    "charger_site": ("home",),
    "charger_logbook_switch": ("home",),
    "charger_assignment_remove": ("home",),
    "charger_firmware_install": ("home",),
    "charger_time_zone": ("home",),
    "charger_configuration_read": ("home",),
    "charger_configuration_change": ("home",),
    "charger_picture_delete": ("home", "slot"),
    "inventory_reveal_code": ("home",),
    "session_stop": ("session",),
    "session_logbook": ("session",),
    "reservation_rules": ("group",),
    "reservation_cancel": ("booking_id",),
    "group_update": ("group",),
    "group_delete": ("group",),
    "group_leave": ("group",),
    "group_invite": ("group",),
    "group_invitation_revoke": ("group", "invitation_id"),
    "group_member_remove": ("group", "member_id"),
    "group_charger_toggle": ("group", "home"),
}
# POST-only actions on a selection or on one's own settings: what a forged selection can't
# change is proven by the feature's tests (chargers, tags, users, sessions, group context).
SELECTION_ACTIONS = {"group_context", "chargers_availability", "tags_delete", "users_delete",
                     "sessions_columns", "session_start", "settings_privacy"}


def portal_routes() -> set[str]:
    names = set()

    def walk(resolver, namespace=None):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern, pattern.namespace or namespace)
            elif namespace == "portal":
                names.add(pattern.name)

    walk(get_resolver())
    return names


def test_every_portal_route_is_in_the_matrix():
    covered = set(PAGES) | set(OBJECT_ACTIONS) | SELECTION_ACTIONS
    assert portal_routes() - covered == set(), "add the new portal routes to this matrix"
    assert covered - portal_routes() == set(), "the matrix names routes that no longer exist"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def objects(world, charger, group_charger, org_charger, tags, owner, member):
    """One object of each kind, all the owner's (CP-HOME, group "Residence")."""
    group = Group.objects.get(name="Residence")
    picture = ChargerPicture(charge_point=charger, slot=1, uploaded_by=owner)
    picture.image.save("home.png", ContentFile(_png()), save=False)
    picture.save()
    diagnostics = DiagnosticsFile(
        charge_point=charger, requested_by=owner, token_hash="f" * 64, status=DiagnosticsFile.Status.UPLOADED,
        expires_at=timezone.now(), uploaded_at=timezone.now(), file_name="home.log", size=5)
    diagnostics.file.save("home.log", ContentFile(b"hello"), save=False)
    diagnostics.save()
    operation = ChargerOperation.objects.create(
        charge_point=charger, requested_by=owner, action="GetConfiguration", status="accepted", response={})
    session = charge(charger, "OWNER1", at("2026-03-02"))
    invitation = group.invitations.create(email="friend@example.com", invited_by=owner, token_hash="e" * 64,
                                          expires_at=timezone.now() + timedelta(days=7))
    tomorrow = timezone.now() + timedelta(days=1)
    booking = group.bookings.create(charge_point=group_charger, user=member, starts_at=tomorrow,
                                    ends_at=tomorrow + timedelta(hours=1))
    return {
        "home": charger.charge_point_id, "slot": picture.slot, "session": session.pk, "group": group.pk,
        "owner_tag": tags["owner"].pk, "operation": operation.pk, "diagnostics_file": diagnostics.pk,
        "owner_user": owner.pk, "invitation_id": invitation.pk, "member_id": member.pk, "booking_id": booking.pk,
    }


def _url(name: str, args: tuple, objects: dict, query: str = "") -> str:
    return reverse(f"portal:{name}", args=[objects.get(arg, arg) for arg in args]) + query


def _client(client, persona_user):
    client.force_login(persona_user)
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_is_allowed_or_404(client, world, objects, persona):
    user = world[persona]
    _client(client, user)
    wrong = []
    for name, page in PAGES.items():
        response = client.get(_url(name, page.args, objects, page.query))
        expected = 200 if persona in page.allowed else 404
        if response.status_code != expected:
            wrong.append((name, response.status_code, expected))
            continue
        if name in LISTS and persona not in HOME_USERS | {"staff"} and response.status_code == 200:
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if b"CP-HOME" in body:
                wrong.append((name, "shows CP-HOME", "must not"))
    assert wrong == []


@pytest.mark.parametrize("persona", ["outsider", "operator"])
def test_forged_posts_on_another_tenants_objects_are_404(client, world, objects, persona):
    _client(client, world[persona])
    wrong = []
    for name, args in OBJECT_ACTIONS.items():
        response = client.post(_url(name, args, objects), {"confirm": "1", "enabled": "on", "name": "Forged"})
        if response.status_code != 404:
            wrong.append((name, response.status_code))
    assert wrong == []
    # And nothing of the owner's changed.
    assert Group.objects.filter(name="Residence").exists()
    assert ChargerPicture.objects.filter(charge_point__charge_point_id="CP-HOME").exists()
    assert world["owner"].owned_chargers.filter(charge_point_id="CP-HOME").exists()
