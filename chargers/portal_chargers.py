"""Portal charge points (CP-6) and connectors (CP-8): filters, tables, the Excel export of the
current view, and activating / deactivating several own chargers at once (ChangeAvailability
on connector 0, one operation per charger through ``operation_request``)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import datetime

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wccportal.errors import DomainError

from . import services
from .models import ChargePoint, ChargerOperation, Connector
from .selectors import charger_list_for_user, connector_list_for_user

# --- Charge points (CP-6) -----------------------------------------------------------------------


def _date_input():
    return forms.DateInput(attrs={"type": "date"})


def bootstrap_form(form) -> None:
    """Bootstrap classes on a filter form's widgets."""
    for bound in form:
        widget = bound.field.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
        if bound.errors:
            widget.attrs["class"] += " is-invalid"


class ChargerFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("onboarded_from"), data.get("onboarded_to")
        if start and end and start > end:
            self.add_error("onboarded_to", _("The end date is before the start date."))
        return data


class ChargerFilter(django_filters.FilterSet):
    charge_point_id = django_filters.CharFilter(
        lookup_expr="icontains", label=gettext_lazy("Charge point ID")
    )
    model = django_filters.CharFilter(lookup_expr="icontains", label=gettext_lazy("Model"))
    firmware_version = django_filters.CharFilter(
        lookup_expr="icontains", label=gettext_lazy("Firmware version")
    )
    onboarded_from = django_filters.DateFilter(
        method="by_onboarded_from", label=gettext_lazy("Onboarded from"), widget=_date_input()
    )
    onboarded_to = django_filters.DateFilter(
        method="by_onboarded_to", label=gettext_lazy("Onboarded until"), widget=_date_input()
    )

    class Meta:
        model = ChargePoint
        form = ChargerFilterForm
        fields = ["charge_point_id", "model", "firmware_version", "onboarded_from", "onboarded_to"]

    # The onboard date is when the charger joined an account; chargers provisioned before that
    # count from their creation.
    def by_onboarded_from(self, queryset, name, value):
        start = timezone.make_aware(datetime.combine(value, datetime.min.time()))
        return queryset.filter(
            Q(onboarded_at__gte=start) | Q(onboarded_at__isnull=True, created_at__gte=start)
        )

    def by_onboarded_to(self, queryset, name, value):
        end = timezone.make_aware(datetime.combine(value, datetime.max.time()))
        return queryset.filter(
            Q(onboarded_at__lte=end) | Q(onboarded_at__isnull=True, created_at__lte=end)
        )


def charger_overview_for_user(user) -> QuerySet[ChargePoint]:
    """The chargers the user sees, with the state of connector 0 (the charger as a whole:
    "Unavailable" once deactivated through ChangeAvailability)."""
    whole = Connector.objects.filter(charge_point=OuterRef("pk"), connector_id=0)
    return (
        charger_list_for_user(user)
        .select_related("owner", "organisation")
        .annotate(availability=Subquery(whole.values("status")[:1]))
        .order_by("charge_point_id")
    )


