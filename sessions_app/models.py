"""Charging sessions (OCPP transactions), their meter values and events (SES)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chargers.models import ChargePoint, IdTag


class ChargingSession(models.Model):
    """One OCPP transaction. Its primary key is the transactionId given to the charger."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Charging")
        COMPLETED = "completed", _("Completed")

    class Source(models.TextChoices):
        RFID = "rfid", _("RFID at the charger")
        APP = "app", _("App")
        PORTAL = "portal", _("Portal")
        FREE = "free", _("Free charging")

    charge_point = models.ForeignKey(ChargePoint, on_delete=models.PROTECT, related_name="sessions")
    connector_id = models.PositiveIntegerField(_("connector"))
    id_tag = models.CharField(_("tag ID"), max_length=20)
    tag = models.ForeignKey(IdTag, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="charging_sessions"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(_("started by"), max_length=16, choices=Source.choices, default=Source.RFID)
    authorization_status = models.CharField(_("authorization"), max_length=16, default="Accepted")
    reservation_id = models.IntegerField(_("reservation ID"), null=True, blank=True)

    # Charger timestamps (true order) next to the times the platform received them.
    started_at = models.DateTimeField(_("start"))
    stopped_at = models.DateTimeField(_("stop"), null=True, blank=True)
    plugged_out_at = models.DateTimeField(_("plug-out time"), null=True, blank=True)
    received_start_at = models.DateTimeField(default=timezone.now)
    received_stop_at = models.DateTimeField(null=True, blank=True)

    meter_start = models.BigIntegerField(_("meter start (Wh)"))
    meter_stop = models.BigIntegerField(_("meter stop (Wh)"), null=True, blank=True)
    last_meter_wh = models.BigIntegerField(_("last meter reading (Wh)"), null=True, blank=True)
    current_power_w = models.FloatField(_("current power (W)"), null=True, blank=True)
    max_power_w = models.FloatField(_("max power (W)"), null=True, blank=True)
    soc_percent = models.FloatField(_("energy level (%)"), null=True, blank=True)
    stop_reason = models.CharField(_("stop reason"), max_length=32, blank=True)
    stop_id_tag = models.CharField(_("stopped by tag"), max_length=20, blank=True)

    # Logbook (SES-6).
    vehicle_mileage_km = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)
    vehicle_id = models.CharField(_("vehicle ID"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    # Costs (TAR-3): the tariff copied at the start, priced when the session stops.
    tariff_snapshot = models.JSONField(_("tariff"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    cost_energy = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    cost_time = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    cost_connection = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    cost_parking = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    total_cost = models.DecimalField(_("total cost"), max_digits=12, decimal_places=2, null=True, blank=True)
    priced_at = models.DateTimeField(null=True, blank=True)

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("charging session")
        verbose_name_plural = _("charging sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["charge_point", "connector_id"],
                condition=models.Q(status="active"),
                name="session_one_open_per_connector",
            ),
            # A retried StartTransaction is recognised by its content (DESIGN.md §5).
            models.UniqueConstraint(
                fields=["charge_point", "connector_id", "id_tag", "started_at", "meter_start"],
                name="session_start_fingerprint",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-started_at"]),
            models.Index(fields=["charge_point", "-started_at"]),
            models.Index(fields=["status", "charge_point"]),
        ]

    def __str__(self):
        return f"#{self.pk} {self.charge_point_id}/{self.connector_id}"

    @property
    def energy_wh(self):
        end = self.meter_stop if self.meter_stop is not None else self.last_meter_wh
        if end is None:
            return 0
        return max(0, end - self.meter_start)

    @property
    def energy_kwh(self):
        return self.energy_wh / 1000

    @property
    def duration(self):
        end = self.stopped_at or timezone.now()
        return end - self.started_at


class MeterValue(models.Model):
    """One sampled value (MeterValues / transactionData). Written in bulk; huge table."""

    charge_point = models.ForeignKey(ChargePoint, on_delete=models.CASCADE, related_name="+")
    connector_id = models.PositiveIntegerField()
    session = models.ForeignKey(
        ChargingSession, null=True, blank=True, on_delete=models.CASCADE, related_name="meter_values"
    )
    timestamp = models.DateTimeField()
    measurand = models.CharField(max_length=48, default="Energy.Active.Import.Register")
    phase = models.CharField(max_length=8, blank=True)
    unit = models.CharField(max_length=16, blank=True)
    context = models.CharField(max_length=24, blank=True)
    location = models.CharField(max_length=8, blank=True)
    value = models.FloatField(null=True)
    raw_value = models.TextField(blank=True)  # SignedData or anything non-numeric
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["timestamp"]
        constraints = [
            # Retried MeterValues are recognised by content and inserted once.
            models.UniqueConstraint(
                fields=["charge_point", "connector_id", "timestamp", "measurand", "phase", "location", "context"],
                name="metervalue_unique_sample",
            ),
        ]
        indexes = [models.Index(fields=["session", "timestamp"])]

    def __str__(self):
        return f"{self.measurand}={self.value}{self.unit} @ {self.timestamp:%Y-%m-%d %H:%M:%S}"


class SessionEvent(models.Model):
    """A timed entry of a session's log (SES-9)."""

    class Kind(models.TextChoices):
        VEHICLE_CONNECTED = "vehicle_connected", _("Vehicle connected")
        AUTHORIZED = "authorized", _("Authorized")
        CHARGING_STARTED = "charging_started", _("Charging started")
        SUSPENDED_EV = "suspended_ev", _("Suspended by vehicle")
        SUSPENDED_EVSE = "suspended_evse", _("Suspended by charger")
        RESUMED = "resumed", _("Charging resumed")
        STOPPED = "stopped", _("Charging stopped")
        VEHICLE_DISCONNECTED = "vehicle_disconnected", _("Vehicle disconnected")
        REMOTE_STOP_REQUESTED = "remote_stop_requested", _("Stop requested")
        ERROR = "error", _("Error reported")

    session = models.ForeignKey(ChargingSession, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    at = models.DateTimeField()
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["session", "at"])]

    def __str__(self):
        return f"{self.get_kind_display()} @ {self.at:%H:%M:%S}"


class UnmatchedStop(models.Model):
    """A StopTransaction for a transaction the platform does not know, kept for reconciliation."""

    charge_point = models.ForeignKey(ChargePoint, on_delete=models.CASCADE, related_name="unmatched_stops")
    transaction_id = models.BigIntegerField()
    id_tag = models.CharField(max_length=20, blank=True)
    meter_stop = models.BigIntegerField()
    timestamp = models.DateTimeField()
    reason = models.CharField(max_length=32, blank=True)
    transaction_data = models.JSONField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["charge_point", "transaction_id", "meter_stop", "timestamp"],
                name="unmatchedstop_unique",
            )
        ]

    def __str__(self):
        return f"unmatched stop {self.charge_point_id} tx {self.transaction_id}"


class StartRequest(models.Model):
    """A start asked for in the app or the portal (SES-1, SES-2): the RemoteStartTransaction sent,
    and what the session it opens must carry (who, how, the logbook entry of SES-6).

    The StartTransaction that follows is matched by charger, connector and tag within
    ``START_REQUEST_MINUTES``; the request is then linked to its session.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="start_requests")
    charge_point = models.ForeignKey(ChargePoint, on_delete=models.CASCADE, related_name="start_requests")
    connector_id = models.PositiveIntegerField(_("connector"))
    id_tag = models.CharField(_("tag ID"), max_length=20)
    source = models.CharField(_("started by"), max_length=16, choices=ChargingSession.Source.choices,
                              default=ChargingSession.Source.APP)
    vehicle_mileage_km = models.PositiveIntegerField(_("mileage (km)"), null=True, blank=True)
    vehicle_id = models.CharField(_("vehicle ID"), max_length=50, blank=True)
    operation = models.ForeignKey("chargers.ChargerOperation", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    session = models.OneToOneField(ChargingSession, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="start_request")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["charge_point", "connector_id", "-created_at"])]

    def __str__(self):
        return f"start {self.charge_point_id}/{self.connector_id} by {self.user_id}"


class SessionExport(models.Model):
    """An export of sessions as PDF, XLSX or CSV (SES-5), produced by a job and e-mailed as a
    signed, expiring download link; listed in the app until it expires."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "XLSX (Excel)"
        CSV = "csv", "CSV"

    class Scope(models.TextChoices):
        ALL = "all", _("All sessions")
        FILTERED = "filtered", _("Filtered view")
        SESSION = "session", _("One session")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("In progress")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_exports")
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices, default=Scope.ALL)
    # The filters of the view exported (charger, tag, month …) or the one session's id.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)  # relative to EXPORTS_ROOT
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"]), models.Index(fields=["expires_at"])]

    def __str__(self):
        return f"export {self.pk} {self.format} ({self.status})"
