"""Firmware API (CP-5): what a charger runs, the update available, and installing it."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from chargers import firmware
from chargers.api.views import OperationOutputSerializer
from chargers.models import ChargerOperation, FirmwareRelease
from chargers.selectors import charger_get_for_user
from wccportal.api import error_body


class FirmwareReleaseOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = FirmwareRelease
        fields = ["id", "vendor", "model", "version", "release_notes", "released_at"]


class FirmwareApi(APIView):
    class OutputSerializer(serializers.Serializer):
        charge_point_id = serializers.CharField(source="charge_point.charge_point_id")
        firmware_version = serializers.CharField(source="charge_point.firmware_version")
        can_install = serializers.BooleanField(
            help_text="Owners only; the fields below are empty for everyone else."
        )
        update_available = FirmwareReleaseOutputSerializer(source="update", allow_null=True)
        status = serializers.CharField(
            help_text="The charger's last FirmwareStatusNotification since the last install "
                      "request (Downloading, Downloaded, Installing, Installed, DownloadFailed, "
                      "InstallationFailed, Idle), or empty."
        )
        phase = serializers.ChoiceField(
            choices=["idle", "requested", "running", "installed", "failed"]
        )
        progress = serializers.IntegerField(source="percent", help_text="0 to 100")
        last_operation = OperationOutputSerializer(source="operation", allow_null=True)

    @extend_schema(responses=OutputSerializer, tags=["firmware"])
    def get(self, request, charge_point_id):
        charge_point = charger_get_for_user(request.user, charge_point_id)
        state = firmware.firmware_state_for(user=request.user, charge_point=charge_point)
        return Response(self.OutputSerializer(state).data)


class FirmwareInstallApi(APIView):
    class InputSerializer(serializers.Serializer):
        release = serializers.IntegerField(
            required=False, allow_null=True, min_value=1,
            help_text="A release id; default: the newest release available for the charger.",
        )

    @extend_schema(
        request=InputSerializer,
        responses={
            202: OperationOutputSerializer,
            400: OpenApiResponse(description="invalid_release: not a release of this model"),
            409: OpenApiResponse(description="no_update, update_in_progress or "
                                             "charger_offline (recorded, nothing sent)"),
        },
        tags=["firmware"],
    )
    def post(self, request, charge_point_id):
        charge_point = charger_get_for_user(request.user, charge_point_id, write=True)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        operation = firmware.firmware_install(
            charge_point=charge_point, release_id=serializer.validated_data.get("release"),
            acting_user=request.user,
        )
        if operation.status == ChargerOperation.Status.OFFLINE:
            body = error_body("charger_offline", operation.error)
            body["error"]["operation"] = operation.pk
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(OperationOutputSerializer(operation).data, status=status.HTTP_202_ACCEPTED)