class ChargerTable(tables.Table):
    selection = tables.CheckBoxColumn(
        accessor="pk", orderable=False, verbose_name="",
        attrs={
            "th__input": {"class": "form-check-input", "data-select-all": "chargers",
                          "aria-label": gettext_lazy("Select all")},
            "td__input": {"class": "form-check-input", "form": "charger-bulk",
                          "data-select": "chargers"},
        },
    )
    charge_point_id = tables.Column(
        verbose_name=gettext_lazy("Charge point ID"),
        linkify=lambda record: reverse("portal:charger_detail", args=[record.charge_point_id]),
        attrs={"td": {"class": "text-nowrap fw-semibold"}},
    )
    name = tables.Column(verbose_name=gettext_lazy("Name"), default="–")
    model = tables.Column(verbose_name=gettext_lazy("Model"), default="–")
    vendor = tables.Column(verbose_name=gettext_lazy("Vendor"), default="–")
    firmware_version = tables.Column(verbose_name=gettext_lazy("Firmware version"), default="–")
    onboarded_at = tables.DateTimeColumn(
        verbose_name=gettext_lazy("Onboard date"), format="SHORT_DATE_FORMAT", default="–",
        attrs={"td": {"class": "text-nowrap"}},
    )
    availability = tables.Column(verbose_name=gettext_lazy("Availability"), empty_values=())
    is_online = tables.Column(verbose_name=gettext_lazy("Connection"))
    relation = tables.Column(
        verbose_name=gettext_lazy("Access"), empty_values=(), orderable=False
    )

    class Meta:
        model = ChargePoint
        fields = ()
        sequence = ("selection", "charge_point_id", "name", "model", "vendor", "firmware_version",
                    "onboarded_at", "availability", "is_online", "relation")
        attrs = {"class": "table table-hover align-middle mb-0", "data-testid": "charger-table"}
        row_attrs = {"data-charger-pk": lambda record: record.pk,
                     "data-testid": lambda record: f"charger-{record.charge_point_id}"}
        order_by = ("charge_point_id",)
        empty_text = gettext_lazy("No charge points found.")

    def __init__(self, *args, own_pks: set[int], **kwargs):
        self.own_pks = own_pks
        super().__init__(*args, **kwargs)

    def render_selection(self, value, record, bound_column):
        if record.pk not in self.own_pks:
            return ""  # only own chargers may be activated or deactivated
        return format_html(
            '<input type="checkbox" name="selection" value="{}" class="form-check-input" '
            'form="charger-bulk" data-select="chargers" aria-label="{}">',
            record.pk, _("Select %(id)s") % {"id": record.charge_point_id},
        )

    def render_onboarded_at(self, record):
        value = record.onboarded_at or record.created_at
        return timezone.localtime(value).date() if value else "–"

    def render_availability(self, record):
        if not record.is_active:
            return format_html('<span class="badge text-bg-dark">{}</span>', _("Disabled"))
        status = getattr(record, "availability", None)
        if status == Connector.Status.UNAVAILABLE:
            return format_html('<span class="badge text-bg-secondary">{}</span>', _("Deactivated"))
        if status == Connector.Status.FAULTED:
            return format_html('<span class="badge text-bg-danger">{}</span>', _("Faulted"))
        if status in (None, "", Connector.Status.UNKNOWN):
            return format_html('<span class="text-body-secondary">{}</span>', _("Not reported"))
        return format_html('<span class="badge text-bg-success">{}</span>', _("Activated"))

    def render_is_online(self, record):
        return format_html(
            '<span data-online="{}" class="badge rounded-pill {}"><i class="bi {}"></i> {}</span>',
            "1" if record.is_online else "0",
            "text-bg-success" if record.is_online else "text-bg-danger",
            "bi-wifi" if record.is_online else "bi-wifi-off",
            _("Online") if record.is_online else _("Offline"),
        )

    def render_relation(self, record):
        if record.pk in self.own_pks:
            return format_html('<span class="text-body-secondary">{}</span>', _("Own"))
        return format_html('<span class="text-body-secondary">{}</span>', _("Shared / group"))


# --- Activate / deactivate ---------------------------------------------------------------------


@dataclass
class AvailabilityResult:
    sent: list[ChargePoint] = field(default_factory=list)
    offline: list[ChargePoint] = field(default_factory=list)
    operations: list[ChargerOperation] = field(default_factory=list)


