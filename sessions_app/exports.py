"""Session exports (SES-5): all my sessions, the filtered history view, or one session, as
PDF, XLSX or CSV; produced by a job, e-mailed as a signed, expiring link, listed in the app.

- ``export_request`` checks what is asked (format, scope, the history filters of
  ``history.history_filters_parse`` or one session through ``session_get_for_user``: 404
  for another's) and queues the job after commit.
- ``export_run`` (the job) streams narrow rows of finished sessions with ``.iterator()``
  into the writers of ``export_writers``, reporting progress every chunk, stores the file
  under ``settings.EXPORTS_ROOT`` (never MEDIA_ROOT: nothing serves it without a check),
  then tells the user: an in-app notification and an e-mail with the signed link.
- The link (``django.core.signing``) is valid ``settings.EXPORT_LINK_DAYS`` days and only for
  the user who asked; ``exports_prune`` deletes expired exports and their files.

Rows are read again at run time through the selectors, so access lost in between is
respected. Only finished sessions are exported: a running one has no final figures yet.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from wccportal.errors import DomainError
from wccportal.lib.money import format_money
from wccportal.lib.tasks import enqueue_on_commit

from . import export_writers as writers
from . import history
from .costs import cost_per_kwh, session_cost
from .models import ChargingSession, SessionExport
from .selectors import session_get_for_user, session_list_for_user, session_log

log = logging.getLogger(__name__)

CHUNK = 2000  # rows fetched per database round trip, and how often progress is saved
MAX_OPEN_PER_USER = 3  # queued or running exports per user at once
STALE_AFTER = timedelta(hours=6)  # a queued/running export older than this has been lost
LINK_SALT = "sessions_app.exports.download"  # signing namespace of the download links
WHO = (history.SCOPE_ALL, history.SCOPE_MINE, history.SCOPE_CHARGERS)


def link_days() -> int:
    return int(getattr(settings, "EXPORT_LINK_DAYS", 7))


def pdf_max_sessions() -> int:
    return int(getattr(settings, "EXPORT_PDF_MAX_SESSIONS", 5000))


def exports_root() -> Path:
    return Path(getattr(settings, "EXPORTS_ROOT", Path(settings.BASE_DIR) / "var" / "exports"))


# --- Reads -----------------------------------------------------------------------------------


def export_list_for_user(user, *, at: datetime | None = None) -> QuerySet[SessionExport]:
    """The user's own exports that have not expired, newest first."""
    if not user.is_authenticated:
        return SessionExport.objects.none()
    at = at or timezone.now()
    return SessionExport.objects.filter(user=user).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=at)
    ).order_by("-created_at", "-pk")


def export_get_for_user(user, pk) -> SessionExport:
    """One of the user's exports; anybody else's (or an expired one) is a 404."""
    try:
        return export_list_for_user(user).get(pk=pk)
    except (SessionExport.DoesNotExist, ValueError, TypeError):
        raise Http404("No such export.") from None


def export_open(export: SessionExport) -> bool:
    return export.status in (SessionExport.Status.QUEUED, SessionExport.Status.RUNNING)


