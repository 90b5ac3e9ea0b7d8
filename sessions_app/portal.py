"""The portal's charging sessions table (SES-7): its columns, filters, remembered settings
(User.portal_preferences["sessions"]) and the rows of its CSV / XLSX export.

Every column is a ``Spec``: a label, a getter returning a typed value (int, str, Decimal,
datetime, timedelta or None) and how it is sorted. The table shows the getters' values
formatted for people; the export writes the same values typed. Where SES-7 names a column our
models have no data for (charging profile, reference number) the column shows "–".
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wccportal.lib.money import format_money

from .export_writers import csv_value, duration_text
from .models import ChargingSession

PAGE_SIZES = (10, 20, 30, 40, 50)
DEFAULT_PAGE_SIZE = 20
PREFS_KEY = "sessions"
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "SEK": "kr", "NOK": "kr", "DKK": "kr",
                    "PLN": "zł", "CZK": "Kč", "HUF": "Ft", "JPY": "¥"}


# --- Column getters ---------------------------------------------------------------------------


def _user_field(name: str) -> Callable[[ChargingSession], str | None]:
    return lambda s: (getattr(s.user, name) or None) if s.user_id else None


def _cp_field(name: str) -> Callable[[ChargingSession], str | None]:
    return lambda s: getattr(s.charge_point, name) or None


def _tariff_amount(name: str) -> Callable[[ChargingSession], Decimal | None]:
    def get(s: ChargingSession) -> Decimal | None:
        value = (s.tariff_snapshot or {}).get(name)
        return Decimal(str(value)) if value not in (None, "") else None
    return get


def _currency(s: ChargingSession) -> str | None:
    return s.currency or (s.tariff_snapshot or {}).get("currency") or None


def _charging_duration(s: ChargingSession) -> timedelta:
    return (s.stopped_at or timezone.now()) - s.started_at


def _session_duration(s: ChargingSession) -> timedelta:
    """Plug-in to plug-out (the stop when no plug-out was reported)."""
    return (s.plugged_out_at or s.stopped_at or timezone.now()) - s.started_at


def _kwh(wh) -> Decimal | None:
    return None if wh is None else (Decimal(int(wh)) / 1000).quantize(Decimal("0.001"))


def _location(s: ChargingSession) -> str | None:
    cp = s.charge_point
    street = " ".join(p for p in (cp.street, cp.house_number) if p)
    town = " ".join(p for p in (cp.zip_code, cp.city) if p)
    return ", ".join(p for p in (street, town) if p) or None


def _tag_type(s: ChargingSession) -> str | None:
    if s.tag_id is None or s.tag is None:
        return None
    return f"{s.tag.get_kind_display()} · {s.tag.get_tag_type_display()}"


@dataclass(frozen=True)
class Spec:
    key: str
    label: str
    get: Callable[[ChargingSession], object]
    kind: str = "text"  # text | int | datetime | duration | kwh | kw | money | wh | percent
    order_by: tuple[str, ...] | None = None
    money_currency: bool = False  # a money value shown with the session's currency


SPECS: tuple[Spec, ...] = (
    Spec("id", gettext_lazy("ID"), lambda s: s.pk, "int", ("pk",)),
    Spec("charge_point", gettext_lazy("Charge point ID"), lambda s: s.charge_point.charge_point_id, "text",
         ("charge_point__charge_point_id", "connector_id")),
    Spec("connector", gettext_lazy("Connector"), lambda s: s.connector_id, "int", ("connector_id",)),
    Spec("rfid_tag", gettext_lazy("RFID tag"), lambda s: s.id_tag, "text", ("id_tag",)),
    Spec("session_id", gettext_lazy("Session ID"), lambda s: s.pk, "int", ("pk",)),
    Spec("reservation_id", gettext_lazy("Reservation ID"), lambda s: s.reservation_id, "int", ("reservation_id",)),
    Spec("start", gettext_lazy("Start"), lambda s: s.started_at, "datetime", ("started_at",)),
    Spec("stop", gettext_lazy("Stop"), lambda s: s.stopped_at, "datetime", ("stopped_at",)),
    Spec("duration", gettext_lazy("Duration"), _charging_duration, "duration"),
    Spec("session_duration", gettext_lazy("Session duration"), _session_duration, "duration"),
    Spec("energy", gettext_lazy("Charged energy (kWh)"), lambda s: _kwh(s.energy_wh), "kwh"),
    Spec("max_power", gettext_lazy("Max. power (kW)"),
         lambda s: None if s.max_power_w is None else round(Decimal(str(s.max_power_w)) / 1000, 2), "kw",
         ("max_power_w",)),
    Spec("first_name", gettext_lazy("First name"), _user_field("first_name"), "text", ("user__first_name",)),
    Spec("last_name", gettext_lazy("Last name"), _user_field("last_name"), "text", ("user__last_name",)),
    Spec("status", gettext_lazy("Status"), lambda s: s.get_status_display(), "status", ("status",)),
    Spec("charging_profile", gettext_lazy("Charging profile"), lambda s: None),
    Spec("country", gettext_lazy("Country"), _cp_field("country"), "text", ("charge_point__country",)),
    Spec("city", gettext_lazy("City"), _cp_field("city"), "text", ("charge_point__city",)),
    Spec("zip", gettext_lazy("Zip code"), _cp_field("zip_code"), "text", ("charge_point__zip_code",)),
    Spec("description", gettext_lazy("Description"), _cp_field("description")),
    Spec("customer_number", gettext_lazy("Customer number"), _user_field("customer_number"), "text",
         ("user__customer_number",)),
    Spec("reference_number", gettext_lazy("Reference number"), lambda s: None),
    Spec("energy_level", gettext_lazy("Energy level (%)"), lambda s: s.soc_percent, "percent", ("soc_percent",)),
    Spec("employee_number", gettext_lazy("Employee number"), _user_field("employee_number"), "text",
         ("user__employee_number",)),
    Spec("meter_start", gettext_lazy("Meter start (Wh)"), lambda s: s.meter_start, "wh", ("meter_start",)),
    Spec("meter_stop", gettext_lazy("Meter stop (Wh)"), lambda s: s.meter_stop, "wh", ("meter_stop",)),
    Spec("currency_code", gettext_lazy("Currency code"), _currency, "text", ("currency",)),
    Spec("currency", gettext_lazy("Currency"), lambda s: CURRENCY_SYMBOLS.get(_currency(s) or "", _currency(s))),
    Spec("costs_per_session", gettext_lazy("Costs per session"), _tariff_amount("connection_fee"), "money",
         money_currency=True),
    Spec("costs_per_kwh", gettext_lazy("Costs per kWh"), _tariff_amount("price_per_kwh"), "money",
         money_currency=True),
    Spec("rfid_tag_type", gettext_lazy("RFID tag type"), _tag_type),
    Spec("location", gettext_lazy("Location"), _location, "text", ("charge_point__city", "charge_point__street")),
    Spec("total_costs", gettext_lazy("Total costs"), lambda s: s.total_cost, "money", ("total_cost",),
         money_currency=True),
)
SPEC_BY_KEY = {spec.key: spec for spec in SPECS}
ACTIONS = "actions"
ALL_COLUMNS = [spec.key for spec in SPECS] + [ACTIONS]
DEFAULT_COLUMNS = ["id", "charge_point", "rfid_tag", "start", "stop", "duration", "energy", "first_name",
                   "last_name", "status", "total_costs", ACTIONS]


def column_choices() -> list[tuple[str, str]]:
    return [(spec.key, spec.label) for spec in SPECS] + [(ACTIONS, gettext_lazy("Actions"))]


def display(spec: Spec, session: ChargingSession) -> str:
    """A column's value as the table shows it; "–" when there is none."""
    value = spec.get(session)
    if value is None or value == "":
        return "–"
    if spec.kind == "datetime":
        local = timezone.localtime(value)
        return f"{formats.date_format(local, 'SHORT_DATE_FORMAT')} {local:%H:%M}"
    if spec.kind == "duration":
        return duration_text(value)
    if spec.kind == "kwh":
        return formats.number_format(value, 2)
    if spec.kind == "kw":
        return formats.number_format(value, 2)
    if spec.kind == "percent":
        return formats.number_format(value, 0)
    if spec.kind == "wh":
        return formats.number_format(value, 0, force_grouping=True)
    if spec.kind == "money":
        currency = _currency(session) or ""
        return format_money(value, currency) if currency else formats.number_format(value, 2)
    return str(value)