def chargers_set_availability(*, user, pks, active: bool) -> AvailabilityResult:
    """ChangeAvailability Operative (active) or Inoperative on connector 0 of each ticked
    charger. Every pk must be one of the user's own chargers, else nothing at all is sent."""
    try:
        wanted = {int(pk) for pk in pks}
    except (TypeError, ValueError):
        raise DomainError(_("Invalid selection."), code="invalid_selection") from None
    if not wanted:
        raise DomainError(_("Tick at least one charge point."), code="empty_selection")
    own = list(charger_list_for_user(user, write=True).filter(pk__in=wanted)
               .order_by("charge_point_id"))
    if len(own) != len(wanted):
        raise DomainError(
            _("You may only activate or deactivate your own charge points."),
            code="not_allowed",
        )
    result = AvailabilityResult()
    payload = {"connectorId": 0, "type": "Operative" if active else "Inoperative"}
    for cp in own:
        operation = services.operation_request(
            charge_point=cp, action="ChangeAvailability", payload=dict(payload), acting_user=user
        )
        result.operations.append(operation)
        if operation.status == ChargerOperation.Status.OFFLINE:
            result.offline.append(cp)
        else:
            result.sent.append(cp)
    return result


# --- Excel export ------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    (gettext_lazy("Charge point ID"), lambda cp: cp.charge_point_id, 22),
    (gettext_lazy("Name"), lambda cp: cp.name, 24),
    (gettext_lazy("Model"), lambda cp: cp.model, 18),
    (gettext_lazy("Vendor"), lambda cp: cp.vendor, 18),
    (gettext_lazy("Firmware version"), lambda cp: cp.firmware_version, 18),
    (gettext_lazy("Serial number"), lambda cp: cp.serial_number, 20),
    (gettext_lazy("Onboard date"), lambda cp: _naive(cp.onboarded_at or cp.created_at), 18),
    (gettext_lazy("Availability"), lambda cp: _availability_text(cp), 14),
    (gettext_lazy("Online"), lambda cp: _("Yes") if cp.is_online else _("No"), 10),
    (gettext_lazy("Last message"), lambda cp: _naive(cp.last_seen_at), 18),
    (gettext_lazy("Street"), lambda cp: " ".join(filter(None, [cp.street, cp.house_number])), 24),
    (gettext_lazy("Zip code"), lambda cp: cp.zip_code, 10),
    (gettext_lazy("City"), lambda cp: cp.city, 18),
    (gettext_lazy("Country"), lambda cp: cp.country, 8),
)


def _availability_text(cp) -> str:
    status = getattr(cp, "availability", None)
    if not cp.is_active:
        return _("Disabled")
    if status == Connector.Status.UNAVAILABLE:
        return _("Deactivated")
    if status in (None, "", Connector.Status.UNKNOWN):
        return _("Not reported")
    return str(Connector.Status(status).label) if status in Connector.Status.values else status


def _naive(value):
    # Spreadsheets have no time zones: the local wall-clock time.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def chargers_xlsx(queryset):
    """The chargers as a write-only workbook in a temporary file (rewound, ready to stream)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Charge points")))
    for i, (_label, _get, width) in enumerate(EXPORT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for label, _get, _width in EXPORT_COLUMNS:
        cell = WriteOnlyCell(sheet, value=str(label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for cp in queryset.iterator(chunk_size=500):
        row = []
        for _label, get, _width in EXPORT_COLUMNS:
            value = get(cp)
            if isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd hh:mm"
                value = cell
            row.append(value)
        sheet.append(row)
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    workbook.save(tmp)
    tmp.seek(0)
    return tmp


# --- Connectors (CP-8) -------------------------------------------------------------------------


class ConnectorFilter(django_filters.FilterSet):
    charge_point = django_filters.CharFilter(
        field_name="charge_point__charge_point_id", lookup_expr="icontains",
        label=gettext_lazy("Charge point ID"),
    )
    status = django_filters.ChoiceFilter(
        choices=Connector.Status.choices, label=gettext_lazy("Status"),
        empty_label=gettext_lazy("All states"),
    )
    error = django_filters.ChoiceFilter(
        choices=(("error", gettext_lazy("With error")), ("ok", gettext_lazy("Without error"))),
        method="by_error", label=gettext_lazy("Error"), empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = Connector
        fields = ["charge_point", "status", "error"]

    def by_error(self, queryset, name, value):
        if value == "error":
            return queryset.exclude(error_code=Connector.ErrorCode.NO_ERROR)
        if value == "ok":
            return queryset.filter(error_code=Connector.ErrorCode.NO_ERROR)
        return queryset


def connector_overview_for_user(user) -> QuerySet[Connector]:
    """Every connector of the chargers the user sees; connector 0 is the charger as a whole
    and is shown on the charger's own line of the overview, not here."""
    return connector_list_for_user(user).filter(connector_id__gt=0).order_by(
        "charge_point__charge_point_id", "connector_id"
    )