def export_progress(export: SessionExport) -> int:
    """Per cent of the rows written (100 once done)."""
    if export.status == SessionExport.Status.DONE:
        return 100
    if not export.rows_total:
        return 0
    return min(99, export.rows_done * 100 // export.rows_total)


# --- Request ---------------------------------------------------------------------------------


def _invalid(message: str, field_name: str, detail: str, code: str = "invalid_filter") -> DomainError:
    return DomainError(message, code=code, fields={field_name: [detail]})


def _clean_filters(user, scope: str, raw: dict) -> dict:
    """The stored filters: ``{"session": pk}`` for one session; for the filtered view those
    of the history (month, charger, tag and whose sessions, ``who``); nothing for all."""
    if scope == SessionExport.Scope.SESSION:
        value = raw.get("session")
        if value in (None, ""):
            raise _invalid(_("Say which session to export."), "session", _("This field is required."))
        session = session_get_for_user(user, value)  # another's session: 404
        if session.status == ChargingSession.Status.ACTIVE:
            raise DomainError(_("This session is still charging: export it once it has finished."),
                              code="session_active", status=409)
        return {"session": session.pk}
    if scope == SessionExport.Scope.ALL:
        return {}
    who = raw.get("who") or history.SCOPE_ALL
    if who not in WHO:
        raise _invalid(_("The filter is not valid."), "who",
                       _("Choose one of: %(values)s.") % {"values": ", ".join(WHO)})
    parsed = history.history_filters_parse(user, {
        "month": str(raw.get("month") or ""), "charger": str(raw.get("charger") or ""),
        "tag": str(raw.get("tag") or ""), "scope": who,
    })
    params = parsed.as_params()
    if "scope" in params:
        params["who"] = params.pop("scope")
    if "tag" in params:
        params["tag"] = int(params["tag"])
    return params


def export_request(*, user, format: str, scope: str, filters: dict | None = None,
                   language: str | None = None) -> SessionExport:
    """Ask for an export (SES-5). Refusals: ``invalid_format``, ``invalid_scope``,
    ``invalid_filter`` (with field errors), ``session_active``, ``no_sessions``,
    ``too_many_for_pdf`` (beyond EXPORT_PDF_MAX_SESSIONS: XLSX and CSV have no limit) and
    ``too_many_exports`` (MAX_OPEN_PER_USER still in progress). Another user's session is a
    404. The job runs once the transaction commits."""
    from accounts.models import User

    if format not in SessionExport.Format.values:
        raise _invalid(_("Choose PDF, XLSX or CSV."), "format",
                       _("Choose one of: %(values)s.") % {"values": ", ".join(SessionExport.Format.values)},
                       code="invalid_format")
    if scope not in SessionExport.Scope.values:
        raise _invalid(_("Choose what to export: all sessions, the filtered view or one session."), "scope",
                       _("Choose one of: %(values)s.") % {"values": ", ".join(SessionExport.Scope.values)},
                       code="invalid_scope")
    cleaned = _clean_filters(user, scope, filters or {})
    with transaction.atomic():
        # One request at a time per user, so two quick clicks cannot both pass the limit.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if SessionExport.objects.filter(user=user, status__in=(
                SessionExport.Status.QUEUED, SessionExport.Status.RUNNING)).count() >= MAX_OPEN_PER_USER:
            raise DomainError(
                _("You already have %(count)d exports in progress. Wait until one is ready, then try again.")
                % {"count": MAX_OPEN_PER_USER}, code="too_many_exports", status=429)
        count = sessions_for(user, scope, cleaned).count()
        if count == 0:
            raise DomainError(_("There are no finished sessions to export in this selection."),
                              code="no_sessions")
        if format == SessionExport.Format.PDF and count > pdf_max_sessions():
            raise DomainError(
                _("A PDF holds at most %(max)s sessions and this selection has %(count)s. Choose XLSX or CSV, "
                  "or narrow the selection (e.g. one month).") % {"max": pdf_max_sessions(), "count": count},
                code="too_many_for_pdf")
        export = SessionExport.objects.create(
            user=user, format=format, scope=scope, filters=cleaned, rows_total=count,
            language=language or translation.get_language() or user.language or settings.LANGUAGE_CODE,
        )
        enqueue_on_commit("sessions_app.tasks.export_run", export.pk)
    return export


# --- Rows ------------------------------------------------------------------------------------


def sessions_for(user, scope: str, filters: dict) -> QuerySet[ChargingSession]:
    """The finished sessions an export covers, oldest first, read through the selectors."""
    if scope == SessionExport.Scope.SESSION:
        qs = session_list_for_user(user).filter(pk=filters["session"])
    elif scope == SessionExport.Scope.FILTERED:
        qs = history.history_sessions(user, history.history_filters_parse(user, {
            "month": filters.get("month", ""), "charger": filters.get("charger", ""),
            "tag": str(filters.get("tag", "")), "scope": filters.get("who", ""),
        }))
    else:
        qs = session_list_for_user(user)
    return qs.filter(status=ChargingSession.Status.COMPLETED).order_by("started_at", "pk")


