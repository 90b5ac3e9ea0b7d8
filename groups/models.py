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
    # Booking rules (RES-1), set by the owner in the portal.
    bookings_enabled = models.BooleanField(_("bookings enabled"), default=False)
    booking_max_minutes = models.PositiveIntegerField(_("longest booking (minutes)"), default=240)
    booking_horizon_days = models.PositiveIntegerField(_("bookable days ahead"), default=14)
    booking_no_show_minutes = models.PositiveIntegerField(
        _("no-show release (minutes)"), default=15,
        help_text=_("A booking nobody starts charging on is released after this long."))

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


class TariffPeriod(models.Model):
    """A time-of-use period of a tariff (TAR-1): other prices on some weekdays between two
    times of day, in the time zone of the charger's site. ``end_time`` 00:00 means midnight
    at the end of the day; a period never crosses midnight (use two)."""

    tariff = models.ForeignKey(Tariff, on_delete=models.CASCADE, related_name="periods")
    weekdays = models.CharField(
        _("weekdays"), max_length=7, default="0123456",
        help_text=_("Digits of the weekdays it applies on: 0 = Monday … 6 = Sunday."),
    )
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    price_per_kwh = models.DecimalField(_("price per kWh"), max_digits=10, decimal_places=4)
    time_fee_per_hour = models.DecimalField(
        _("time fee per hour of charging"), max_digits=10, decimal_places=4, null=True, blank=True,
        help_text=_("Empty: the tariff's own time fee."),
    )

    class Meta:
        ordering = ["tariff", "weekdays", "start_time"]
        verbose_name = _("time-of-use period")
        verbose_name_plural = _("time-of-use periods")

    def __str__(self):
        return f"{self.weekdays} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class Invitation(TimeStamped):
    """An invitation to join a group, sent by e-mail with an Accept link (GRP-3). The link
    carries a random token of which only the hash is stored."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Revoked")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    expires_at = models.DateTimeField(_("expires"))
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations",
        help_text=_("Who answered it."),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["email", "status"], name="invitation_email_status")]

    def __str__(self):
        return f"{self.email} → {self.group}"


class Booking(TimeStamped):
    """A reservation of one charger of a group for a time slot (RES-1 … RES-3).

    No two live bookings of a charger overlap: creation locks the group's row, and on
    PostgreSQL an exclusion constraint (migration 0003) enforces it in the database too.
    ``reservationId`` of ReserveNow is the booking's pk."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        COMPLETED = "completed", _("Completed")
        NO_SHOW = "no_show", _("No-show")

    LIVE = (Status.BOOKED,)

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="bookings")
    charge_point = models.ForeignKey(ChargePoint, on_delete=models.CASCADE, related_name="bookings")
    connector_id = models.PositiveIntegerField(_("connector"), default=0)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookings")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.BOOKED)
    reserved_at = models.DateTimeField(_("reserved at the charger"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["charge_point", "starts_at"], name="booking_cp_start"),
            models.Index(fields=["user", "starts_at"], name="booking_user_start"),
            models.Index(fields=["status", "starts_at"], name="booking_status_start"),
        ]

    def __str__(self):
        return f"{self.charge_point} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class WaitlistEntry(TimeStamped):
    """A driver queued for the next free charger of a group (RES-4). When one frees up the
    first waiting entry is offered it, held for ``hold_until``; then the next one's turn."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Charger held for you")
        SERVED = "served", _("Served")
        EXPIRED = "expired", _("Hold expired")
        CANCELLED = "cancelled", _("Left the queue")

    OPEN = (Status.WAITING, Status.OFFERED)

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="waitlist")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waitlist_entries")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.WAITING)
    offered_charge_point = models.ForeignKey(
        ChargePoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="waitlist_holds")
    offered_at = models.DateTimeField(_("offered"), null=True, blank=True)
    hold_until = models.DateTimeField(_("held until"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"], condition=models.Q(status__in=["waiting", "offered"]),
                name="waitlist_one_open_entry",
            ),
        ]
        indexes = [
            models.Index(fields=["group", "status", "created_at"], name="waitlist_queue"),
            models.Index(fields=["offered_charge_point", "hold_until"], name="waitlist_hold"),
        ]

    def __str__(self):
        return f"{self.user} waiting for {self.group}"
