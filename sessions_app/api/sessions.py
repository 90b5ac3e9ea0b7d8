"""Session history API (SES-4): my sessions by month with filters, the month's totals and
navigation, one session in detail (costs written out, logbook, timed log) and its power curve.

The live state of a running session and its Stop are in api/live.py (SES-3).
"""

from dataclasses import replace

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from wccportal.pagination import Pagination

from .. import history
from ..costs import session_cost
from ..models import ChargingSession, SessionEvent
from ..selectors import session_get_for_user

TAGS = ["sessions"]


def _decimal(**kwargs):
    return serializers.DecimalField(max_digits=None, decimal_places=None, **kwargs)


FILTER_PARAMETERS = [
    OpenApiParameter("charger", str, description="A charge point id (one of the chargers of my sessions)."),
    OpenApiParameter("tag", int, description="An authorization tag's id (one of the tags of my sessions)."),
    OpenApiParameter(
        "scope", str, enum=list(history.SCOPES),
        description="all (default): every session I may see; mine: the ones I charged; chargers: those on "
                    "the chargers I own (directly or through a group I own), whoever charged.",
    ),
]
FILTER_ERRORS = {
    400: OpenApiResponse(description="invalid_filter: a bad month, or a charger or tag not among my sessions "
                                     "(details in fields)"),
}


class SessionTagSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="null for a tag the platform does not know.")
    id_tag = serializers.CharField()
    alias = serializers.CharField()


def _tag(session: ChargingSession) -> dict:
    if session.tag is not None:
        return {"id": session.tag.pk, "id_tag": session.tag.id_tag, "alias": session.tag.alias}
    return {"id": None, "id_tag": session.id_tag, "alias": ""}


def _row(session: ChargingSession, figures: history.SessionFigures, user) -> dict:
    return {
        "id": session.pk, "status": session.status, "charge_point_id": session.charge_point.charge_point_id,
        "charger_name": session.charge_point.display_name, "connector_id": session.connector_id,
        "tag": _tag(session), "mine": session.user_id == user.pk,
        "driver": session.user.get_full_name() if session.user else "",
        "source": session.source, "plug_in_at": figures.plug_in, "plug_out_at": figures.plug_out,
        "stopped_at": session.stopped_at, "duration_seconds": int(figures.duration.total_seconds()),
        "energy_kwh": figures.energy_kwh, "meter_start_kwh": figures.meter_start_kwh,
        "meter_stop_kwh": figures.meter_stop_kwh, "max_power_kw": figures.max_power_kw,
        "average_power_kw": figures.average_power_kw, "currency": session.currency,
        "total_cost": figures.total_cost, "cost_per_kwh": figures.cost_per_kwh,
    }


class SessionListApi(APIView):
    """My charging sessions, newest first: one month (``month``) or all, filtered by charger,
    tag and whose sessions. Costs are those set at the stop (null while charging)."""

    pagination_class = Pagination  # documents page / page_size and the paginated answer

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(help_text="Also the OCPP transaction id.")
        status = serializers.ChoiceField(choices=ChargingSession.Status.choices)
        charge_point_id = serializers.CharField()
        charger_name = serializers.CharField()
        connector_id = serializers.IntegerField()
        tag = SessionTagSerializer()
        mine = serializers.BooleanField(help_text="I charged (else: someone on a charger of mine).")
        driver = serializers.CharField(help_text="The driver's name; empty for an unknown tag.")
        source = serializers.ChoiceField(choices=ChargingSession.Source.choices)
        plug_in_at = serializers.DateTimeField()
        plug_out_at = serializers.DateTimeField(
            allow_null=True, help_text="The plug-out time, else the stop; null while charging.")
        stopped_at = serializers.DateTimeField(allow_null=True)
        duration_seconds = serializers.IntegerField(help_text="Start to stop (to now while charging).")
        energy_kwh = _decimal()
        meter_start_kwh = _decimal()
        meter_stop_kwh = _decimal(allow_null=True)
        max_power_kw = _decimal(allow_null=True)
        average_power_kw = _decimal(allow_null=True, help_text="Energy over the charging time.")
        currency = serializers.CharField(help_text="Empty when no tariff applied.")
        total_cost = _decimal(allow_null=True, help_text="null while charging or without a tariff.")
        cost_per_kwh = _decimal(allow_null=True, help_text="Total cost over the energy.")

    @extend_schema(
        parameters=[OpenApiParameter("month", str, description="YYYY-MM (the current time zone); all months "
                                                               "when left out."), *FILTER_PARAMETERS],
        responses={200: OutputSerializer(many=True), **FILTER_ERRORS}, tags=TAGS,
    )
    def get(self, request):
        filters = history.history_filters_parse(request.user, request.query_params)
        qs = history.history_sessions(request.user, filters).select_related("charge_point", "tag", "user")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        rows = [_row(s, history.session_figures(s), request.user) for s in page]
        return paginator.get_paginated_response(self.OutputSerializer(rows, many=True).data)


