"""Live session and dashboard API (SES-3, DASH-1, SES-9 log): my running sessions with their
live values and cost so far, one session's live state, Stop, and the dashboard's figures."""

from django.urls import reverse
from django.utils import formats, timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from sessions_app import live
from sessions_app.models import ChargingSession
from sessions_app.selectors import session_get_for_user

SCOPE_PARAMETER = OpenApiParameter(
    "scope", str, enum=list(live.SCOPES), required=False,
    description="all (default): the sessions I charged and those on chargers I own or whose group I own; "
                "mine: only the sessions I charged.",
)


class CostLineSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="energy, time, connection, parking, minimum or maximum.")
    label = serializers.CharField()
    detail = serializers.CharField(help_text="Time-of-use periods or grace time, if any.")
    unit = serializers.CharField(help_text='kWh, h, or empty for what is charged per session (fees).')
    quantity_display = serializers.CharField(help_text='e.g. "35.13 kWh".')
    unit_price_display = serializers.CharField(help_text='e.g. "0.30 EUR/kWh".')
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount_display = serializers.CharField(help_text='e.g. "10.54 EUR".')


class CostSerializer(serializers.Serializer):
    currency = serializers.CharField()
    tariff_name = serializers.CharField()
    running = serializers.BooleanField(help_text="True while the session runs: the cost so far.")
    lines = CostLineSerializer(many=True)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_display = serializers.CharField()
    cost_per_kwh = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    cost_per_kwh_display = serializers.CharField()


class StopRequestSerializer(serializers.Serializer):
    operation_id = serializers.IntegerField()
    status = serializers.CharField(help_text="The RemoteStopTransaction's status: pending, accepted, rejected, "
                                             "failed, timed_out or offline.")
    pending = serializers.BooleanField(help_text="Sent and not refused: the session is stopping.")
    message = serializers.CharField()
    requested_at = serializers.DateTimeField()


class LogEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField(help_text="vehicle_connected, authorized, charging_started, suspended_ev, "
                                           "suspended_evse, resumed, remote_stop_requested, stopped, "
                                           "vehicle_disconnected or error.")
    label = serializers.CharField()
    detail = serializers.CharField()
    time_display = serializers.SerializerMethodField(help_text="The time in the platform's time zone, as pages "
                                                               "show it.")

    def get_time_display(self, entry) -> str:
        return formats.time_format(timezone.localtime(entry.at), "TIME_FORMAT")


class LiveStateSerializer(serializers.Serializer):
    """A session as its live page shows it (SES-3)."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(source="session.status", choices=ChargingSession.Status.choices)
    state = serializers.ChoiceField(
        choices=["charging", "preparing", "suspended_ev", "suspended_evse", "faulted", "stopping", "completed"],
        help_text="What is happening now, from the charger's connector status and the stop asked for.")
    state_label = serializers.CharField()
    charge_point_id = serializers.CharField(source="session.charge_point.charge_point_id")
    charger_name = serializers.CharField(source="session.charge_point.display_name")
    connector_id = serializers.IntegerField(source="session.connector_id")
    connector_status = serializers.CharField(help_text="The connector's OCPP status.")
    online = serializers.BooleanField(help_text="The charger is connected.")
    started_at = serializers.DateTimeField(source="session.started_at")
    stopped_at = serializers.DateTimeField(source="session.stopped_at", allow_null=True)
    elapsed_seconds = serializers.IntegerField()
    energy_wh = serializers.IntegerField()
    energy_kwh = serializers.FloatField()
    power_kw = serializers.FloatField(allow_null=True, help_text="Power now; null once stopped or before a sample.")
    max_power_kw = serializers.FloatField(allow_null=True)
    soc_percent = serializers.FloatField(allow_null=True, help_text="The vehicle's state of charge, if reported.")
    sampled_at = serializers.DateTimeField(allow_null=True, help_text="Time of the latest meter sample.")
    cost = CostSerializer(allow_null=True, help_text="null without a tariff (free charging).")
    stop = StopRequestSerializer(allow_null=True, help_text="The latest stop asked while it runs.")
    can_stop = serializers.BooleanField(help_text="Whether I may stop it (its driver, the charger's owner, staff).")
    log = LogEntrySerializer(many=True, help_text="The session log (SES-9).")
    live_url = serializers.SerializerMethodField()
    detail_url = serializers.SerializerMethodField()

    def get_live_url(self, state) -> str:
        return reverse("app:session_live", args=[state.id])

    def get_detail_url(self, state) -> str:
        return reverse("app:session_detail", args=[state.id])


class ActiveSessionsApi(APIView):
    """My running sessions with their live values and cost so far (SES-3, DASH-1)."""

    @extend_schema(parameters=[SCOPE_PARAMETER], responses=LiveStateSerializer(many=True), tags=["sessions"])
    def get(self, request):
        states = live.active_sessions(request.user, request.query_params.get("scope", "all"))
        return Response(LiveStateSerializer(states, many=True).data)


class SessionLiveApi(APIView):
    """A session's live state: status, energy, power, state of charge, elapsed time, the cost
    lines so far, the stop asked for and the log (SES-3)."""

    @extend_schema(responses={200: LiveStateSerializer, 404: OpenApiResponse(description="not_found")},
                   tags=["sessions"])
    def get(self, request, pk):
        session = session_get_for_user(request.user, pk)
        return Response(LiveStateSerializer(live.live_state(session, user=request.user)).data)


class SessionStopApi(APIView):
    """Stop a running session: RemoteStopTransaction to its charger (SES-3). The answer
    arrives later: follow the operation (live event "operation", or this session's live
    state, whose ``stop`` shows it); the session ends with the charger's StopTransaction."""

    class OutputSerializer(serializers.Serializer):
        session = serializers.IntegerField()
        operation_id = serializers.IntegerField(source="operation.id")
        action = serializers.CharField(source="operation.action")
        status = serializers.CharField(source="operation.status",
                                       help_text="pending (sent); the stop asked a moment ago is returned "
                                                 "again while it waits for the charger's answer.")
        error = serializers.CharField(source="operation.error")
        created_at = serializers.DateTimeField(source="operation.created_at")

    @extend_schema(
        request=None,
        responses={
            202: OutputSerializer,
            404: OpenApiResponse(description="not_found: no such session, or not one I may stop"),
            409: OpenApiResponse(description="session_not_active or charger_offline"),
        },
        tags=["sessions"],
    )
    def post(self, request, pk):
        session = session_get_for_user(request.user, pk)
        operation = live.session_request_stop(user=request.user, session=session)
        return Response(self.OutputSerializer({"session": session.pk, "operation": operation}).data,
                        status=status.HTTP_202_ACCEPTED)


class DashboardDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    kwh = serializers.FloatField()


class MoneyTotalSerializer(serializers.Serializer):
    currency = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    display = serializers.CharField()


class LastSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="session.pk")
    charge_point_id = serializers.CharField(source="session.charge_point.charge_point_id")
    charger_name = serializers.CharField(source="session.charge_point.display_name")
    energy_kwh = serializers.FloatField(source="session.energy_kwh")
    total_cost = serializers.DecimalField(source="session.total_cost", max_digits=12, decimal_places=2,
                                          allow_null=True)
    currency = serializers.CharField(source="session.currency")
    cost_display = serializers.CharField()
    started_at = serializers.DateTimeField(source="session.started_at")
    stopped_at = serializers.DateTimeField(source="session.stopped_at")
    duration_seconds = serializers.SerializerMethodField()
    detail_url = serializers.SerializerMethodField()

    def get_duration_seconds(self, last) -> int:
        return int(last.duration.total_seconds())

    def get_detail_url(self, last) -> str:
        return reverse("app:session_detail", args=[last.session.pk])


class DashboardApi(APIView):
    """The dashboard (DASH-1): energy per day over the last 7 or 30 days with the period's
    total energy and total cost per currency, the last finished session, the running ones."""

    class OutputSerializer(serializers.Serializer):
        days = serializers.IntegerField()
        scope = serializers.CharField(help_text="all or mine (see the scope parameter).")
        start = serializers.DateField()
        end = serializers.DateField()
        per_day = DashboardDaySerializer(many=True, help_text="Energy per local day a session started.")
        total_kwh = serializers.FloatField()
        costs = MoneyTotalSerializer(many=True, help_text="Total cost per currency (running sessions: so far).")
        sessions = serializers.IntegerField(help_text="Sessions started in the period.")
        last_session = LastSessionSerializer(source="last", allow_null=True,
                                             help_text="The last finished session.")
        active_sessions = LiveStateSerializer(many=True, source="active")

    @extend_schema(
        parameters=[OpenApiParameter("days", int, enum=list(live.DASHBOARD_DAYS), required=False,
                                     description="The period: the last 7 or 30 days (default 30)."),
                    SCOPE_PARAMETER],
        responses=OutputSerializer, tags=["sessions"],
    )
    def get(self, request):
        try:
            days = int(request.query_params.get("days", 30))
        except ValueError:
            days = 30
        board = live.dashboard_for(request.user, days=days, scope=request.query_params.get("scope", "all"))
        return Response(self.OutputSerializer(board).data)
