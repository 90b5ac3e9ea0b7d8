"""Portal operations (OPS-1, OPS-2): one form per OCPP 1.6 command, its payload, the history.

Each command is a ``Command`` (slug in the URL, OCPP action, label, icon, form). A form takes
the user and offers only the chargers they may manage (``charger_list_for_user(write=True)``),
validates the parameters with OCPP 1.6's types and enumerations, then ``payload()`` builds the
request (camelCase) that ``chargers.services.operation_request`` checks once more against the
schema before anything is recorded or sent. ``answer_rows`` turns a charger's answer into
readable rows for the result panel.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC

import django_filters
import django_tables2 as tables
from django import forms
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from wccportal.lib import ocpp16

from .models import ChargePoint, ChargerOperation
from .selectors import charger_list_for_user, tag_list_for_user

MAX_INT = 2**31 - 1  # OCPP "integer": a 32-bit signed value on most chargers
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _iso(value) -> str:
    """An aware datetime as OCPP's dateTime (UTC, seconds, "Z")."""
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


def _datetime_field(label, *, required=True, help_text=""):
    return forms.DateTimeField(
        label=label, required=required, help_text=help_text, widget=DateTimeLocalInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


def _int_field(label, *, required=True, min_value=0, max_value=MAX_INT, initial=None, help_text=""):
    return forms.IntegerField(
        label=label, required=required, min_value=min_value, max_value=max_value, initial=initial,
        help_text=help_text,
    )


def _choices(*values):
    return [(v, v) for v in values]


class ChargerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ChargePoint) -> str:
        label = obj.charge_point_id
        if obj.name and obj.name != obj.charge_point_id:
            label += f" – {obj.name}"
        if not obj.is_online:
            label += " " + str(_("(offline)"))
        return label