# --- Preferences (per user) ----------------------------------------------------------------


@dataclass(frozen=True)
class TablePrefs:
    columns: list[str]
    per_page: int


def prefs_get(user) -> TablePrefs:
    stored = (user.portal_preferences or {}).get(PREFS_KEY) or {}
    columns = [c for c in stored.get("columns") or [] if c in ALL_COLUMNS] or list(DEFAULT_COLUMNS)
    per_page = stored.get("per_page")
    return TablePrefs(columns=columns, per_page=per_page if per_page in PAGE_SIZES else DEFAULT_PAGE_SIZE)


def prefs_save(user, *, columns: list[str] | None = None, per_page: int | None = None) -> TablePrefs:
    """Store the user's choice (only what changed; other pages' settings kept)."""
    user.refresh_from_db(fields=["portal_preferences"])
    preferences = dict(user.portal_preferences or {})
    stored = dict(preferences.get(PREFS_KEY) or {})
    if columns is not None:
        stored["columns"] = [c for c in ALL_COLUMNS if c in columns]
    if per_page is not None:
        stored["per_page"] = per_page
    preferences[PREFS_KEY] = stored
    user.portal_preferences = preferences
    user.save(update_fields=["portal_preferences"])
    return prefs_get(user)


class ColumnsForm(forms.Form):
    columns = forms.MultipleChoiceField(
        label=gettext_lazy("Columns"), choices=column_choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    reset = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.data.get("reset"):
            self.fields["columns"].required = False


# --- Filters -------------------------------------------------------------------------------

SEARCH_TAG, SEARCH_SESSION, SEARCH_STATUS = "tag", "session", "status"


class SessionFilter(django_filters.FilterSet):
    """SES-7 filters: charge point ID; RFID tag, session ID or status (choose, then type); period."""

    charge_point = django_filters.CharFilter(
        label=gettext_lazy("Charge point ID"), method="filter_charge_point",
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Charge point ID"), "type": "search"}),
    )
    by = django_filters.ChoiceFilter(
        label=gettext_lazy("Search in"), method="filter_nothing", empty_label=None,
        choices=[(SEARCH_TAG, gettext_lazy("RFID tag")), (SEARCH_SESSION, gettext_lazy("Session ID")),
                 (SEARCH_STATUS, gettext_lazy("Status"))],
    )
    q = django_filters.CharFilter(
        label=gettext_lazy("RFID tag, session ID or status"), method="filter_search",
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("RFID tag / session ID / status"),
                                      "type": "search"}),
    )
    start_from = django_filters.IsoDateTimeFilter(
        label=gettext_lazy("From"), field_name="started_at", lookup_expr="gte",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    start_to = django_filters.IsoDateTimeFilter(
        label=gettext_lazy("To"), field_name="started_at", lookup_expr="lte",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = ChargingSession
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form = self.form
        for name in ("start_from", "start_to"):
            form.fields[name] = forms.DateTimeField(
                label=form.fields[name].label, required=False, widget=self.filters[name].extra["widget"],
                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
            )
        original_clean = form.clean

        def clean():
            data = original_clean()
            by, q = data.get("by") or SEARCH_TAG, (data.get("q") or "").strip()
            if q and by == SEARCH_SESSION and not q.isdigit():
                form.add_error("q", _("A session ID is a whole number."))
            if q and by == SEARCH_STATUS and status_value(q) is None:
                form.add_error("q", _("Enter a status: %(choices)s.") % {
                    "choices": ", ".join(str(label) for _v, label in ChargingSession.Status.choices)})
            start, end = data.get("start_from"), data.get("start_to")
            if start and end and end < start:
                form.add_error("start_to", _("The end of the period is before its start."))
            return data

        form.clean = clean

    def filter_nothing(self, qs, name, value):
        return qs

    def filter_charge_point(self, qs, name, value):
        value = value.strip()
        return qs.filter(charge_point__charge_point_id__icontains=value) if value else qs

    def filter_search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        by = self.form.cleaned_data.get("by") or SEARCH_TAG
        if by == SEARCH_SESSION:
            return qs.filter(pk=int(value))
        if by == SEARCH_STATUS:
            return qs.filter(status=status_value(value))
        return qs.filter(Q(id_tag__icontains=value) | Q(tag__alias__icontains=value))


def status_value(text: str) -> str | None:
    """"active", "Charging", "completed" … → the stored status (any case)."""
    text = text.strip().lower()
    for value, label in ChargingSession.Status.choices:
        if text in (value, str(label).lower()):
            return value
    return None


# --- The table ------------------------------------------------------------------------------


class SpecColumn(tables.Column):
    def __init__(self, spec: Spec):
        self.spec = spec
        numeric = spec.kind in ("int", "kwh", "kw", "money", "wh", "percent", "duration")
        super().__init__(
            verbose_name=spec.label, accessor="pk", empty_values=(), orderable=spec.order_by is not None,
            order_by=spec.order_by,
            attrs={"td": {"class": "text-end text-nowrap" if numeric else "text-nowrap", "data-col": spec.key},
                   "th": {"class": "text-end text-nowrap" if numeric else "text-nowrap", "data-col": spec.key}},
        )

    def render(self, record):
        if self.spec.key == "id":
            return format_html('<a href="{}" data-testid="session-link">{}</a>',
                               reverse("portal:session_detail", args=[record.pk]), record.pk)
        if self.spec.key == "status":
            css = "text-bg-success" if record.status == ChargingSession.Status.ACTIVE else "text-bg-secondary"
            return format_html('<span class="badge {}">{}</span>', css, record.get_status_display())
        return display(self.spec, record)

    def value(self, record):
        return display(self.spec, record)


class ActionsColumn(tables.Column):
    def __init__(self):
        super().__init__(verbose_name=gettext_lazy("Actions"), accessor="pk", empty_values=(), orderable=False,
                         exclude_from_export=True,
                         attrs={"td": {"class": "text-end text-nowrap", "data-col": ACTIONS},
                                "th": {"class": "text-end", "data-col": ACTIONS}})

    def render(self, record, table):
        return render_to_string("portal/sessions/_actions.html", {
            "s": record, "manages": record.charge_point_id in table.managed_ids, "request": table.request,
        }, request=table.request)


def _table_class() -> type[tables.Table]:
    attrs = {spec.key: SpecColumn(spec) for spec in SPECS}
    attrs[ACTIONS] = ActionsColumn()

    class Meta:
        model = ChargingSession
        fields: tuple = ()
        sequence = tuple(ALL_COLUMNS)
        attrs = {"class": "table table-hover table-sm align-middle mb-0", "data-testid": "sessions-table",
                 "thead": {"class": "table-light"}}
        row_attrs = {"data-testid": "session-row", "data-session": lambda record: record.pk}
        empty_text = gettext_lazy("No charging sessions found.")
        order_by = ("-start",)

    attrs["Meta"] = Meta
    return type("SessionTable", (tables.Table,), attrs)


SessionTable = _table_class()


def session_table(qs, *, columns: list[str], request, managed_ids: set[int]) -> tables.Table:
    table = SessionTable(qs, exclude=[c for c in ALL_COLUMNS if c not in columns], request=request)
    table.managed_ids = managed_ids
    return table


# --- Export -------------------------------------------------------------------------------


def export_columns(columns: list[str]) -> list[Spec]:
    return [SPEC_BY_KEY[c] for c in columns if c in SPEC_BY_KEY]


def export_values(specs: list[Spec], session: ChargingSession) -> list:
    """A row of typed values (the money, energy and dates as numbers and dates)."""
    return [spec.get(session) for spec in specs]


def export_header(specs: list[Spec]) -> list[str]:
    return [str(spec.label) for spec in specs]


class _Echo:
    def write(self, value):
        return value


def csv_lines(specs: list[Spec], sessions: Iterable[ChargingSession]) -> Iterator[str]:
    """The CSV as it streams: a byte-order mark (spreadsheets then read accents), header, rows."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(export_header(specs))
    for session in sessions:
        yield writer.writerow([csv_value(v) for v in export_values(specs, session)])


XLSX_FORMATS = {"datetime": "yyyy-mm-dd hh:mm", "duration": "[h]:mm:ss", "kwh": "#,##0.000", "kw": "#,##0.00",
                "money": "#,##0.00", "wh": "#,##0", "percent": "0"}


def write_xlsx(target, specs: list[Spec], sessions: Iterable[ChargingSession]) -> None:
    """openpyxl's write-only workbook: rows written as they come, typed cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Charging sessions")[:31])
    for i, spec in enumerate(specs):
        sheet.column_dimensions[get_column_letter(i + 1)].width = max(12, len(str(spec.label)) + 2)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for label in export_header(specs):
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    kinds = [XLSX_FORMATS.get(spec.kind) for spec in specs]
    for session in sessions:
        cells = []
        for value, number_format in zip(export_values(specs, session), kinds, strict=True):
            if isinstance(value, datetime):
                value = timezone.localtime(value).replace(tzinfo=None)
            if number_format is None or value is None:
                cells.append(value)
                continue
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = number_format
            cells.append(cell)
        sheet.append(cells)
    workbook.save(target)


def table_queryset(qs: QuerySet[ChargingSession]) -> QuerySet[ChargingSession]:
    return qs.select_related("charge_point", "user", "tag")
