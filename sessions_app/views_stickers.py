"""QR stickers of a charger's connectors (SES-1): a printable page and an A4 PDF sheet. Each
sticker's code opens the connector's start page. Only those who manage the charger (its
owner, its organisation's users, staff) get them; for anyone else they do not exist (404)."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import escape

from chargers.qr import qr_svg
from chargers.selectors import charger_get_for_user

from .starting import connector_start_url


@dataclass(frozen=True)
class Sticker:
    connector_id: int
    url: str
    svg: str


def _stickers(charge_point) -> list[Sticker]:
    stickers = []
    for number in charge_point.connectors.filter(connector_id__gte=1).order_by("connector_id").values_list(
        "connector_id", flat=True
    ):
        url = connector_start_url(charge_point, number)
        # Several codes on one page: the path's fixed id would repeat, so it goes.
        svg = qr_svg(url, inline=True).replace(' id="qr-path"', "")
        svg = svg.replace('role="img"', f'role="img" aria-label="{escape(url)}"', 1)
        stickers.append(Sticker(number, url, svg))
    return stickers


@login_required
def charger_stickers(request, charge_point_id):
    cp = charger_get_for_user(request.user, charge_point_id, write=True)
    return render(request, "app/stickers/page.html", {"nav": "chargers", "cp": cp, "stickers": _stickers(cp)})


def stickers_pdf(charge_point) -> bytes:
    """The A4 sheet of a charger's stickers (six to a page, in the active language), by WeasyPrint."""
    from weasyprint import HTML  # heavy: loaded when a sheet is asked for

    html = render_to_string("app/stickers/sheet.html", {"cp": charge_point, "stickers": _stickers(charge_point)})
    return HTML(string=html).write_pdf()


@login_required
def charger_stickers_pdf(request, charge_point_id):
    cp = charger_get_for_user(request.user, charge_point_id, write=True)
    response = HttpResponse(stickers_pdf(cp), content_type="application/pdf")
    safe_id = "".join(c if c.isalnum() or c in "-_." else "_" for c in cp.charge_point_id)
    response["Content-Disposition"] = f'attachment; filename="{safe_id}-stickers.pdf"'
    return response
