"""Remote operations API (OPS-1, OPS-2): request a command, follow its answer."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from chargers import services
from chargers.models import ChargerOperation
from chargers.selectors import (
    TAB_KEYS,
    charger_can_manage,
    charger_get_for_user,
    charger_tab_keys_for_user,
    charger_tabs_for_user,
    operation_list_for_user,
)
from wccportal.errors import DomainError
from wccportal.lib import ocpp16
from wccportal.pagination import Pagination


class OperationOutputSerializer(serializers.ModelSerializer):
    charge_point_id = serializers.CharField(source="charge_point.charge_point_id")

    class Meta:
        model = ChargerOperation
        fields = ["id", "charge_point_id", "action", "payload", "status", "response", "error",
                  "created_at", "sent_at", "completed_at", "latency_ms"]


class OperationRequestApi(APIView):
    class InputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=sorted(ocpp16.CENTRAL_ACTIONS))
        payload = serializers.DictField(required=False, default=dict)

    @extend_schema(
        request=InputSerializer, responses={202: OperationOutputSerializer}, tags=["operations"]
    )
    def post(self, request, charge_point_id):
        charge_point = charger_get_for_user(request.user, charge_point_id, write=True)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        operation = services.operation_request(
            charge_point=charge_point, action=serializer.validated_data["action"],
            payload=serializer.validated_data["payload"], acting_user=request.user,
        )
        return Response(OperationOutputSerializer(operation).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=OperationOutputSerializer(many=True), tags=["operations"])
    def get(self, request, charge_point_id):
        charge_point = charger_get_for_user(request.user, charge_point_id, write=True)
        operations = operation_list_for_user(request.user).filter(charge_point=charge_point)[:50]
        return Response(OperationOutputSerializer(operations, many=True).data)


class OperationDetailApi(APIView):
    @extend_schema(responses=OperationOutputSerializer, tags=["operations"])
    def get(self, request, operation_id):
        from django.shortcuts import get_object_or_404

        operation = get_object_or_404(operation_list_for_user(request.user), pk=operation_id)
        return Response(OperationOutputSerializer(operation).data)


# --- My chargers (CP-1 … CP-4) ---------------------------------------------------------------


class _ChargerCardMixin:
    """Per-user facts of a charger list: favourites and firmware updates, read in two queries."""

    @staticmethod
    def annotate(user, charge_points):
        from chargers.firmware import firmware_updates_for
        from chargers.selectors import favourite_pks_for_user

        favourites = favourite_pks_for_user(user, charge_points)
        updates = firmware_updates_for(charge_points)
        for cp in charge_points:
            cp.is_favourite = cp.pk in favourites
            cp.update_available = cp.pk in updates
        return charge_points


class ConnectorOutputSerializer(serializers.Serializer):
    connector_id = serializers.IntegerField()
    status = serializers.CharField()
    error_code = serializers.CharField()
    status_changed_at = serializers.DateTimeField(allow_null=True)


class ChargerListApi(_ChargerCardMixin, APIView):
    class OutputSerializer(serializers.Serializer):
        charge_point_id = serializers.CharField()
        name = serializers.CharField(source="display_name")
        model = serializers.CharField()
        vendor = serializers.CharField()
        online = serializers.BooleanField(source="is_online")
        favourite = serializers.BooleanField(source="is_favourite")
        update_available = serializers.BooleanField()
        connectors = serializers.SerializerMethodField()

        @extend_schema_field(ConnectorOutputSerializer(many=True))
        def get_connectors(self, cp):
            return ConnectorOutputSerializer(
                [c for c in cp.connectors.all() if c.connector_id >= 1], many=True
            ).data

    @extend_schema(
        parameters=[OpenApiParameter(
            "tab", str, enum=list(TAB_KEYS), description="Default: residential (shared for guests)."
        )],
        responses=OutputSerializer(many=True), tags=["chargers"],
    )
    def get(self, request):
        keys = charger_tab_keys_for_user(request.user)
        tab = request.query_params.get("tab", keys[0])
        if tab not in keys:
            raise DomainError(
                _("Unknown tab; the tabs are: %(tabs)s.") % {"tabs": ", ".join(keys)},
                code="invalid_tab", fields={"tab": [_("Not a tab of yours.")]},
            )
        qs = charger_tabs_for_user(request.user)[tab].prefetch_related("connectors").order_by(
            "name", "charge_point_id"
        )
        paginator = Pagination()
        page = self.annotate(request.user, list(paginator.paginate_queryset(qs, request, view=self)))
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class ChargerDetailOutputSerializer(ChargerListApi.OutputSerializer):
    can_manage = serializers.BooleanField()
    free_charging = serializers.BooleanField()
    led_brightness = serializers.IntegerField(allow_null=True)
    boot_configuration = serializers.SerializerMethodField()
    operations = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_boot_configuration(self, cp):
        return {field: getattr(cp, field) for field in BOOT_FIELDS}

    @extend_schema_field(OperationOutputSerializer(many=True))
    def get_operations(self, cp):
        return OperationOutputSerializer(getattr(cp, "last_operations", []), many=True).data


BOOT_FIELDS = (
    "firmware_version", "vendor", "model", "serial_number", "charge_box_serial_number",
    "part_number", "meter_type", "meter_serial_number", "iccid", "imsi",
)


class ChargerDetailApi(_ChargerCardMixin, APIView):
    @extend_schema(responses=ChargerDetailOutputSerializer, tags=["chargers"])
    def get(self, request, charge_point_id):
        cp = charger_get_for_user(request.user, charge_point_id)
        self.annotate(request.user, [cp])
        cp.can_manage = charger_can_manage(request.user, cp)
        # The last operations are the owner's business (OPS-2), not members' or guests'.
        cp.last_operations = (
            list(operation_list_for_user(request.user).filter(charge_point=cp)[:10])
            if cp.can_manage else []
        )
        return Response(ChargerDetailOutputSerializer(cp).data)

    @extend_schema(request=None, responses={204: None}, tags=["chargers"],
                   summary="Remove the charger from my account (unclaim)")
    def delete(self, request, charge_point_id):
        cp = charger_get_for_user(request.user, charge_point_id, write=True)
        services.charger_unclaim(charge_point=cp, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChargerClaimApi(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = services.CLAIM_THROTTLE_SCOPE

    class InputSerializer(serializers.Serializer):
        charge_point_id = serializers.CharField(required=False, max_length=64)
        claim_code = serializers.CharField(required=False, max_length=32)
        qr = serializers.CharField(required=False, max_length=500,
                                   help_text="The content of the charger's QR code.")
        name = serializers.CharField(required=False, allow_blank=True, default="")
        group = serializers.IntegerField(required=False, allow_null=True, default=None,
                                         help_text="Id of one of my groups.")

        def validate(self, data):
            if not data.get("qr") and not (data.get("charge_point_id") and data.get("claim_code")):
                raise serializers.ValidationError(
                    _("Send charge_point_id and claim_code, or qr.")
                )
            return data

    @extend_schema(request=InputSerializer, responses={201: ChargerDetailOutputSerializer},
                   tags=["chargers"])
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        cp_id, code = (
            services.claim_qr_parse(data["qr"]) if data.get("qr")
            else (data["charge_point_id"], data["claim_code"])
        )
        cp = services.charger_claim(
            user=request.user, charge_point_id=cp_id, claim_code=code, name=data["name"],
            group=data["group"],
        )
        return Response(_detail_data(request.user, cp), status=status.HTTP_201_CREATED)


def _detail_data(user, cp) -> dict:
    _ChargerCardMixin.annotate(user, [cp])
    cp.can_manage = charger_can_manage(user, cp)
    cp.last_operations = []
    return ChargerDetailOutputSerializer(cp).data


class ChargerFavouriteApi(APIView):
    class OutputSerializer(serializers.Serializer):
        favourite = serializers.BooleanField()

    @extend_schema(request=None, responses=OutputSerializer, tags=["chargers"])
    def put(self, request, charge_point_id):
        cp = charger_get_for_user(request.user, charge_point_id)
        services.favourite_set(user=request.user, charge_point=cp, favourite=True)
        return Response({"favourite": True})

    @extend_schema(request=None, responses=OutputSerializer, tags=["chargers"])
    def delete(self, request, charge_point_id):
        cp = charger_get_for_user(request.user, charge_point_id)
        services.favourite_set(user=request.user, charge_point=cp, favourite=False)
        return Response({"favourite": False})


class ChargerSettingsApi(APIView):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(required=False, allow_blank=True, max_length=100)
        free_charging = serializers.BooleanField(required=False)
        led_brightness = serializers.IntegerField(required=False, min_value=0, max_value=100)

    class OutputSerializer(serializers.Serializer):
        name = serializers.CharField()
        free_charging = serializers.BooleanField()
        led_brightness = serializers.IntegerField(allow_null=True)
        operations = OperationOutputSerializer(many=True)

    @extend_schema(request=InputSerializer, responses=OutputSerializer, tags=["chargers"],
                   description="Charger-side settings are sent with ChangeConfiguration; "
                               "follow the returned operations for the charger's answer.")
    def patch(self, request, charge_point_id):
        cp = charger_get_for_user(request.user, charge_point_id, write=True)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        operations = services.charger_settings_update(
            charge_point=cp, acting_user=request.user, **serializer.validated_data
        )
        return Response(self.OutputSerializer({
            "name": cp.name, "free_charging": cp.free_charging,
            "led_brightness": cp.led_brightness, "operations": operations,
        }).data)


class ChargerRestartApi(APIView):
    class InputSerializer(serializers.Serializer):
        confirm = serializers.BooleanField(required=False, default=False,
                                           help_text="Must be true: a restart is confirmed.")

    @extend_schema(request=InputSerializer, responses={202: OperationOutputSerializer},
                   tags=["chargers"])
    def post(self, request, charge_point_id):
        cp = charger_get_for_user(request.user, charge_point_id, write=True)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        operation = services.charger_restart(
            charge_point=cp, acting_user=request.user, confirm=serializer.validated_data["confirm"]
        )
        return Response(OperationOutputSerializer(operation).data, status=status.HTTP_202_ACCEPTED)


class ChargerQrApi(APIView):
    class OutputSerializer(serializers.Serializer):
        charge_point_id = serializers.CharField()
        claim_code = serializers.CharField()
        content = serializers.CharField(help_text="What the QR code encodes: the claim URL.")
        svg = serializers.CharField()

    @extend_schema(responses=OutputSerializer, tags=["chargers"])
    def get(self, request, charge_point_id):
        from chargers.qr import qr_svg

        cp = charger_get_for_user(request.user, charge_point_id, write=True)
        content = services.charger_claim_url(charge_point=cp)
        return Response(self.OutputSerializer({
            "charge_point_id": cp.charge_point_id, "claim_code": cp.claim_code,
            "content": content, "svg": qr_svg(content),
        }).data)