ROW_FIELDS = (
    "pk", "charge_point__charge_point_id", "charge_point__name", "connector_id", "id_tag", "tag__alias",
    "user__first_name", "user__last_name", "user__email", "started_at", "stopped_at", "plugged_out_at",
    "meter_start", "meter_stop", "last_meter_wh", "max_power_w", "total_cost", "currency",
    "vehicle_mileage_km", "vehicle_id", "stop_reason",
)
KWH = Decimal("0.001")
KW = Decimal("0.01")


def _kwh(wh) -> Decimal | None:
    return None if wh is None else (Decimal(int(wh)) / 1000).quantize(KWH)


def export_row(values: tuple, stop_reasons: dict) -> tuple:
    """One narrow database row → the typed row of ``export_writers.COLUMNS``."""
    (pk, cp_id, cp_name, connector, id_tag, alias, first, last, email, started, stopped, plugged_out,
     meter_start, meter_stop, last_wh, max_w, total, currency, mileage, vehicle_id, reason) = values
    end_wh = meter_stop if meter_stop is not None else last_wh
    energy_wh = max(0, end_wh - meter_start) if end_wh is not None else 0
    plug_out = plugged_out or stopped
    total = Decimal(str(total)) if total is not None else None
    if reason not in stop_reasons:
        stop_reasons[reason] = history.stop_reason_label(reason)
    return (
        pk, cp_id, cp_name or cp_id, connector, f"{id_tag} ({alias})" if alias else id_tag,
        f"{first} {last}".strip() or email or "", started, plug_out,
        plug_out - started if plug_out else None,
        (Decimal(energy_wh) / 1000).quantize(KWH), _kwh(meter_start), _kwh(end_wh),
        (Decimal(str(max_w)) / 1000).quantize(KW) if max_w else None,
        cost_per_kwh(total, energy_wh, currency) if total is not None else None,
        total, currency or "", mileage, vehicle_id, stop_reasons[reason],
    )


@dataclass
class ExportSummary:
    """Totals gathered while the rows stream by (money summed as Decimal, per currency)."""

    count: int = 0
    energy: Decimal = Decimal(0)
    costs: dict[str, Decimal] = field(default_factory=dict)
    unpriced: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def add(self, row: tuple) -> None:
        ix = writers.COLUMN_INDEX
        self.count += 1
        self.energy += row[ix["energy_kwh"]]
        total, currency = row[ix["total_cost"]], row[ix["currency"]]
        if total is None:
            self.unpriced += 1
        else:
            self.costs[currency] = self.costs.get(currency, Decimal(0)) + total
        start, end = row[ix["plug_in"]], row[ix["plug_out"]] or row[ix["plug_in"]]
        self.first = start if self.first is None else min(self.first, start)
        self.last = end if self.last is None else max(self.last, end)

    def cost_lines(self) -> list[tuple[str, Decimal, str]]:
        return [(cur, amount, format_money(amount, cur)) for cur, amount in sorted(self.costs.items())]


def export_rows(qs: QuerySet[ChargingSession], summary: ExportSummary,
                on_chunk: Callable[[int], None] | None = None, limit: int | None = None) -> Iterator[tuple]:
    """Stream the typed rows of ``qs`` (narrow values, fetched ``CHUNK`` at a time), adding
    each to ``summary`` and calling ``on_chunk(rows so far)`` after every chunk."""
    if limit is not None:
        qs = qs[:limit]
    stop_reasons: dict = {}
    done = 0
    for values in qs.values_list(*ROW_FIELDS).iterator(chunk_size=CHUNK):
        row = export_row(values, stop_reasons)
        summary.add(row)
        done += 1
        if on_chunk and done % CHUNK == 0:
            on_chunk(done)
        yield row
    if on_chunk:
        on_chunk(done)


# --- What an export is, in words --------------------------------------------------------------


