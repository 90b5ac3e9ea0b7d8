"""Groups of drivers around chargers, their members and tariffs (GRP, TAR-1)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import TimeStamped
from chargers.models import ChargePoint
from wccportal.lib.money import CURRENCIES


class Tariff(TimeStamped):
    """Prices of charging (TAR-1). Sessions copy it at their start (TAR-3)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tariffs")
    name = models.CharField(_("name"), max_length=100)
    currency = models.CharField(
        _("currency"), max_length=3, choices=[(c, c) for c in CURRENCIES], default="EUR"
    )
    connection_fee = models.DecimalField(
        _("connection fee per session"), max_digits=10, decimal_places=4, default=Decimal("0"))
    price_per_kwh = models.DecimalField(
        _("price per kWh"), max_digits=10, decimal_places=4, default=Decimal("0"))
    time_fee_per_hour = models.DecimalField(
        _("time fee per hour of charging"), max_digits=10, decimal_places=4, default=Decimal("0"))
    parking_fee_per_hour = models.DecimalField(
        _("parking fee per hour after charging"), max_digits=10, decimal_places=4, default=Decimal("0"))
    parking_grace_minutes = models.PositiveIntegerField(_("parking grace period (minutes)"), default=0)
    min_price = models.DecimalField(_("minimum per session"), max_digits=10, decimal_places=2, null=True, blank=True)
    max_price = models.DecimalField(_("maximum per session"), max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")

    def __str__(self):
        return f"{self.name} ({self.currency})"


class Group(TimeStamped):
    """A group: an owner's chargers used by its members at the group's tariff (GRP-1)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_groups")
    name = models.CharField(_("name"), max_length=100)
    city = models.CharField(_("city"), max_length=100, blank=True)
    zip_code = models.CharField(_("zip code"), max_length=16, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    tariff = models.ForeignKey(
        Tariff, verbose_name=_("tariff"), null=True, blank=True, on_delete=models.SET_NULL, related_name="groups"
    )
    bookings_enabled = models.BooleanField(_("bookings enabled"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self):
        return self.name


class Membership(TimeStamped):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        ordering = ["group", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} in {self.group}"


class GroupCharger(TimeStamped):
    """A charger placed in a group; the one-to-one makes "at most one group" a DB rule (GRP-5)."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="charger_links")
    charge_point = models.OneToOneField(ChargePoint, on_delete=models.CASCADE, related_name="group_link")

    class Meta:
        ordering = ["group", "charge_point"]
        verbose_name = _("group charger")
        verbose_name_plural = _("group chargers")

    def __str__(self):
        return f"{self.charge_point} in {self.group}"