class SessionCurrencyTotalSerializer(serializers.Serializer):
    currency = serializers.CharField()
    amount = _decimal()


class SessionFilterChargerSerializer(serializers.Serializer):
    charge_point_id = serializers.CharField()
    name = serializers.CharField(source="display_name")


class SessionFilterTagSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    id_tag = serializers.CharField()
    alias = serializers.CharField()


class SessionFilterScopeSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class SessionSummaryApi(APIView):
    """A month of my history at a glance: its totals, the months around it and what the filters
    offer. Without ``month``: the current month, or the latest with sessions."""

    class OutputSerializer(serializers.Serializer):
        month = serializers.CharField(help_text="YYYY-MM")
        previous_month = serializers.CharField(allow_null=True, help_text="The previous month with sessions.")
        next_month = serializers.CharField(allow_null=True, help_text="The next month with sessions (or the "
                                                                      "current month).")
        months = serializers.ListField(child=serializers.CharField(), help_text="Months with sessions, newest "
                                                                                "first, and the current one.")
        sessions = serializers.IntegerField()
        active = serializers.IntegerField(help_text="Sessions still charging (their cost is not in costs yet).")
        energy_kwh = _decimal()
        costs = SessionCurrencyTotalSerializer(many=True, help_text="Total cost per currency of the priced sessions.")
        chargers = SessionFilterChargerSerializer(many=True, help_text="Choices of the charger filter.")
        tags = SessionFilterTagSerializer(many=True, help_text="Choices of the tag filter.")
        scopes = SessionFilterScopeSerializer(many=True, help_text="Choices of scope; empty without chargers of my "
                                                                   "own.")

    @extend_schema(
        parameters=[OpenApiParameter("month", str, description="YYYY-MM"), *FILTER_PARAMETERS],
        responses={200: OutputSerializer, **FILTER_ERRORS}, tags=TAGS,
    )
    def get(self, request):
        user = request.user
        filters = history.history_filters_parse(user, request.query_params)
        months = history.history_months(history.history_sessions(user, replace(filters, month=None)))
        navigation = history.month_navigation(months, filters.month)
        totals = history.history_totals(history.history_sessions(user, replace(filters, month=navigation.month)))
        options = history.history_filter_options(user)

        def ym(month):
            return month.strftime("%Y-%m") if month else None

        return Response(self.OutputSerializer({
            "month": ym(navigation.month), "previous_month": ym(navigation.previous),
            "next_month": ym(navigation.next), "months": [ym(m) for m in navigation.months],
            "sessions": totals.sessions, "active": totals.active, "energy_kwh": totals.energy_kwh,
            "costs": [{"currency": c.currency, "amount": c.amount} for c in totals.costs],
            "chargers": options.chargers, "tags": options.tags,
            "scopes": [{"key": key, "label": label} for key, label in options.scopes],
        }).data)


class SessionCostLineSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="energy, time, connection, parking, minimum, maximum")
    label = serializers.CharField()
    detail = serializers.CharField()
    quantity = _decimal()
    unit = serializers.CharField(help_text="kWh, h or empty (per session)")
    unit_price = _decimal()
    amount = _decimal()
    text = serializers.CharField(help_text='Written out, e.g. "35.13 kWh × 0.30 EUR/kWh = 10.54 EUR".')


