"""Charge points, connectors, authorization tags, shares, favourites and remote operations."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, TimeStamped
from wccportal.lib.storage import private_storage


class ChargePoint(TimeStamped):
    """A charging station speaking OCPP, identified by its charge point id (CP-1 … CP-9)."""

    class Registration(models.TextChoices):
        # The answer given to BootNotification (OCPP RegistrationStatus).
        ACCEPTED = "Accepted", _("Accepted")
        PENDING = "Pending", _("Pending approval")
        REJECTED = "Rejected", _("Rejected")

    charge_point_id = models.CharField(_("charge point ID"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="owned_chargers",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="chargers",
    )
    claim_code = models.CharField(_("claim code"), max_length=32, blank=True)
    # Security profiles 1/2: "sha256$<salt>$<hex>" of the Basic-auth password. Passwords are
    # long random strings, so a fast salted hash is safe and keeps connect storms cheap.
    password_hash = models.CharField(max_length=200, blank=True)
    password_encrypted = models.TextField(blank=True)  # Fernet(CREDENTIALS_KEY), for reveals
    # The charger's own master password (its local set-up), revealable like the OCPP one (CP-9).
    master_password_encrypted = models.TextField(blank=True)
    registration_status = models.CharField(
        _("registration"), max_length=16, choices=Registration.choices,
        default=Registration.ACCEPTED,
    )
    is_active = models.BooleanField(_("active"), default=True)

    # Boot configuration, as reported by BootNotification.
    vendor = models.CharField(_("vendor"), max_length=50, blank=True)
    model = models.CharField(_("model"), max_length=50, blank=True)
    serial_number = models.CharField(_("charge point serial number"), max_length=50, blank=True)
    charge_box_serial_number = models.CharField(
        _("charge box serial number"), max_length=50, blank=True
    )
    firmware_version = models.CharField(_("firmware version"), max_length=50, blank=True)
    iccid = models.CharField(_("ICCID"), max_length=20, blank=True)
    imsi = models.CharField(_("IMSI"), max_length=20, blank=True)
    meter_type = models.CharField(_("meter type"), max_length=25, blank=True)
    meter_serial_number = models.CharField(_("meter serial number"), max_length=25, blank=True)
    # Inventory (CP-9), maintained by staff.
    part_number = models.CharField(_("part number"), max_length=50, blank=True)
    material_number = models.CharField(_("material number"), max_length=50, blank=True)
    vendor_code = models.CharField(_("vendor code"), max_length=50, blank=True)
    manufacturing_date = models.DateField(_("manufacturing date"), null=True, blank=True)

    # Connection state, written by the gateway.
    is_online = models.BooleanField(_("online"), default=False)
    connection_id = models.CharField(max_length=64, blank=True)  # the socket that owns it
    connected_at = models.DateTimeField(_("connected at"), null=True, blank=True)
    disconnected_at = models.DateTimeField(_("disconnected at"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last message"), null=True, blank=True)
    last_heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    last_boot_at = models.DateTimeField(_("last boot"), null=True, blank=True)
    onboarded_at = models.DateTimeField(_("onboard date"), null=True, blank=True)
    diagnostics_status = models.CharField(_("diagnostics status"), max_length=32, blank=True)
    firmware_status = models.CharField(_("firmware status"), max_length=32, blank=True)
    local_list_version = models.IntegerField(_("local list version"), default=0)

    # Owner settings (CP-4, SES-6).
    free_charging = models.BooleanField(_("free charging"), default=False)
    logbook_enabled = models.BooleanField(_("logbook"), default=False)
    led_brightness = models.PositiveSmallIntegerField(
        _("LED brightness (%)"), null=True, blank=True
    )

    # Address (CP-7).
    house_number = models.CharField(_("house number"), max_length=16, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    zip_code = models.CharField(_("zip code"), max_length=16, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Berlin")

    class Meta:
        ordering = ["charge_point_id"]
        verbose_name = _("charge point")
        verbose_name_plural = _("charge points")
        indexes = [
            models.Index(fields=["owner"]),
            models.Index(fields=["is_online", "last_seen_at"]),
            models.Index(fields=["model"]),
        ]

    def __str__(self):
        return self.name or self.charge_point_id

    @property
    def display_name(self):
        return self.name or self.charge_point_id


class Connector(models.Model):
    """A connector of a charge point; connector 0 stands for the charger as a whole (CP-8)."""

    class Status(models.TextChoices):
        # OCPP 1.6 ChargePointStatus.
        AVAILABLE = "Available", _("Available")
        PREPARING = "Preparing", _("Preparing")  # plugged in or authorized, not charging yet
        CHARGING = "Charging", _("Charging")
        SUSPENDED_EVSE = "SuspendedEVSE", _("Suspended by charger")
        SUSPENDED_EV = "SuspendedEV", _("Suspended by vehicle")
        FINISHING = "Finishing", _("Finishing")  # transaction stopped, cable still plugged
        RESERVED = "Reserved", _("Reserved")
        UNAVAILABLE = "Unavailable", _("Unavailable")
        FAULTED = "Faulted", _("Faulted")
        UNKNOWN = "Unknown", _("Unknown")  # nothing reported yet

    class ErrorCode(models.TextChoices):
        # OCPP 1.6 ChargePointErrorCode.
        NO_ERROR = "NoError", _("No error")
        CONNECTOR_LOCK_FAILURE = "ConnectorLockFailure", _("Connector lock failure")
        EV_COMMUNICATION_ERROR = "EVCommunicationError", _("EV communication error")
        GROUND_FAILURE = "GroundFailure", _("Ground failure")
        HIGH_TEMPERATURE = "HighTemperature", _("High temperature")
        INTERNAL_ERROR = "InternalError", _("Internal error")
        LOCAL_LIST_CONFLICT = "LocalListConflict", _("Local list conflict")
        OTHER_ERROR = "OtherError", _("Other error")
        OVER_CURRENT_FAILURE = "OverCurrentFailure", _("Over-current failure")
        OVER_VOLTAGE = "OverVoltage", _("Over-voltage")
        POWER_METER_FAILURE = "PowerMeterFailure", _("Power meter failure")
        POWER_SWITCH_FAILURE = "PowerSwitchFailure", _("Power switch failure")
        READER_FAILURE = "ReaderFailure", _("Reader failure")
        RESET_FAILURE = "ResetFailure", _("Reset failure")
        UNDER_VOLTAGE = "UnderVoltage", _("Under-voltage")
        WEAK_SIGNAL = "WeakSignal", _("Weak signal")

    charge_point = models.ForeignKey(
        ChargePoint, on_delete=models.CASCADE, related_name="connectors"
    )
    connector_id = models.PositiveIntegerField(_("connector"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.UNKNOWN
    )
    error_code = models.CharField(
        _("error code"), max_length=32, choices=ErrorCode.choices, default=ErrorCode.NO_ERROR
    )
    info = models.CharField(_("info"), max_length=50, blank=True)
    vendor_id = models.CharField(_("vendor ID"), max_length=255, blank=True)
    vendor_error_code = models.CharField(_("vendor error code"), max_length=50, blank=True)
    status_timestamp = models.DateTimeField(_("charger time of status"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("last status change"), null=True, blank=True)
    evse_id = models.CharField(_("EVSE ID"), max_length=48, blank=True)

    class Meta:
        ordering = ["charge_point_id", "connector_id"]
        verbose_name = _("connector")
        verbose_name_plural = _("connectors")
        constraints = [
            models.UniqueConstraint(
                fields=["charge_point", "connector_id"], name="connector_unique_per_cp"
            ),
        ]

    def __str__(self):
        return f"{self.charge_point_id}/{self.connector_id}"


class IdTag(TimeStamped):
    """An authorization tag: a physical RFID card or a virtual tag (TAG-1 … TAG-4)."""

    class Kind(models.TextChoices):
        PHYSICAL = "physical", _("RFID card")
        VIRTUAL = "virtual", _("Virtual tag")

    class TagType(models.TextChoices):
        # TAG-4: documentation only.
        OTHER = "other", _("Other")
        PRIVATE = "private", _("Private")
        COMPANY = "company", _("Company")

    id_tag = models.CharField(_("tag ID"), max_length=20)  # OCPP IdToken is CiString20
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="id_tags",
    )
    alias = models.CharField(_("alias"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.VIRTUAL)
    tag_type = models.CharField(
        _("type"), max_length=16, choices=TagType.choices, default=TagType.OTHER
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_favourite = models.BooleanField(_("favourite"), default=False)
    parent_id_tag = models.CharField(_("parent tag ID"), max_length=20, blank=True)
    # TAG-4: restrict a tag to some charge points; empty means wherever its user has rights.
    valid_charge_points = models.ManyToManyField(
        ChargePoint, verbose_name=_("valid charge points"), blank=True,
        related_name="restricted_tags",
    )

    class Meta:
        ordering = ["id_tag"]
        verbose_name = _("authorization tag")
        verbose_name_plural = _("authorization tags")
        constraints = [
            models.UniqueConstraint(Lower("id_tag"), name="idtag_unique_ci"),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(is_favourite=True),
                name="idtag_one_favourite_per_user",
            ),
        ]

    def __str__(self):
        return self.alias or self.id_tag

    def is_expired(self, at=None):
        return self.expires_at is not None and self.expires_at <= (at or timezone.now())


class ChargerShare(TimeStamped):
    """A charger shared by its owner with an e-mail address until an expiry (CP-3, ACC-3)."""

    charge_point = models.ForeignKey(ChargePoint, on_delete=models.CASCADE, related_name="shares")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares_given"
    )
    email = models.EmailField(_("recipient e-mail"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="shares_received",
    )
    id_tag = models.ForeignKey(
        IdTag, verbose_name=_("authorization tag"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="shares",
    )
    access_code_hash = models.CharField(max_length=200)  # per-share secret, hashed
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        indexes = [
            models.Index(fields=["email", "expires_at"]),
            models.Index(fields=["charge_point", "expires_at"]),
        ]

    def __str__(self):
        return f"{self.charge_point} → {self.email}"

    def is_valid(self, at=None):
        return self.revoked_at is None and self.expires_at > (at or timezone.now())


class Favourite(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourites"
    )
    charge_point = models.ForeignKey(
        ChargePoint, on_delete=models.CASCADE, related_name="favourited_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "charge_point"], name="favourite_unique"),
        ]

    def __str__(self):
        return f"{self.user} ★ {self.charge_point}"


class ChargerOperation(models.Model):
    """A command sent to a charger and its outcome (OPS-1, OPS-2)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")  # sent, no answer yet
        ACCEPTED = "accepted", _("Accepted")  # the charger answered positively
        REJECTED = "rejected", _("Rejected")  # the charger answered negatively
        FAILED = "failed", _("Failed")  # CALLERROR or invalid answer
        TIMED_OUT = "timed_out", _("Timed out")
        OFFLINE = "offline", _("Offline")  # not connected: nothing was sent

    charge_point = models.ForeignKey(
        ChargePoint, on_delete=models.CASCADE, related_name="operations"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="charger_operations",
    )
    action = models.CharField(_("action"), max_length=40)
    payload = models.JSONField(_("request"), default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    response = models.JSONField(_("answer"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    message_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("remote operation")
        verbose_name_plural = _("remote operations")
        indexes = [
            models.Index(fields=["charge_point", "-created_at"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self):
        return f"{self.action} → {self.charge_point_id} ({self.status})"


class ConfigurationKey(models.Model):
    """Which OCPP configuration key carries an owner setting on a charger model (CP-4).

    Kept in data so a new charger model needs a row in admin, not a code change. An empty
    vendor matches every vendor of the model; an empty model is the platform-wide default.
    """

    class Setting(models.TextChoices):
        FREE_CHARGING = "free_charging", _("Free charging")
        LED_BRIGHTNESS = "led_brightness", _("LED brightness")

    vendor = models.CharField(_("vendor"), max_length=50, blank=True)
    model = models.CharField(_("model"), max_length=50, blank=True)
    setting = models.CharField(_("setting"), max_length=32, choices=Setting.choices)
    key = models.CharField(_("configuration key"), max_length=50)
    # For on/off settings: the values the charger expects.
    true_value = models.CharField(_("value for on"), max_length=20, default="true")
    false_value = models.CharField(_("value for off"), max_length=20, default="false")

    class Meta:
        ordering = ["vendor", "model", "setting"]
        verbose_name = _("configuration key")
        verbose_name_plural = _("configuration keys")
        constraints = [
            models.UniqueConstraint(fields=["vendor", "model", "setting"], name="configkey_unique"),
        ]

    def __str__(self):
        return f"{self.vendor or '*'} {self.model or '*'}: {self.setting} → {self.key}"


class FirmwareRelease(TimeStamped):
    """A firmware version published by staff for a charger model (CP-5)."""

    vendor = models.CharField(_("vendor"), max_length=50, blank=True)  # empty: any vendor
    model = models.CharField(_("model"), max_length=50)
    version = models.CharField(_("version"), max_length=50)
    location = models.URLField(_("download URL"), max_length=500)
    release_notes = models.TextField(_("release notes"), blank=True)
    released_at = models.DateTimeField(_("released"), default=timezone.now)
    is_active = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["model", "-released_at"]
        verbose_name = _("firmware release")
        verbose_name_plural = _("firmware releases")
        constraints = [
            models.UniqueConstraint(fields=["vendor", "model", "version"], name="firmware_unique"),
        ]

    def __str__(self):
        return f"{self.model} {self.version}"


class TagEnrolment(models.Model):
    """A window in which the next unknown card presented at a charger is bound to a user (TAG-1)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tag_enrolments"
    )
    charge_point = models.ForeignKey(
        ChargePoint, on_delete=models.CASCADE, related_name="tag_enrolments"
    )
    alias = models.CharField(_("alias"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    id_tag = models.ForeignKey(
        IdTag, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # set when a card was presented and bound
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("card enrolment")
        verbose_name_plural = _("card enrolments")
        indexes = [models.Index(fields=["charge_point", "expires_at"])]

    def __str__(self):
        return f"{self.user} @ {self.charge_point}"


class LocalListEntry(models.Model):
    """One entry of a charger's local authorization list as last accepted by it (TAG-5).

    The platform keeps this mirror to send only differences (SendLocalList Differential);
    ``ChargePoint.local_list_version`` is the version the charger confirmed.
    """

    charge_point = models.ForeignKey(
        ChargePoint, on_delete=models.CASCADE, related_name="local_list"
    )
    id_tag = models.CharField(_("tag ID"), max_length=20)
    status = models.CharField(_("status"), max_length=16, default="Accepted")
    expiry_date = models.DateTimeField(_("expires"), null=True, blank=True)
    parent_id_tag = models.CharField(_("parent tag ID"), max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["charge_point", "id_tag"]
        verbose_name = _("local list entry")
        verbose_name_plural = _("local list entries")
        constraints = [
            models.UniqueConstraint(
                "charge_point", Lower("id_tag"), name="locallist_unique_ci"
            ),
        ]

    def __str__(self):
        return f"{self.charge_point_id}: {self.id_tag}"


def _private_name(instance, filename: str, folder: str) -> str:
    # A random name: the charger's or browser's file name is shown from the row, never trusted.
    suffix = Path(filename).suffix.lower()[:10]
    return f"chargers/{instance.charge_point_id}/{folder}/{uuid.uuid4().hex}{suffix}"


def picture_upload_to(instance, filename):
    return _private_name(instance, filename, "pictures")


def diagnostics_upload_to(instance, filename):
    return _private_name(instance, filename, "diagnostics")


class ChargerPicture(models.Model):
    """One of the (at most two) pictures of a charger (CP-7 Pictures)."""

    class Slot(models.IntegerChoices):
        FIRST = 1, _("First picture")
        SECOND = 2, _("Second picture")

    charge_point = models.ForeignKey(ChargePoint, on_delete=models.CASCADE, related_name="pictures")
    slot = models.PositiveSmallIntegerField(_("slot"), choices=Slot.choices)
    image = models.ImageField(_("picture"), storage=private_storage, upload_to=picture_upload_to)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["charge_point", "slot"]
        verbose_name = _("charger picture")
        verbose_name_plural = _("charger pictures")
        constraints = [
            models.UniqueConstraint(fields=["charge_point", "slot"], name="chargerpicture_one_per_slot"),
        ]

    def __str__(self):
        return f"{self.charge_point} #{self.slot}"


class DiagnosticsFile(models.Model):
    """A GetDiagnostics request and the file the charger uploads for it (CP-7, CP-10).

    The request carries a one-time upload link (its token is stored hashed); the charger
    sends the file there and it is kept under PRIVATE_ROOT for those who manage the charger.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        UPLOADING = "uploading", _("Uploading")
        UPLOADED = "uploaded", _("Uploaded")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    charge_point = models.ForeignKey(
        ChargePoint, on_delete=models.CASCADE, related_name="diagnostics_files"
    )
    operation = models.ForeignKey(
        ChargerOperation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=diagnostics_upload_to, blank=True, max_length=255
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)  # as the charger names it
    size = models.BigIntegerField(_("size (bytes)"), null=True, blank=True)
    start_time = models.DateTimeField(_("from"), null=True, blank=True)
    stop_time = models.DateTimeField(_("until"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    expires_at = models.DateTimeField(_("upload link valid until"))
    uploaded_at = models.DateTimeField(_("uploaded at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("diagnostics file")
        verbose_name_plural = _("diagnostics files")
        indexes = [models.Index(fields=["charge_point", "-requested_at"])]

    def __str__(self):
        return f"{self.charge_point} {self.requested_at:%Y-%m-%d %H:%M} ({self.status})"


class SecurityEvent(models.Model):
    """A SecurityEventNotification from a charger (OCPP 1.6 security extension, CP-10)."""

    charge_point = models.ForeignKey(
        ChargePoint, on_delete=models.CASCADE, related_name="security_events"
    )
    type = models.CharField(_("event"), max_length=50)
    tech_info = models.CharField(_("technical information"), max_length=255, blank=True)
    timestamp = models.DateTimeField(_("charger time"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        indexes = [models.Index(fields=["charge_point", "-id"])]

    def __str__(self):
        return f"{self.charge_point} {self.type}"


class CredentialReveal(models.Model):
    """Who saw which secret of which charger, and when (CP-9, DESIGN.md §6).

    The charger and the user are copied as text too, so the audit outlives both rows."""

    class Secret(models.TextChoices):
        ACCESS_CODE = "access_code", _("Access code")
        OCPP_PASSWORD = "ocpp_password", _("OCPP password")
        MASTER_PASSWORD = "master_password", _("Master password")

    charge_point = models.ForeignKey(
        ChargePoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="credential_reveals"
    )
    charge_point_ident = models.CharField(_("charge point ID"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_email = models.EmailField(_("user"))
    secret = models.CharField(_("secret"), max_length=20, choices=Secret.choices)
    # False: the user asked but re-entered a wrong account password, so nothing was shown.
    succeeded = models.BooleanField(_("shown"), default=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("credential reveal")
        verbose_name_plural = _("credential reveals")
        indexes = [models.Index(fields=["charge_point", "-created_at"])]

    def __str__(self):
        return f"{self.user_email} saw {self.secret} of {self.charge_point_ident}"