STATUS_BADGES = {
    Connector.Status.AVAILABLE: "text-bg-success",
    Connector.Status.PREPARING: "text-bg-info",
    Connector.Status.CHARGING: "text-bg-primary",
    Connector.Status.SUSPENDED_EV: "text-bg-warning",
    Connector.Status.SUSPENDED_EVSE: "text-bg-warning",
    Connector.Status.FINISHING: "text-bg-info",
    Connector.Status.RESERVED: "text-bg-dark",
    Connector.Status.UNAVAILABLE: "text-bg-secondary",
    Connector.Status.FAULTED: "text-bg-danger",
    Connector.Status.UNKNOWN: "text-bg-light border",
}


class ConnectorTable(tables.Table):
    charge_point = tables.Column(
        verbose_name=gettext_lazy("Charge point ID"), accessor="charge_point__charge_point_id",
        linkify=lambda record: reverse(
            "portal:charger_detail", args=[record.charge_point.charge_point_id]
        ),
        attrs={"td": {"class": "text-nowrap fw-semibold"}},
    )
    name = tables.Column(verbose_name=gettext_lazy("Name"), accessor="charge_point__name",
                         default="–")
    connector_id = tables.Column(verbose_name=gettext_lazy("Connector"))
    evse_id = tables.Column(verbose_name=gettext_lazy("EVSE ID"), default="–")
    status = tables.Column(verbose_name=gettext_lazy("Status"), attrs={"td": {"data-status": ""}})
    error_code = tables.Column(verbose_name=gettext_lazy("Error code"),
                               attrs={"td": {"data-error": ""}})
    status_changed_at = tables.DateTimeColumn(
        verbose_name=gettext_lazy("Last status change"), format="SHORT_DATETIME_FORMAT",
        default="–", attrs={"td": {"class": "text-nowrap", "data-changed": ""}},
    )

    class Meta:
        model = Connector
        fields = ()
        sequence = ("charge_point", "name", "connector_id", "evse_id", "status", "error_code",
                    "status_changed_at")
        attrs = {"class": "table table-hover align-middle mb-0", "data-testid": "connector-table"}
        row_attrs = {
            "data-connector": lambda record: f"{record.charge_point_id}:{record.connector_id}",
            "data-live-charger": lambda record: record.charge_point.charge_point_id,
        }
        order_by = ("charge_point", "connector_id")
        empty_text = gettext_lazy("No connectors found.")

    def render_status(self, record):
        return format_html('<span class="badge {}">{}</span>',
                           STATUS_BADGES.get(record.status, "text-bg-light"),
                           record.get_status_display())

    def render_error_code(self, record):
        if record.error_code == Connector.ErrorCode.NO_ERROR:
            return format_html('<span class="text-body-secondary">{}</span>',
                               record.get_error_code_display())
        extra = f" ({record.vendor_error_code})" if record.vendor_error_code else ""
        return format_html('<span class="text-danger">{}{}</span>',
                           record.get_error_code_display(), extra)


def status_labels() -> dict[str, list[str]]:
    """Status → [label, badge class] for the live updates in the browser."""
    return {value: [str(label), STATUS_BADGES.get(value, "text-bg-light")]
            for value, label in Connector.Status.choices}


def error_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Connector.ErrorCode.choices}
