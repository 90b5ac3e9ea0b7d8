"""Starting a charge over the API (SES-1, SES-2, SES-6): start, follow the start, and what a
connector's start page shows. Every refusal is an error with a stable code (see
sessions_app.starting.session_request_start)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from chargers.selectors import charger_get_for_user
from sessions_app import starting
from sessions_app.models import ChargingSession

START_REFUSALS = (
    "invalid_connector, charger_offline, connector_unavailable, connector_busy, start_pending, "
    "no_free_connector, reserved, no_favourite_tag, no_share_tag, tag_blocked, tag_expired, no_right, "
    "logbook_required (with field errors for mileage_km and vehicle_id)"
)


class StartOperationSerializer(serializers.Serializer):
    """The RemoteStartTransaction sent and the charger's answer (OPS-2)."""

    id = serializers.IntegerField()
    status = serializers.CharField(help_text="pending, accepted, rejected, failed, timed_out or offline.")
    error = serializers.CharField()


class StartRequestOutputSerializer(serializers.Serializer):
    """A start and how it went: the charger's answer, then the session it opened."""

    id = serializers.IntegerField()
    charge_point_id = serializers.CharField(source="charge_point.charge_point_id")
    charger_name = serializers.CharField(source="charge_point.display_name")
    connector_id = serializers.IntegerField()
    id_tag = serializers.CharField(help_text="The tag sent with RemoteStartTransaction.")
    source = serializers.ChoiceField(choices=ChargingSession.Source.choices)
    vehicle_mileage_km = serializers.IntegerField(allow_null=True)
    vehicle_id = serializers.CharField()
    created_at = serializers.DateTimeField()
    operation = StartOperationSerializer(allow_null=True)
    state = serializers.SerializerMethodField(help_text=(
        "One of pending: sent, no answer yet; accepted: the charger waits for the vehicle; started: the session "
        "is open (session_id); no_session, rejected, failed, timed_out, offline: it did not start."))
    message = serializers.SerializerMethodField(help_text="The state explained, in the user's language.")
    final = serializers.SerializerMethodField(help_text="No further change is to be expected.")
    session_id = serializers.SerializerMethodField()

    def _progress(self, start) -> starting.StartProgress:
        if not hasattr(start, "progress"):
            start.progress = starting.start_progress(start)
        return start.progress

    def get_state(self, start) -> str:
        return self._progress(start).state

    def get_message(self, start) -> str:
        return self._progress(start).message

    def get_final(self, start) -> bool:
        return self._progress(start).final

    def get_session_id(self, start) -> int | None:
        return self._progress(start).session_id


class StartOptionsSerializer(serializers.Serializer):
    """Where and how to start: the connector and the logbook entry (SES-6)."""

    connector_id = serializers.IntegerField(required=False, allow_null=True, default=None,
                                            help_text="Default: the first free connector.")
    mileage_km = serializers.IntegerField(required=False, allow_null=True, default=None,
                                          help_text="Logbook (SES-6): required when the charger keeps one.")
    vehicle_id = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=True,
                                       help_text="Logbook (SES-6): required when the charger keeps one; "
                                                 f"at most {starting.VEHICLE_ID_MAX} characters.")


class ChargeStartInputSerializer(StartOptionsSerializer):
    charge_point_id = serializers.CharField()


START_RESPONSES = {
    202: StartRequestOutputSerializer,
    400: OpenApiResponse(description=START_REFUSALS),
    404: OpenApiResponse(description="not_found: no charger of that ID that I may use"),
}


def _start(request, charge_point_id: str, serializer: serializers.Serializer) -> Response:
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    charge_point = charger_get_for_user(request.user, charge_point_id)
    start = starting.session_request_start(
        user=request.user, charge_point=charge_point, connector_id=data["connector_id"],
        source=ChargingSession.Source.APP, mileage_km=data["mileage_km"], vehicle_id=data["vehicle_id"],
    )
    return Response(StartRequestOutputSerializer(start).data, status=status.HTTP_202_ACCEPTED)


class ChargeStartApi(APIView):
    """Start charging on a charger I may use (Scan & Charge, 1-Click Remote Start, a charger's
    Start action): the checks run first, then RemoteStartTransaction is sent. 202: follow the
    start with GET /charge/start/{id}/."""

    @extend_schema(request=ChargeStartInputSerializer, responses=START_RESPONSES, tags=["charging"])
    def post(self, request):
        serializer = ChargeStartInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _start(request, serializer.validated_data["charge_point_id"], serializer)


class ChargerStartApi(APIView):
    """Start from a charger's actions (SES-2): the same start, the charger named in the path."""

    @extend_schema(request=StartOptionsSerializer, responses=START_RESPONSES, tags=["charging"])
    def post(self, request, charge_point_id):
        return _start(request, charge_point_id, StartOptionsSerializer(data=request.data))


class ChargeStartDetailApi(APIView):
    """How my start went: the charger's answer, then the session once it is open."""

    @extend_schema(
        responses={200: StartRequestOutputSerializer, 404: OpenApiResponse(description="not_found")},
        tags=["charging"],
    )
    def get(self, request, pk):
        start = starting.start_request_get_for_user(request.user, pk)
        return Response(StartRequestOutputSerializer(start).data)


class StartTagSerializer(serializers.Serializer):
    id_tag = serializers.CharField(source="tag.id_tag")
    alias = serializers.CharField(source="tag.alias")
    via_share = serializers.BooleanField(help_text="The tag of the share the charger was shared with.")


class StartRefusalSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class LastLogbookSerializer(serializers.Serializer):
    vehicle_id = serializers.CharField()
    mileage_km = serializers.IntegerField(allow_null=True)


class ConnectorStartInfoApi(APIView):
    """What a connector's start page shows: its state, the tag a start uses, whether the logbook
    is asked for, and whether a start can work now or why not (the code a start would get)."""

    class OutputSerializer(serializers.Serializer):
        charge_point_id = serializers.CharField(source="charge_point.charge_point_id")
        charger_name = serializers.CharField(source="charge_point.display_name")
        online = serializers.BooleanField(source="charge_point.is_online")
        connector_id = serializers.IntegerField(source="connector.connector_id")
        status = serializers.CharField(source="connector.status", help_text="OCPP ChargePointStatus.")
        status_label = serializers.CharField(source="connector.get_status_display")
        tag = StartTagSerializer(allow_null=True)
        logbook_required = serializers.BooleanField()
        last_logbook = LastLogbookSerializer(allow_null=True, help_text="My last vehicle, to fill in the logbook.")
        startable = serializers.BooleanField()
        reason = StartRefusalSerializer(source="refusal", allow_null=True,
                                  help_text=f"Why a start would be refused now: {START_REFUSALS}.")
        active_session_id = serializers.IntegerField(allow_null=True, help_text="My session on this connector.")
        pending_request_id = serializers.IntegerField(allow_null=True, help_text="My start on its way here.")

    @extend_schema(
        responses={200: OutputSerializer, 404: OpenApiResponse(description="not_found: charger or connector")},
        tags=["charging"],
    )
    def get(self, request, charge_point_id, connector_id):
        charge_point = charger_get_for_user(request.user, charge_point_id)
        info = starting.start_info(user=request.user, charge_point=charge_point, connector_id=connector_id)
        return Response(self.OutputSerializer(info).data)
