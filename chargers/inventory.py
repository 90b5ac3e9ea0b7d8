"""Maintenance > Inventory (CP-9): the chargers one manages with their hardware data, and the
audited reveals of their secrets (DESIGN.md §6).

The access code (the charger's claim code) is revealed on click to anyone who manages the
charger; the OCPP password and the master password only after the user re-enters their own
account password. Every reveal writes a ``CredentialReveal`` row; wrong passwords are logged
and throttled. Secrets never go to the log: only who asked for what.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import django_filters
import django_tables2 as tables
from django.core.cache import cache
from django.db import transaction
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wccportal.errors import DomainError
from wccportal.lib import crypto

from .models import ChargePoint, CredentialReveal
from .selectors import charger_list_for_user
from .services import offline_limit

log = logging.getLogger(__name__)

# Failed re-entries of one's own password before the reveal form refuses for a while.
REVEAL_ATTEMPTS = 5
REVEAL_WINDOW = 15 * 60  # seconds
MASTER_PASSWORD_MAX = 64


# --- The list ----------------------------------------------------------------------------------


def inventory_list_for_user(user) -> QuerySet[ChargePoint]:
    """The chargers the user manages (own, the organisation's, all for staff) with
    ``in_timeout``: never heard from, or silent for longer than the offline timeout."""
    silent = Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=offline_limit())
    return charger_list_for_user(user, write=True).annotate(
        in_timeout=Case(When(silent, then=Value(True)), default=Value(False), output_field=BooleanField())
    ).order_by("charge_point_id")


class InventoryFilter(django_filters.FilterSet):
    charge_point_id = django_filters.CharFilter(lookup_expr="icontains", label=gettext_lazy("Charge point ID"))
    serial_number = django_filters.CharFilter(lookup_expr="icontains", label=gettext_lazy("MES serial no."))
    model = django_filters.CharFilter(lookup_expr="icontains", label=gettext_lazy("Model name"))
    material_number = django_filters.CharFilter(lookup_expr="icontains", label=gettext_lazy("Material no."))

    class Meta:
        model = ChargePoint
        fields = ["charge_point_id", "serial_number", "model", "material_number"]


def _stamp(value):
    """Date over time: keeps the wide table narrow."""
    if not value:
        return "–"
    local = timezone.localtime(value)
    return format_html('{}<br><span class="text-body-secondary">{}</span>',
                       local.strftime("%Y-%m-%d"), local.strftime("%H:%M"))


class InventoryTable(tables.Table):
    charge_point_id = tables.Column(
        verbose_name=gettext_lazy("Charge point ID"),
        linkify=lambda record: reverse("portal:inventory_detail", args=[record.charge_point_id]),
        attrs={"td": {"class": "text-nowrap fw-semibold"}},
    )
    manufacturing_date = tables.DateColumn(
        verbose_name=gettext_lazy("MF date"), format="Y-m-d", default="–", attrs={"td": {"class": "text-nowrap"}}
    )
    model = tables.Column(verbose_name=gettext_lazy("Model"), default="–",
                          attrs={"td": {"class": "inventory-model"}})
    part_number = tables.Column(verbose_name=gettext_lazy("Part no."), default="–")
    serial_number = tables.Column(verbose_name=gettext_lazy("MES serial no."), default="–")
    material_number = tables.Column(verbose_name=gettext_lazy("Material no."), default="–")
    firmware_version = tables.Column(verbose_name=gettext_lazy("FW version"), default="–")
    vendor_code = tables.Column(verbose_name=gettext_lazy("Vendor code"), default="–")
    created_at = tables.Column(verbose_name=gettext_lazy("Created date"), attrs={"td": {"class": "text-nowrap"}})
    updated_at = tables.Column(verbose_name=gettext_lazy("Modified date"), attrs={"td": {"class": "text-nowrap"}})
    access_code = tables.Column(
        verbose_name=gettext_lazy("Access code"), accessor="pk", orderable=False,
        attrs={"td": {"class": "text-nowrap"}},
    )
    in_timeout = tables.Column(verbose_name=gettext_lazy("In timeout?"))

    class Meta:
        model = ChargePoint
        fields = ()
        sequence = ("charge_point_id", "manufacturing_date", "model", "part_number", "serial_number",
                    "material_number", "firmware_version", "vendor_code", "created_at", "updated_at",
                    "access_code", "in_timeout")
        attrs = {"class": "table table-sm table-hover align-middle mb-0 small", "data-testid": "inventory-table"}
        row_attrs = {"data-testid": lambda record: f"inventory-{record.charge_point_id}"}
        order_by = ("charge_point_id",)
        empty_text = gettext_lazy("No charge points to maintain.")

    def render_created_at(self, value):
        return _stamp(value)

    def render_updated_at(self, value):
        return _stamp(value)

    def render_access_code(self, record):
        # The code itself is fetched on click (an audited POST), never rendered here.
        return format_html(
            '<button type="button" class="btn btn-sm btn-outline-primary py-0 px-2" '
            'data-reveal-url="{}" data-testid="reveal-{}"><i class="bi bi-eye" aria-hidden="true"></i> {}</button>',
            reverse("portal:inventory_reveal_code", args=[record.charge_point_id]),
            record.charge_point_id, _("Show"),
        )

    def render_in_timeout(self, value):
        if value:
            return format_html('<span class="badge text-bg-warning" data-timeout="1">{}</span>', _("Yes"))
        return format_html('<span class="badge text-bg-light border" data-timeout="0">{}</span>', _("No"))


# --- Reveals -----------------------------------------------------------------------------------


def _audit(*, charge_point: ChargePoint, user, secret: str, ip_address: str | None,
           succeeded: bool = True) -> CredentialReveal:
    if succeeded:
        log.info("credential reveal: %s of %s by user %s (%s) from %s",
                 secret, charge_point.charge_point_id, user.pk, user.email, ip_address or "-")
    return CredentialReveal.objects.create(
        charge_point=charge_point, charge_point_ident=charge_point.charge_point_id, user=user,
        user_email=user.email, secret=secret, ip_address=ip_address or None, succeeded=succeeded,
    )


_PASSWORDS = (CredentialReveal.Secret.OCPP_PASSWORD, CredentialReveal.Secret.MASTER_PASSWORD)


def charger_reveal_access_code(*, charge_point: ChargePoint, acting_user, ip_address: str | None = None) -> str:
    """The charger's access code (its claim code), audited. The caller checked that the user
    manages the charger (``charger_get_for_user(..., write=True)``)."""
    _audit(charge_point=charge_point, user=acting_user, secret=CredentialReveal.Secret.ACCESS_CODE,
           ip_address=ip_address)
    return charge_point.claim_code


@dataclass(frozen=True)
class RevealedPasswords:
    ocpp_password: str | None  # None: not set (or no longer readable with the current key)
    master_password: str | None


def _throttle_key(user) -> str:
    return f"credential-reveal-failures:{user.pk}"


def reveal_failures(user) -> int:
    return cache.get(_throttle_key(user), 0)


def _count_failure(user) -> None:
    key = _throttle_key(user)
    cache.add(key, 0, REVEAL_WINDOW)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, REVEAL_WINDOW)


def charger_reveal_passwords(
    *, charge_point: ChargePoint, acting_user, password: str, ip_address: str | None = None
) -> RevealedPasswords:
    """The OCPP and master passwords once the user has re-entered their own account password.

    A wrong password reveals nothing, is logged and counts against the user; after
    REVEAL_ATTEMPTS failures within REVEAL_WINDOW even the right one is refused until the
    window has passed. The caller checked that the user manages the charger."""
    ident, who = charge_point.charge_point_id, f"user {acting_user.pk} ({acting_user.email})"
    if reveal_failures(acting_user) >= REVEAL_ATTEMPTS:
        log.warning("credential reveal refused (throttled): %s of %s from %s", who, ident, ip_address or "-")
        raise DomainError(
            _("Too many wrong passwords. Try again in %(minutes)d minutes.") % {"minutes": REVEAL_WINDOW // 60},
            code="throttled", status=429, fields={"password": "throttled"},
        )
    if not password or not acting_user.check_password(password):
        _count_failure(acting_user)
        log.warning("credential reveal refused (wrong password): %s of %s from %s", who, ident, ip_address or "-")
        # Audited too: the owner sees who tried, not only who saw.
        for secret in _PASSWORDS:
            _audit(charge_point=charge_point, user=acting_user, secret=secret, ip_address=ip_address,
                   succeeded=False)
        raise DomainError(_("The password is not correct."), code="wrong_password", fields={"password": "wrong"})
    cache.delete(_throttle_key(acting_user))
    with transaction.atomic():
        for secret in _PASSWORDS:
            _audit(charge_point=charge_point, user=acting_user, secret=secret, ip_address=ip_address)
    return RevealedPasswords(
        ocpp_password=crypto.decrypt(charge_point.password_encrypted) or None,
        master_password=crypto.decrypt(charge_point.master_password_encrypted) or None,
    )


def credential_reveal_list(*, charge_point: ChargePoint, limit: int = 10) -> list[CredentialReveal]:
    """The latest reveals of this charger's secrets, newest first (for those who manage it)."""
    return list(CredentialReveal.objects.filter(charge_point=charge_point).select_related("user")[:limit])


# --- Master password ---------------------------------------------------------------------------


def charger_set_master_password(*, charge_point: ChargePoint, password: str) -> None:
    """Store the charger's master password (its local set-up password), encrypted for reveals.
    An empty password clears it."""
    password = (password or "").strip()
    if len(password) > MASTER_PASSWORD_MAX:
        raise DomainError(
            _("The master password may have at most %(max)d characters.") % {"max": MASTER_PASSWORD_MAX},
            code="invalid_password", fields={"password": "too_long"},
        )
    charge_point.master_password_encrypted = crypto.encrypt(password) if password else ""
    charge_point.save(update_fields=["master_password_encrypted", "updated_at"])


# --- Demo data ---------------------------------------------------------------------------------


def demo_inventory(chargers) -> int:
    """Fill the inventory data of demo chargers (a dict by id or any iterable of them) where it
    is still empty; returns how many were changed. The values follow from the charger's id, so
    running it again changes nothing."""
    items = chargers.values() if isinstance(chargers, dict) else chargers
    changed = 0
    for index, cp in enumerate(sorted(items, key=lambda c: c.charge_point_id)):
        number = sum(cp.charge_point_id.encode()) * 37 % 100000
        wanted = {
            "manufacturing_date": date(2024, 1 + index % 12, 1 + index % 28),
            "part_number": f"51{number % 10000:04d}B",
            "material_number": f"MAT-{number:05d}",
            "serial_number": f"2100{number:05d}",
            "vendor_code": f"WCC{index + 1:03d}",
        }
        fields = [name for name, value in wanted.items() if not getattr(cp, name)]
        for name in fields:
            setattr(cp, name, wanted[name])
        if fields:
            cp.save(update_fields=[*fields, "updated_at"])
        if not cp.master_password_encrypted:
            charger_set_master_password(charge_point=cp, password=f"master-{cp.charge_point_id.lower()}")
            fields.append("master_password_encrypted")
        changed += bool(fields)
    return changed
