"""Session export pages (SES-5): my exports with their progress and download, asking for a
new one (also posted to by the history and detail pages), and the signed download link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from wccportal.errors import DomainError

from . import exports as services
from . import history
from .export_writers import CONTENT_TYPES
from .models import SessionExport

FILTER_FIELDS = ("charger", "tag", "month", "session", "who")


def _rows(user) -> list[dict]:
    rows = []
    for export in services.export_list_for_user(user)[:50]:
        rows.append({
            "export": export,
            "description": services.export_description(export),
            "progress": services.export_progress(export),
            "open": services.export_open(export),
            "link": services.export_link(export) if export.status == SessionExport.Status.DONE else "",
            "file_name": services.export_download_name(export),
        })
    return rows


def _signature(rows: list[dict]) -> str:
    """What changes on the page without the user doing anything: a status."""
    return "|".join(f"{row['export'].pk}:{row['export'].status}" for row in rows)


@login_required
@require_GET
def exports(request):
    rows = _rows(request.user)
    return render(request, "app/exports/list.html", {
        "nav": "sessions", "rows": rows, "signature": _signature(rows),
        "any_open": any(row["open"] for row in rows), "link_days": services.link_days(),
    })


@login_required
@require_GET
def exports_state(request):
    """The list's poll while an export is in progress: statuses and progress."""
    rows = _rows(request.user)
    return JsonResponse({
        "signature": _signature(rows),
        "exports": [{"id": row["export"].pk, "status": row["export"].status, "progress": row["progress"],
                     "rows_done": row["export"].rows_done, "rows_total": row["export"].rows_total}
                    for row in rows],
    })


def _error_text(exc: DomainError) -> str:
    details = [message for field_messages in exc.fields.values() for message in field_messages]
    return " ".join([exc.message, *details])


def _back_url(request) -> str:
    """The page the request came from (the history, a session's detail), if it is ours."""
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        return referer
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def export_create(request):
    """GET: the form (format; all sessions or a month / charger / tag). POST: format, scope
    (all | filtered | session) and the filters charger, tag, month, who, session."""
    user = request.user
    values = {"format": SessionExport.Format.PDF, "scope": SessionExport.Scope.ALL}
    error = None
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in ("format", "scope", *FILTER_FIELDS)}
        filters = {name: values[name] for name in FILTER_FIELDS if values[name]}
        scope = values["scope"] or (SessionExport.Scope.FILTERED if filters else SessionExport.Scope.ALL)
        try:
            services.export_request(user=user, format=values["format"], scope=scope, filters=filters,
                                    language=request.LANGUAGE_CODE)
        except DomainError as exc:
            back = _back_url(request)
            if back and request.path not in back:
                messages.error(request, _error_text(exc))
                return redirect(back)
            error = exc
        else:
            messages.success(request, _("Your export is on its way: we will e-mail you the download link as soon "
                                        "as it is ready. You can also download it here."))
            return redirect("app:exports")
    options = history.history_filter_options(user)
    return render(request, "app/exports/new.html", {
        "nav": "sessions", "values": values, "error": error,
        "field_errors": error.fields if error else {},
        "formats": SessionExport.Format.choices, "options": options,
        "pdf_max": services.pdf_max_sessions(), "link_days": services.link_days(),
    }, status=400 if error else 200)


@login_required
@require_GET
def export_download(request, token):
    """The signed link of the e-mail and the list: only for the user who asked, until it expires."""
    export = services.export_for_token(request.user, token)
    return FileResponse(
        open(services.export_file_path(export), "rb"), as_attachment=True,  # noqa: SIM115 - closed by Django
        filename=services.export_download_name(export), content_type=CONTENT_TYPES[export.format],
    )