class OperationForm(forms.Form):
    """The charger picker shared by every command; subclasses add the parameters."""

    action: str = ""

    charge_point = ChargerChoiceField(
        label=_("Charge point"), queryset=ChargePoint.objects.none(), to_field_name="charge_point_id",
        empty_label=_("Select a charge point"),
        error_messages={"invalid_choice": _("Select one of the charge points you manage.")},
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["charge_point"].queryset = charger_list_for_user(user, write=True).order_by(
            "charge_point_id"
        )

    # --- helpers for subclasses -----------------------------------------------------------

    def connector_count(self) -> int | None:
        cp = self.cleaned_data.get("charge_point")
        if cp is None:
            return None
        return cp.connectors.filter(connector_id__gt=0).count()

    def check_connector(self, field: str, *, allow_zero: bool) -> None:
        value = self.cleaned_data.get(field)
        if value is None:
            return
        if value == 0 and not allow_zero:
            self.add_error(field, _("Connector 0 is the charger as a whole: choose a connector from 1."))
            return
        count = self.connector_count()
        if count and value > count:
            self.add_error(
                field,
                ngettext("This charge point has %(count)s connector.",
                         "This charge point has %(count)s connectors.", count) % {"count": count},
            )

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                ocpp16.validate(self.action, self.payload(), inbound=False)
            except ocpp16.OcppCallError as exc:
                raise forms.ValidationError(
                    _("These parameters are not valid for %(action)s: %(reason)s")
                    % {"action": self.action, "reason": exc.description}
                ) from None
        return cleaned

    def payload(self) -> dict:
        return {}

    @staticmethod
    def compact(payload: dict) -> dict:
        """Leave out optional fields that were left empty."""
        return {k: v for k, v in payload.items() if v not in (None, "", [])}


# --- The commands ---------------------------------------------------------------------------


class RemoteStartForm(OperationForm):
    action = "RemoteStartTransaction"
    connector_id = _int_field(_("Connector"), min_value=1, initial=1)
    id_tag = forms.ChoiceField(label=_("RFID tag"), help_text=_("The tag the session is started with."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tags = tag_list_for_user(self.user).filter(is_active=True).order_by("-is_favourite", "alias", "id_tag")
        self.fields["id_tag"].choices = [("", _("Select a tag"))] + [
            (t.id_tag, f"{t.id_tag} – {t.alias}" if t.alias else t.id_tag) for t in tags[:500]
        ]

    def clean(self):
        self.check_connector("connector_id", allow_zero=False)
        return super().clean()

    def payload(self):
        return {"connectorId": self.cleaned_data["connector_id"], "idTag": self.cleaned_data["id_tag"]}


class RemoteStopForm(OperationForm):
    action = "RemoteStopTransaction"
    transaction_id = _int_field(
        _("Transaction ID"), help_text=_("The ID of the running session, as shown under Charging Sessions.")
    )

    def payload(self):
        return {"transactionId": self.cleaned_data["transaction_id"]}


class ResetForm(OperationForm):
    action = "Reset"
    type = forms.ChoiceField(
        label=_("Reset type"),
        choices=[("Soft", _("Soft – restart once the current session has ended")),
                 ("Hard", _("Hard – restart at once, a running session is ended"))],
    )

    def payload(self):
        return {"type": self.cleaned_data["type"]}


class ChangeAvailabilityForm(OperationForm):
    action = "ChangeAvailability"
    connector_id = _int_field(_("Connector"), initial=0, help_text=_("0 = the charge point as a whole."))
    type = forms.ChoiceField(
        label=_("Availability"),
        choices=[("Operative", _("Operative – can be used")), ("Inoperative", _("Inoperative – blocked"))],
    )

    def clean(self):
        self.check_connector("connector_id", allow_zero=True)
        return super().clean()

    def payload(self):
        return {"connectorId": self.cleaned_data["connector_id"], "type": self.cleaned_data["type"]}


class ChangeConfigurationForm(OperationForm):
    action = "ChangeConfiguration"
    key = forms.CharField(label=_("Key"), max_length=50, help_text=_("For example HeartbeatInterval."))
    value = forms.CharField(label=_("Value"), max_length=500, required=False, strip=False)

    def payload(self):
        return {"key": self.cleaned_data["key"], "value": self.cleaned_data["value"]}


class GetConfigurationForm(OperationForm):
    action = "GetConfiguration"
    keys = forms.CharField(
        label=_("Keys"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One key per line; leave empty for all keys."),
    )

    def clean_keys(self):
        keys = [k.strip() for k in self.cleaned_data["keys"].replace(",", "\n").splitlines() if k.strip()]
        too_long = [k for k in keys if len(k) > 50]
        if too_long:
            raise forms.ValidationError(
                _("A key has at most 50 characters: %(key)s") % {"key": too_long[0][:60]}
            )
        if len(keys) > 100:
            raise forms.ValidationError(_("Ask for at most 100 keys at once."))
        return list(dict.fromkeys(keys))

    def payload(self):
        return self.compact({"key": self.cleaned_data["keys"]})


class _RetriesMixin(forms.Form):
    retries = _int_field(_("Retries"), required=False, max_value=100)
    retry_interval = _int_field(_("Retry interval (s)"), required=False, max_value=86400)


class _LocationField(forms.CharField):
    default_validators = [URLValidator(schemes=["ftp", "ftps", "http", "https", "sftp"])]


class GetDiagnosticsForm(_RetriesMixin, OperationForm):
    """Without a location the charger uploads to the portal itself (a one-time link, CP-7):
    ``request_operation`` then goes through ``chargers.diagnostics.diagnostics_request``."""

    action = "GetDiagnostics"
    location = _LocationField(
        label=_("Upload location"), max_length=500, required=False,
        help_text=_("Leave empty to receive the file in the portal (Maintenance > Diagnostics), or enter "
                    "a server of yours, e.g. ftp://user:password@host/path"),
    )
    start_time = _datetime_field(_("From"), required=False)
    stop_time = _datetime_field(_("To"), required=False)

    _checking = False

    def clean(self):
        start, stop = self.cleaned_data.get("start_time"), self.cleaned_data.get("stop_time")
        if start and stop and stop <= start:
            self.add_error("stop_time", _("The end must come after the start."))
        # The schema check runs with a stand-in for the portal's link, which only
        # request_operation makes (payload() alone never carries one).
        self._checking = True
        try:
            return super().clean()
        finally:
            self._checking = False

    def payload(self):
        d = self.cleaned_data
        location = d.get("location") or ("https://portal.invalid/diagnostics/" if self._checking else None)
        return self.compact({
            "location": location, "retries": d.get("retries"), "retryInterval": d.get("retry_interval"),
            "startTime": _iso(d["start_time"]) if d.get("start_time") else None,
            "stopTime": _iso(d["stop_time"]) if d.get("stop_time") else None,
        })

    def request_operation(self, *, acting_user) -> ChargerOperation:
        from .diagnostics import diagnostics_request
        from .services import operation_request

        d = self.cleaned_data
        if d.get("location"):
            return operation_request(charge_point=d["charge_point"], action=self.action, payload=self.payload(),
                                     acting_user=acting_user)
        return diagnostics_request(
            charge_point=d["charge_point"], acting_user=acting_user, start_time=d.get("start_time"),
            stop_time=d.get("stop_time"), retries=d.get("retries"), retry_interval=d.get("retry_interval"),
        ).operation


class UnlockConnectorForm(OperationForm):
    action = "UnlockConnector"
    connector_id = _int_field(_("Connector"), min_value=1, initial=1)

    def clean(self):
        self.check_connector("connector_id", allow_zero=False)
        return super().clean()

    def payload(self):
        return {"connectorId": self.cleaned_data["connector_id"]}


class TriggerMessageForm(OperationForm):
    action = "TriggerMessage"
    requested_message = forms.ChoiceField(
        label=_("Message"),
        choices=_choices("BootNotification", "DiagnosticsStatusNotification", "FirmwareStatusNotification",
                         "Heartbeat", "MeterValues", "StatusNotification"),
    )
    connector_id = _int_field(_("Connector"), required=False, help_text=_("Optional; empty = the whole charger."))

    def clean(self):
        self.check_connector("connector_id", allow_zero=True)
        return super().clean()

    def payload(self):
        return self.compact({"requestedMessage": self.cleaned_data["requested_message"],
                             "connectorId": self.cleaned_data.get("connector_id")})


class UpdateFirmwareForm(_RetriesMixin, OperationForm):
    action = "UpdateFirmware"
    location = _LocationField(label=_("Firmware location"), max_length=500,
                              help_text=_("The address the charger downloads the firmware from."))
    retrieve_date = _datetime_field(_("Download from"), help_text=_("The charger starts the download after this time."))

    def payload(self):
        d = self.cleaned_data
        return self.compact({"location": d["location"], "retrieveDate": _iso(d["retrieve_date"]),
                             "retries": d.get("retries"), "retryInterval": d.get("retry_interval")})


class ReserveNowForm(OperationForm):
    action = "ReserveNow"
    connector_id = _int_field(_("Connector"), initial=1, help_text=_("0 = any connector of the charge point."))
    id_tag = forms.CharField(label=_("RFID tag"), max_length=20)
    parent_id_tag = forms.CharField(label=_("Parent tag"), max_length=20, required=False)
    expiry_date = _datetime_field(_("Reserved until"))
    reservation_id = _int_field(_("Reservation ID"))

    def clean_expiry_date(self):
        value = self.cleaned_data["expiry_date"]
        if value <= timezone.now():
            raise forms.ValidationError(_("The reservation must end in the future."))
        return value

    def clean(self):
        self.check_connector("connector_id", allow_zero=True)
        return super().clean()

    def payload(self):
        d = self.cleaned_data
        return self.compact({"connectorId": d["connector_id"], "expiryDate": _iso(d["expiry_date"]),
                             "idTag": d["id_tag"], "parentIdTag": d.get("parent_id_tag"),
                             "reservationId": d["reservation_id"]})


class CancelReservationForm(OperationForm):
    action = "CancelReservation"
    reservation_id = _int_field(_("Reservation ID"))

    def payload(self):
        return {"reservationId": self.cleaned_data["reservation_id"]}


class ClearCacheForm(OperationForm):
    action = "ClearCache"


class SendLocalListForm(OperationForm):
    action = "SendLocalList"
    update_type = forms.ChoiceField(
        label=_("Update type"),
        choices=[("Full", _("Full – replace the charger's list")),
                 ("Differential", _("Differential – add, change or remove entries"))],
    )
    entries = forms.CharField(
        label=_("Entries"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One tag per line: tag ID, status (Accepted, Blocked, Expired, Invalid), optional expiry "
                    "(YYYY-MM-DDTHH:MM). A tag without status is removed (differential). Leave empty with "
                    "“Full” to send the platform's authorization list for this charge point."),
    )

    STATUSES = ("Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx")

    def clean_entries(self):
        entries = []
        seen = set()
        for number, line in enumerate(self.cleaned_data["entries"].splitlines(), start=1):
            parts = [p.strip() for p in line.split(",")]
            if not parts[0]:
                continue
            id_tag = parts[0]
            if len(id_tag) > 20:
                raise forms.ValidationError(_("Line %(n)s: a tag ID has at most 20 characters.") % {"n": number})
            if id_tag.lower() in seen:
                raise forms.ValidationError(_("Line %(n)s: %(tag)s appears twice.") % {"n": number, "tag": id_tag})
            seen.add(id_tag.lower())
            entry = {"idTag": id_tag}
            if len(parts) > 1 and parts[1]:
                if parts[1] not in self.STATUSES:
                    raise forms.ValidationError(
                        _("Line %(n)s: unknown status %(status)s.") % {"n": number, "status": parts[1][:30]}
                    )
                info = {"status": parts[1]}
                if len(parts) > 2 and parts[2]:
                    try:
                        expiry = forms.DateTimeField(input_formats=[DATETIME_FORMAT, "%Y-%m-%d"]).clean(parts[2])
                    except forms.ValidationError:
                        raise forms.ValidationError(
                            _("Line %(n)s: the expiry is not a date.") % {"n": number}
                        ) from None
                    info["expiryDate"] = _iso(expiry)
                entry["idTagInfo"] = info
            entries.append(entry)
        if len(entries) > 1000:
            raise forms.ValidationError(_("Send at most 1000 entries at once."))
        return entries

    def clean(self):
        d = self.cleaned_data
        if d.get("update_type") == "Differential" and not d.get("entries") and "entries" not in self.errors:
            self.add_error("entries", _("A differential update needs at least one entry."))
        if d.get("update_type") == "Full" and any("idTagInfo" not in e for e in d.get("entries") or []):
            self.add_error("entries", _("Every entry of a full list needs a status."))
        return super().clean()

    def payload(self):
        from .local_list import desired_list, max_list_length

        cp = self.cleaned_data["charge_point"]
        entries = self.cleaned_data["entries"]
        if not entries and self.cleaned_data["update_type"] == "Full":
            chosen = sorted(desired_list(cp).values(), key=lambda e: e.key)[: max_list_length(cp)]
            entries = [e.to_ocpp() for e in chosen]
        return {"listVersion": max(cp.local_list_version, 0) + 1,
                "updateType": self.cleaned_data["update_type"], "localAuthorizationList": entries}


class GetLocalListVersionForm(OperationForm):
    action = "GetLocalListVersion"


PURPOSES = ("ChargePointMaxProfile", "TxDefaultProfile", "TxProfile")


class SetChargingProfileForm(OperationForm):
    action = "SetChargingProfile"
    connector_id = _int_field(_("Connector"), initial=0, help_text=_("0 = the charge point as a whole."))
    profile_id = _int_field(_("Profile ID"), initial=1)
    stack_level = _int_field(_("Stack level"), initial=0)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=_choices(*PURPOSES), initial="TxDefaultProfile")
    kind = forms.ChoiceField(label=_("Kind"), choices=_choices("Absolute", "Recurring", "Relative"),
                             initial="Relative")
    recurrency_kind = forms.ChoiceField(label=_("Recurrence"), required=False,
                                        choices=[("", "–")] + _choices("Daily", "Weekly"))
    transaction_id = _int_field(_("Transaction ID"), required=False, help_text=_("Only for a TxProfile."))
    start_schedule = _datetime_field(_("Schedule start"), required=False)
    duration = _int_field(_("Duration (s)"), required=False)
    rate_unit = forms.ChoiceField(label=_("Unit"), choices=[("A", _("Ampere (A)")), ("W", _("Watt (W)"))])
    periods = forms.CharField(
        label=_("Periods"), widget=forms.Textarea(attrs={"rows": 3}), initial="0, 16",
        help_text=_("One period per line: start in seconds from the schedule start, limit, optional number "
                    "of phases. The first period starts at 0."),
    )

    def clean_periods(self):
        periods = []
        for number, line in enumerate(self.cleaned_data["periods"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(",")]
            try:
                start = int(parts[0])
                limit = round(float(parts[1]), 1)
                phases = int(parts[2]) if len(parts) > 2 and parts[2] else None
            except (ValueError, IndexError):
                raise forms.ValidationError(
                    _("Line %(n)s: write “start, limit” or “start, limit, phases”.") % {"n": number}
                ) from None
            if start < 0 or limit < 0 or (phases is not None and phases not in (1, 2, 3)):
                raise forms.ValidationError(_("Line %(n)s: a value is out of range.") % {"n": number})
            if periods and start <= periods[-1]["startPeriod"]:
                raise forms.ValidationError(_("Line %(n)s: periods must start one after another.") % {"n": number})
            period = {"startPeriod": start, "limit": limit}
            if phases:
                period["numberPhases"] = phases
            periods.append(period)
        if not periods:
            raise forms.ValidationError(_("Enter at least one period."))
        if periods[0]["startPeriod"] != 0:
            raise forms.ValidationError(_("The first period starts at 0."))
        return periods

    def clean(self):
        d = self.cleaned_data
        self.check_connector("connector_id", allow_zero=True)
        if d.get("purpose") == "TxProfile":
            if d.get("connector_id") == 0:
                self.add_error("connector_id", _("A TxProfile applies to a connector from 1."))
        elif d.get("transaction_id") is not None:
            self.add_error("transaction_id", _("Only a TxProfile belongs to a transaction."))
        if d.get("kind") == "Recurring" and not d.get("recurrency_kind"):
            self.add_error("recurrency_kind", _("A recurring profile needs its recurrence."))
        if d.get("kind") != "Recurring" and d.get("recurrency_kind"):
            self.add_error("recurrency_kind", _("Only a recurring profile has a recurrence."))
        if d.get("kind") in ("Absolute", "Recurring") and not d.get("start_schedule"):
            self.add_error("start_schedule", _("An absolute or recurring profile needs its start."))
        return super().clean()

    def payload(self):
        d = self.cleaned_data
        schedule = self.compact({
            "duration": d.get("duration"),
            "startSchedule": _iso(d["start_schedule"]) if d.get("start_schedule") else None,
            "chargingRateUnit": d["rate_unit"], "chargingSchedulePeriod": d["periods"],
        })
        profile = self.compact({
            "chargingProfileId": d["profile_id"], "transactionId": d.get("transaction_id"),
            "stackLevel": d["stack_level"], "chargingProfilePurpose": d["purpose"],
            "chargingProfileKind": d["kind"], "recurrencyKind": d.get("recurrency_kind"),
            "chargingSchedule": schedule,
        })
        return {"connectorId": d["connector_id"], "csChargingProfiles": profile}


class ClearChargingProfileForm(OperationForm):
    action = "ClearChargingProfile"
    profile_id = _int_field(_("Profile ID"), required=False)
    connector_id = _int_field(_("Connector"), required=False)
    purpose = forms.ChoiceField(label=_("Purpose"), required=False, choices=[("", "–")] + _choices(*PURPOSES))
    stack_level = _int_field(_("Stack level"), required=False)

    def clean(self):
        self.check_connector("connector_id", allow_zero=True)
        return super().clean()

    def payload(self):
        d = self.cleaned_data
        return self.compact({"id": d.get("profile_id"), "connectorId": d.get("connector_id"),
                             "chargingProfilePurpose": d.get("purpose"), "stackLevel": d.get("stack_level")})


class GetCompositeScheduleForm(OperationForm):
    action = "GetCompositeSchedule"
    connector_id = _int_field(_("Connector"), initial=0)
    duration = _int_field(_("Duration (s)"), min_value=1, initial=3600)
    rate_unit = forms.ChoiceField(label=_("Unit"), required=False,
                                  choices=[("", "–"), ("A", _("Ampere (A)")), ("W", _("Watt (W)"))])

    def clean(self):
        self.check_connector("connector_id", allow_zero=True)
        return super().clean()

    def payload(self):
        d = self.cleaned_data
        return self.compact({"connectorId": d["connector_id"], "duration": d["duration"],
                             "chargingRateUnit": d.get("rate_unit")})


class DataTransferForm(OperationForm):
    action = "DataTransfer"
    vendor_id = forms.CharField(label=_("Vendor ID"), max_length=255)
    message_id = forms.CharField(label=_("Message ID"), max_length=50, required=False)
    data = forms.CharField(label=_("Data"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=10000, strip=False)

    def payload(self):
        d = self.cleaned_data
        return self.compact({"vendorId": d["vendor_id"], "messageId": d.get("message_id"), "data": d.get("data")})


@dataclass(frozen=True)
class Command:
    slug: str
    action: str
    label: str
    icon: str
    description: str
    form_class: type[OperationForm]
    section: str


SECTION_SESSIONS = pgettext_lazy("operations menu section", "Sessions")
SECTION_CHARGER = pgettext_lazy("operations menu section", "Charge point")
SECTION_CONFIG = pgettext_lazy("operations menu section", "Configuration and firmware")
SECTION_AUTH = pgettext_lazy("operations menu section", "Authorization and reservations")
SECTION_POWER = pgettext_lazy("operations menu section", "Smart charging")

COMMANDS: tuple[Command, ...] = (
    Command("remote-start", "RemoteStartTransaction", _("Remote Start Transaction"), "play-circle",
            _("Start a session on a connector with one of your tags."), RemoteStartForm, SECTION_SESSIONS),
    Command("remote-stop", "RemoteStopTransaction", _("Remote Stop Transaction"), "stop-circle",
            _("End a running session by its transaction ID."), RemoteStopForm, SECTION_SESSIONS),
    Command("unlock-connector", "UnlockConnector", _("Unlock Connector"), "unlock",
            _("Release a connector's cable lock."), UnlockConnectorForm, SECTION_SESSIONS),
    Command("reset", "Reset", _("Reset"), "arrow-clockwise",
            _("Restart the charge point, soft or hard."), ResetForm, SECTION_CHARGER),
    Command("change-availability", "ChangeAvailability", _("Change Availability"), "toggle-on",
            _("Make a connector or the whole charge point operative or inoperative."),
            ChangeAvailabilityForm, SECTION_CHARGER),
    Command("trigger-message", "TriggerMessage", _("Trigger Message"), "broadcast",
            _("Ask the charge point to send a message now."), TriggerMessageForm, SECTION_CHARGER),
    Command("data-transfer", "DataTransfer", _("Data Transfer"), "arrow-left-right",
            _("Send vendor-specific data."), DataTransferForm, SECTION_CHARGER),
    Command("get-configuration", "GetConfiguration", _("Get Configuration"), "list-ul",
            _("Read configuration keys and their values."), GetConfigurationForm, SECTION_CONFIG),
    Command("change-configuration", "ChangeConfiguration", _("Change Configuration"), "sliders",
            _("Set one configuration key."), ChangeConfigurationForm, SECTION_CONFIG),
    Command("get-diagnostics", "GetDiagnostics", _("Get Diagnostics"), "file-earmark-medical",
            _("Have the charge point upload its diagnostics file."), GetDiagnosticsForm, SECTION_CONFIG),
    Command("update-firmware", "UpdateFirmware", _("Update Firmware"), "cloud-arrow-down",
            _("Have the charge point install firmware from an address."), UpdateFirmwareForm, SECTION_CONFIG),
    Command("reserve-now", "ReserveNow", _("Reserve Now"), "calendar-plus",
            _("Reserve a connector for a tag until a given time."), ReserveNowForm, SECTION_AUTH),
    Command("cancel-reservation", "CancelReservation", _("Cancel Reservation"), "calendar-x",
            _("Cancel a reservation by its ID."), CancelReservationForm, SECTION_AUTH),
    Command("clear-cache", "ClearCache", _("Clear Cache"), "eraser",
            _("Empty the charge point's authorization cache."), ClearCacheForm, SECTION_AUTH),
    Command("send-local-list", "SendLocalList", _("Send Local List"), "card-list",
            _("Send the local authorization list."), SendLocalListForm, SECTION_AUTH),
    Command("get-local-list-version", "GetLocalListVersion", _("Get Local List Version"), "123",
            _("Read the version of the charge point's local list."), GetLocalListVersionForm, SECTION_AUTH),
    Command("set-charging-profile", "SetChargingProfile", _("Set Charging Profile"), "graph-up",
            _("Limit the charging power with a schedule."), SetChargingProfileForm, SECTION_POWER),
    Command("clear-charging-profile", "ClearChargingProfile", _("Clear Charging Profile"), "graph-down",
            _("Remove charging profiles."), ClearChargingProfileForm, SECTION_POWER),
    Command("get-composite-schedule", "GetCompositeSchedule", _("Get Composite Schedule"), "calendar-range",
            _("Read the schedule the charge point will follow."), GetCompositeScheduleForm, SECTION_POWER),
)
BY_SLUG = {c.slug: c for c in COMMANDS}
BY_ACTION = {c.action: c for c in COMMANDS}


def menu_sections() -> list[tuple[str, list[Command]]]:
    sections: dict[str, list[Command]] = {}
    for command in COMMANDS:
        sections.setdefault(str(command.section), []).append(command)
    return list(sections.items())


def action_label(action: str) -> str:
    command = BY_ACTION.get(action)
    return str(command.label) if command else action


# --- Readable answers -----------------------------------------------------------------------


@dataclass
class Answer:
    """A charger's answer laid out for the result panel."""

    status: str = ""
    rows: list[tuple[str, str]] | None = None  # label, value
    table_head: list[str] | None = None
    table: list[list[str]] | None = None
    note: str = ""
    request_json: str = ""
    response_json: str = ""


def answer_for(operation: ChargerOperation) -> Answer:
    response = operation.response if isinstance(operation.response, dict) else {}
    answer = Answer(
        status=str(response.get("status") or ""),
        request_json=json.dumps(ocpp16.redact_outgoing(operation.action, operation.payload or {}), indent=2),
        response_json="" if operation.response is None else json.dumps(operation.response, indent=2),
    )
    action = operation.action
    if action == "GetConfiguration":
        answer.table_head = [str(_("Key")), str(_("Value")), str(_("Read-only"))]
        answer.table = [
            [str(item.get("key", "")), "" if item.get("value") is None else str(item.get("value")),
             str(_("yes")) if item.get("readonly") else str(_("no"))]
            for item in response.get("configurationKey") or [] if isinstance(item, dict)
        ]
        unknown = response.get("unknownKey") or []
        if unknown:
            answer.note = str(_("Unknown keys: %(keys)s")) % {"keys": ", ".join(map(str, unknown))}
    elif action == "GetDiagnostics":
        answer.rows = [(str(_("File name")), str(response.get("fileName") or _("(no file)")))]
    elif action == "GetLocalListVersion":
        answer.rows = [(str(_("List version")), str(response.get("listVersion", "–")))]
    elif action == "GetCompositeSchedule":
        schedule = response.get("chargingSchedule") or {}
        answer.rows = [(str(_("Connector")), str(response.get("connectorId", "–"))),
                       (str(_("Schedule start")), str(response.get("scheduleStart", "–"))),
                       (str(_("Unit")), str(schedule.get("chargingRateUnit", "–")))]
        answer.table_head = [str(_("Start (s)")), str(_("Limit")), str(_("Phases"))]
        answer.table = [[str(p.get("startPeriod", "")), str(p.get("limit", "")), str(p.get("numberPhases", "–"))]
                        for p in schedule.get("chargingSchedulePeriod") or [] if isinstance(p, dict)]
    elif action == "DataTransfer" and response.get("data") is not None:
        answer.rows = [(str(_("Data")), str(response.get("data")))]
    return answer


# --- History (OPS-2) ------------------------------------------------------------------------


class OperationFilter(django_filters.FilterSet):
    charge_point = django_filters.ModelChoiceFilter(
        label=_("Charge point"), queryset=ChargePoint.objects.none(), to_field_name="charge_point_id",
        empty_label=_("All charge points"),
    )
    action = django_filters.ChoiceFilter(
        label=_("Command"), choices=[(c.action, c.label) for c in COMMANDS], empty_label=_("All commands"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ChargerOperation.Status.choices, empty_label=_("All statuses"),
    )
    created_from = django_filters.DateFilter(
        label=_("From"), field_name="created_at", lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_to = django_filters.DateFilter(
        label=_("To"), field_name="created_at", lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = ChargerOperation
        fields = ["charge_point", "action", "status", "created_from", "created_to"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["charge_point"].queryset = charger_list_for_user(user, write=True).order_by("charge_point_id")
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css


STATUS_BADGES = {
    ChargerOperation.Status.ACCEPTED: "text-bg-success",
    ChargerOperation.Status.PENDING: "text-bg-info",
    ChargerOperation.Status.REJECTED: "text-bg-warning",
}


class OperationTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name=_("Requested at"), format="SHORT_DATETIME_FORMAT")
    charge_point = tables.Column(verbose_name=_("Charge point"), order_by=("charge_point__charge_point_id",),
                                 accessor="charge_point__charge_point_id")
    action = tables.Column(verbose_name=_("Command"))
    requested_by = tables.Column(verbose_name=_("Requested by"), accessor="requested_by__email",
                                 default=pgettext_lazy("operation requested by", "System"))
    status = tables.Column(verbose_name=_("Status"))
    latency_ms = tables.Column(verbose_name=_("Latency (ms)"), default="–")
    details = tables.TemplateColumn(
        verbose_name="", orderable=False, template_name="portal/operations/_details_cell.html",
        attrs={"td": {"class": "text-end"}},
    )

    class Meta:
        model = ChargerOperation
        fields = ("created_at", "charge_point", "action", "requested_by", "status", "latency_ms")
        order_by = ("-created_at",)
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        row_attrs = {"data-operation": lambda record: record.pk}
        empty_text = _("No operations yet.")

    def render_action(self, value):
        return action_label(value)

    def render_status(self, record, value):
        badge = STATUS_BADGES.get(record.status, "text-bg-danger")
        return format_html('<span class="badge {}">{}</span>', badge, record.get_status_display())