def export_description(export: SessionExport) -> str:
    """What the export holds, e.g. "All sessions", "March 2026 · Home · Mine", "Session #12"."""
    filters = export.filters or {}
    if export.scope == SessionExport.Scope.SESSION:
        return _("Session #%(id)s") % {"id": filters.get("session")}
    if export.scope == SessionExport.Scope.ALL:
        return _("All sessions")
    from chargers.models import ChargePoint, IdTag

    parts = []
    if filters.get("month"):
        parts.append(date_format(history.month_parse(filters["month"]), "YEAR_MONTH_FORMAT"))
    if filters.get("charger"):
        cp = ChargePoint.objects.filter(charge_point_id=filters["charger"]).only("name", "charge_point_id").first()
        parts.append(cp.display_name if cp else filters["charger"])
    if filters.get("tag"):
        tag = IdTag.objects.filter(pk=filters["tag"]).only("id_tag", "alias").first()
        parts.append(_("tag %(tag)s") % {"tag": (tag.alias or tag.id_tag) if tag else filters["tag"]})
    if filters.get("who") in history.SCOPES and filters["who"] != history.SCOPE_ALL:
        parts.append(str(history.SCOPES[filters["who"]]))
    return " · ".join(parts) if parts else _("All sessions")


def export_download_name(export: SessionExport) -> str:
    """The file name people get, e.g. sessions-2026-03.csv, session-12.pdf."""
    filters = export.filters or {}
    if export.scope == SessionExport.Scope.SESSION:
        stem = f"session-{filters.get('session')}"
    else:
        parts = ["sessions"]
        for key in ("charger", "month"):
            if filters.get(key):
                parts.append("".join(c if c.isalnum() or c in "-_" else "-" for c in str(filters[key])))
        if len(parts) == 1:
            parts.append(timezone.localdate(export.created_at).isoformat())
        stem = "-".join(parts)
    return f"{stem}.{export.format}"


# --- Links -----------------------------------------------------------------------------------


def export_token(export: SessionExport) -> str:
    return signing.dumps({"e": export.pk, "u": export.user_id}, salt=LINK_SALT)


def export_link(export: SessionExport, *, absolute: bool = False) -> str:
    path = reverse("app:export_download", args=[export_token(export)])
    return settings.SITE_URL + path if absolute else path


def export_for_token(user, token: str) -> SessionExport:
    """The ready export a signed link points at. A bad or tampered signature, a link older
    than EXPORT_LINK_DAYS, an expired export or somebody else's: 404."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=timedelta(days=link_days()))
        export_id, user_id = int(data["e"]), int(data["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404("No such export.") from None
    if not user.is_authenticated or user_id != user.pk:
        raise Http404("No such export.")
    return export_ready_for_user(user, export_id)


def export_ready_for_user(user, pk) -> SessionExport:
    """The user's export if its file is ready to download (else 404)."""
    export = export_get_for_user(user, pk)
    if export.status != SessionExport.Status.DONE or not export_file_path(export).is_file():
        raise Http404("The export is not ready.")
    return export


def export_file_path(export: SessionExport) -> Path:
    root = exports_root().resolve()
    path = (root / export.file_name).resolve()
    if not export.file_name or root not in path.parents:
        return root / "missing"  # never outside the exports folder
    return path


# --- The job ---------------------------------------------------------------------------------


def export_run(export_id: int) -> str | None:
    """Produce the file of a queued export (the job; SES-5). Claimed with a conditional
    update, so a job delivered twice runs once. Returns the final status."""
    claimed = SessionExport.objects.filter(pk=export_id, status=SessionExport.Status.QUEUED).update(
        status=SessionExport.Status.RUNNING, rows_done=0)
    if not claimed:
        return None
    export = SessionExport.objects.select_related("user").get(pk=export_id)
    file_name = f"{export.user_id}/{export.pk}-{secrets.token_hex(8)}.{export.format}"
    path = exports_root() / file_name
    partial = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with translation.override(export.language or settings.LANGUAGE_CODE):
            rows = produce(export, partial)
        os.replace(partial, path)
    except Exception:
        log.exception("session export %s failed", export_id)
        partial.unlink(missing_ok=True)
        _fail(export, _("The file could not be produced. Please try again later."))
        return export.status
    now = timezone.now()
    export.status = SessionExport.Status.DONE
    export.file_name = file_name
    export.size_bytes = path.stat().st_size
    export.rows_done = export.rows_total = rows
    export.finished_at = now
    export.expires_at = now + timedelta(days=link_days())
    export.error = ""
    export.save(update_fields=["status", "file_name", "size_bytes", "rows_done", "rows_total", "finished_at",
                               "expires_at", "error"])
    _notify(export)
    return export.status