class SessionCostSerializer(serializers.Serializer):
    tariff_name = serializers.CharField()
    currency = serializers.CharField()
    lines = SessionCostLineSerializer(many=True)
    total = _decimal()
    cost_per_kwh = _decimal(allow_null=True)
    running = serializers.BooleanField(help_text="Priced up to now: the session is still charging.")


class SessionLogEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=SessionEvent.Kind.choices)
    label = serializers.CharField()
    detail = serializers.CharField()


class SessionLogbookSerializer(serializers.Serializer):
    mileage_km = serializers.IntegerField(allow_null=True)
    vehicle_id = serializers.CharField()


class SessionDetailOutputSerializer(SessionListApi.OutputSerializer):
    plugged_out_at = serializers.DateTimeField(allow_null=True, help_text="As reported by the charger.")
    soc_percent = serializers.FloatField(allow_null=True)
    stop_reason = serializers.CharField(help_text="OCPP reason, e.g. EVDisconnected, Remote, Local.")
    stop_reason_label = serializers.CharField()
    logbook = SessionLogbookSerializer()
    cost = SessionCostSerializer(allow_null=True, help_text="null without a tariff. While charging: the running cost.")
    log = SessionLogEntrySerializer(many=True, help_text="The session's timed log (SES-9).")


def _cost(session: ChargingSession) -> dict | None:
    cost = session_cost(session)
    if cost is None:
        return None
    lines = []
    for line in cost.lines:
        text = line.amount_display
        if line.quantity_display:
            text = f"{line.quantity_display} × {line.unit_price_display} = {line.amount_display}"
        lines.append({"kind": line.kind, "label": str(line.label), "detail": str(line.detail),
                      "quantity": line.quantity, "unit": line.unit, "unit_price": line.unit_price,
                      "amount": line.amount, "text": text})
    return {"tariff_name": cost.tariff_name, "currency": cost.currency, "lines": lines, "total": cost.total,
            "cost_per_kwh": cost.cost_per_kwh, "running": cost.running}


class SessionDetailApi(APIView):
    """One session of mine (or on a charger of mine): the history's figures, the costs written
    out, the logbook, the stop reason and the timed log."""

    @extend_schema(responses={200: SessionDetailOutputSerializer, 404: OpenApiResponse(description="not_found")},
                   tags=TAGS)
    def get(self, request, pk):
        session = session_get_for_user(request.user, pk)
        data = _row(session, history.session_figures(session), request.user)
        data.update({
            "plugged_out_at": session.plugged_out_at, "soc_percent": session.soc_percent,
            "stop_reason": session.stop_reason, "stop_reason_label": history.stop_reason_label(session.stop_reason),
            "logbook": {"mileage_km": session.vehicle_mileage_km, "vehicle_id": session.vehicle_id},
            "cost": _cost(session),
            "log": [{"at": e.at, "kind": e.kind, "label": str(e.label), "detail": e.detail}
                    for e in history.session_log_readable(session)],
        })
        return Response(SessionDetailOutputSerializer(data).data)


class SessionPowerPointSerializer(serializers.Serializer):
    t = serializers.DateTimeField()
    kw = serializers.FloatField()


class SessionPowerApi(APIView):
    """The session's charging power over time: from the charger's power readings (phases summed
    when it sends only phases), else derived from its energy readings (source "energy")."""

    class OutputSerializer(serializers.Serializer):
        source = serializers.ChoiceField(choices=["power", "energy", ""],
                                         help_text='"" when the charger sent no meter readings.')
        max_kw = serializers.FloatField(allow_null=True)
        points = SessionPowerPointSerializer(many=True, help_text=f"Time order; at most {history.MAX_POINTS} "
                                                      "(longer sessions are averaged in runs).")

    @extend_schema(responses={200: OutputSerializer, 404: OpenApiResponse(description="not_found")}, tags=TAGS)
    def get(self, request, pk):
        session = session_get_for_user(request.user, pk)
        curve = history.power_curve(session)
        return Response(self.OutputSerializer({
            "source": curve.source, "max_kw": curve.max_kw,
            "points": [{"t": p.t, "kw": p.kw} for p in curve.points],
        }).data)
