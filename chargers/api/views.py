"""Remote operations API (OPS-1, OPS-2): request a command, follow its answer."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from chargers import services
from chargers.models import ChargerOperation
from chargers.selectors import charger_get_for_user, operation_list_for_user
from wccportal.lib import ocpp16


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