def produce(export: SessionExport, path: Path) -> int:
    """Write the export's file to ``path``; returns the number of sessions written."""
    qs = sessions_for(export.user, export.scope, export.filters)
    total = qs.count()
    SessionExport.objects.filter(pk=export.pk).update(rows_total=total)

    def progress(done: int) -> None:
        SessionExport.objects.filter(pk=export.pk).update(rows_done=done)

    summary = ExportSummary()
    if export.format == SessionExport.Format.CSV:
        writers.write_csv(path, export_rows(qs, summary, progress))
    elif export.format == SessionExport.Format.XLSX:
        writers.write_xlsx(path, export_rows(qs, summary, progress),
                           summary=lambda: summary_rows(export, summary),
                           extra_sheets=lambda: _xlsx_session_sheets(export))
    else:
        # WeasyPrint needs the whole document: the rows are capped (checked at request time too).
        rows = list(export_rows(qs, summary, progress, limit=pdf_max_sessions()))
        writers.write_pdf(path, pdf_html(export, rows, summary, truncated=total > len(rows)),
                          base_url=str(settings.BASE_DIR))
    return summary.count


def summary_rows(export: SessionExport, summary: ExportSummary) -> list[tuple]:
    """The summary as (label, value[, number format]) rows, for the XLSX summary sheet."""
    rows: list[tuple] = [
        (pgettext("noun", "Export"), export_description(export)),
        (_("Requested by"), export.user.get_full_name() or export.user.email),
        (_("Created"), export.created_at, writers.XLSX_FORMATS["datetime"]),
        (pgettext("date range", "Period"), period_text(export, summary)),
        (_("Time zone"), timezone.get_current_timezone_name()),
        (_("Sessions"), summary.count, "0"),
        (_("Energy (kWh)"), summary.energy, writers.XLSX_FORMATS["kwh"]),
    ]
    for currency, amount, _display in summary.cost_lines():
        rows.append((_("Total cost (%(currency)s)") % {"currency": currency}, amount, writers.XLSX_FORMATS["money"]))
    if summary.unpriced:
        rows.append((_("Sessions without cost (free charging)"), summary.unpriced, "0"))
    return rows


def period_text(export: SessionExport, summary: ExportSummary) -> str:
    month = (export.filters or {}).get("month")
    if month and export.scope == SessionExport.Scope.FILTERED:
        return date_format(history.month_parse(month), "YEAR_MONTH_FORMAT")
    if summary.first is None:
        return "–"
    first, last = timezone.localdate(summary.first), timezone.localdate(summary.last)
    if first == last:
        return date_format(first, "DATE_FORMAT")
    return f"{date_format(first, 'DATE_FORMAT')} – {date_format(last, 'DATE_FORMAT')}"


def _one_session(export: SessionExport) -> ChargingSession | None:
    if export.scope != SessionExport.Scope.SESSION:
        return None
    return sessions_for(export.user, export.scope, export.filters).select_related("charge_point", "tag", "user").first()


def _xlsx_session_sheets(export: SessionExport) -> dict[str, list[tuple]]:
    """For one session, its cost written out and its log, each on a sheet of their own."""
    session = _one_session(export)
    if session is None:
        return {}
    sheets = {}
    cost = session_cost(session)
    if cost is not None:
        lines = [(_("Cost"), _("Detail"), _("Quantity"), _("Unit price"), _("Amount"))]
        lines += [(line.label, line.detail, line.quantity_display, line.unit_price_display, line.amount)
                  for line in cost.lines]
        lines.append((_("Total"), cost.tariff_name, "", "", cost.total))
        sheets[_("Cost")] = lines
    sheets[_("Log")] = [(_("Time"), _("Event"), _("Detail"))] + [
        (entry.at, entry.label, entry.detail) for entry in session_log(session)]
    return sheets


def pdf_html(export: SessionExport, rows: list[tuple], summary: ExportSummary, *, truncated: bool = False) -> str:
    keys = [column.key for column in writers.COLUMNS]
    session = _one_session(export)
    return render_to_string("exports/sessions.html", {
        "export": export,
        "title": _("Charging session") if session else _("Charging sessions"),
        "description": export_description(export),
        "owner": export.user.get_full_name() or export.user.email,
        "generated_at": timezone.now(),
        "period": period_text(export, summary),
        "time_zone": timezone.get_current_timezone_name(),
        "summary": summary,
        "cost_totals": summary.cost_lines(),
        "header_line": writers.pdf_header_line(),
        "lines": [] if session else [writers.pdf_line(dict(zip(keys, row, strict=True))) for row in rows],
        "truncated": truncated,
        "session": session,
        "detail": _pdf_row(keys, rows[0]) if session and rows else None,
        "cost": session_cost(session) if session else None,
        "log": session_log(session) if session else [],
    })


def _pdf_row(keys: list[str], row: tuple) -> dict:
    values = dict(zip(keys, row, strict=True))
    values["duration_text"] = writers.duration_text(values["duration"])
    return values


# --- Telling the user ------------------------------------------------------------------------


def _fail(export: SessionExport, message: str) -> None:
    now = timezone.now()
    SessionExport.objects.filter(pk=export.pk).update(
        status=SessionExport.Status.FAILED, error=message[:300], finished_at=now,
        expires_at=now + timedelta(days=link_days()))
    export.status = SessionExport.Status.FAILED
    export.error = message[:300]
    _notify(export)


def _notify(export: SessionExport) -> None:
    """In-app notification, and the e-mail (with the signed link when ready), in the language
    of the export."""
    from accounts.models import Notification
    from accounts.services import notification_create

    user = export.user
    language = export.language or user.language or settings.LANGUAGE_CODE
    done = export.status == SessionExport.Status.DONE
    with translation.override(language):
        description = export_description(export)
        fmt = export.get_format_display()
        if done:
            title = _("Your %(format)s export is ready") % {"format": fmt}
            body = _("%(what)s: %(count)s sessions. Download it until %(date)s.") % {
                "what": description, "count": export.rows_done,
                "date": date_format(timezone.localtime(export.expires_at), "DATE_FORMAT")}
        else:
            title = _("Your %(format)s export failed") % {"format": fmt}
            body = f"{description}: {export.error}"
        notification_create(
            user=user, kind=Notification.Kind.EXPORT_READY if done else Notification.Kind.GENERAL,
            title=title, body=body, link=reverse("app:exports"),
        )
        ctx = {
            "name": user.first_name or user.get_full_name() or user.email,
            "format": fmt, "description": description, "failed": not done, "error": export.error,
            "sessions": export.rows_done, "size": _size_text(export.size_bytes),
            "download_url": export_link(export, absolute=True) if done else "",
            "expires": date_format(timezone.localtime(export.expires_at), "DATE_FORMAT") if done else "",
            "exports_url": settings.SITE_URL + reverse("app:exports"),
        }
    enqueue_on_commit("wccportal.lib.emails.send_templated_task", "session_export", user.email, ctx, language)


def _size_text(size: int | None) -> str:
    from django.template.defaultfilters import filesizeformat

    return str(filesizeformat(size)) if size is not None else ""


# --- Cleanup ---------------------------------------------------------------------------------


def exports_prune(*, at: datetime | None = None) -> dict:
    """Delete expired exports and their files; fail exports queued or running for longer than
    STALE_AFTER (their job was lost), telling their users. Daily job."""
    at = at or timezone.now()
    deleted = 0
    for export in SessionExport.objects.filter(expires_at__lte=at).only("pk", "file_name").iterator():
        if export.file_name:
            export_file_path(export).unlink(missing_ok=True)
        export.delete()
        deleted += 1
    stale = 0
    for export in SessionExport.objects.select_related("user").filter(
            status__in=(SessionExport.Status.QUEUED, SessionExport.Status.RUNNING),
            created_at__lt=at - STALE_AFTER):
        if SessionExport.objects.filter(pk=export.pk, status=export.status).update(
                status=SessionExport.Status.FAILED):
            export.status = SessionExport.Status.FAILED
            with translation.override(export.language or settings.LANGUAGE_CODE):
                _fail(export, _("The export took too long and was stopped. Please try again."))
            stale += 1
    return {"deleted": deleted, "failed": stale}
