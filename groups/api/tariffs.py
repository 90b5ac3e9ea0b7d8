"""Tariffs API (TAR-1, TAR-2, GRP-6): my tariffs with their time-of-use periods, and the
price breakdown of an example session. Amounts are strings (exact decimals) with a currency."""

from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from groups import tariffs as services
from groups.models import Tariff
from groups.selectors import tariff_get_for_user, tariff_list_for_user

TAGS = ["tariffs"]
ERRORS = {
    400: OpenApiResponse(description="invalid (field errors) or a rule's code: required, unknown_currency, "
                                     "invalid_amount, negative_amount, too_precise, amount_too_large, "
                                     "min_above_max, invalid_grace, invalid_weekdays, invalid_time, "
                                     "invalid_period_times, periods_overlap, invalid_preview"),
}


def _amount(**kwargs):
    # Precision and sign are the service's rules (with their own error codes), not DRF's.
    return serializers.DecimalField(max_digits=None, decimal_places=None, **kwargs)


@extend_schema_field({"type": "string", "example": "01234",
                      "description": "Also accepted as input: a list of the digits, e.g. [0, 1, 2]."})
class WeekdaysField(serializers.Field):
    """Digits of the weekdays, 0 = Monday … 6 = Sunday: "01234" or [0, 1, 2, 3, 4]."""

    def to_internal_value(self, data):
        if isinstance(data, list):
            return [str(d) for d in data]
        if isinstance(data, str):
            return data
        raise serializers.ValidationError("A string of digits 0-6 or a list of them.")

    def to_representation(self, value):
        return value


class PeriodSerializer(serializers.Serializer):
    weekdays = WeekdaysField(help_text='Digits of the weekdays: 0 = Monday … 6 = Sunday, e.g. "01234".')
    start_time = serializers.TimeField(format="%H:%M")
    end_time = serializers.TimeField(format="%H:%M", help_text="00:00 = midnight at the end of the day.")
    price_per_kwh = _amount()
    time_fee_per_hour = _amount(required=False, allow_null=True, default=None,
                                help_text="null: the tariff's own time fee.")


class TariffGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TariffOutputSerializer(serializers.ModelSerializer):
    periods = PeriodSerializer(many=True)
    groups = serializers.SerializerMethodField(help_text="Groups using this tariff (GRP-6).")
    connection_fee = _amount()
    price_per_kwh = _amount()
    time_fee_per_hour = _amount()
    parking_fee_per_hour = _amount()
    min_price = _amount(allow_null=True)
    max_price = _amount(allow_null=True)

    class Meta:
        model = Tariff
        fields = ["id", "name", "currency", "connection_fee", "price_per_kwh", "time_fee_per_hour",
                  "parking_fee_per_hour", "parking_grace_minutes", "min_price", "max_price", "periods",
                  "groups", "created_at", "updated_at"]

    @extend_schema_field(TariffGroupSerializer(many=True))
    def get_groups(self, tariff) -> list[dict]:
        return [{"id": g.pk, "name": g.name} for g in services.tariff_groups(tariff)]


class TariffInputSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, trim_whitespace=True)
    currency = serializers.CharField(required=False, help_text="ISO 4217, e.g. EUR.")
    connection_fee = _amount(required=False, help_text="Per session.")
    price_per_kwh = _amount(required=False)
    time_fee_per_hour = _amount(required=False, help_text="Per hour of charging.")
    parking_fee_per_hour = _amount(required=False, help_text="Per hour plugged in after charging ends.")
    parking_grace_minutes = serializers.IntegerField(required=False)
    min_price = _amount(required=False, allow_null=True)
    max_price = _amount(required=False, allow_null=True)
    periods = PeriodSerializer(many=True, required=False, help_text="Time-of-use periods; replace all when given.")


def _output(tariff) -> dict:
    tariff = Tariff.objects.prefetch_related("periods").get(pk=tariff.pk)
    return TariffOutputSerializer(tariff).data


class TariffListApi(APIView):
    """My tariffs (search by name) and creating one."""

    @extend_schema(
        parameters=[OpenApiParameter("search", str, description="Part of the name.")],
        responses=TariffOutputSerializer(many=True), tags=TAGS, summary="My tariffs",
    )
    def get(self, request):
        qs = tariff_list_for_user(request.user).filter(owner=request.user).prefetch_related("periods")
        search = (request.query_params.get("search") or "").strip()
        if search:
            qs = qs.filter(Q(name__icontains=search))
        return Response(TariffOutputSerializer(qs.order_by("name", "pk"), many=True).data)

    @extend_schema(request=TariffInputSerializer, responses={201: TariffOutputSerializer, **ERRORS}, tags=TAGS,
                   summary="Create a tariff")
    def post(self, request):
        serializer = TariffInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tariff = services.tariff_create(owner=request.user, acting_user=request.user, **serializer.validated_data)
        return Response(_output(tariff), status=status.HTTP_201_CREATED)


class TariffDetailApi(APIView):
    """One of my tariffs: read, replace (PUT), change (PATCH), remove (groups are detached)."""

    @extend_schema(responses=TariffOutputSerializer, tags=TAGS, summary="A tariff")
    def get(self, request, pk):
        return Response(_output(tariff_get_for_user(request.user, pk)))

    @extend_schema(request=TariffInputSerializer, responses={200: TariffOutputSerializer, **ERRORS}, tags=TAGS,
                   summary="Replace a tariff (omitted fields take their defaults; periods: none)")
    def put(self, request, pk):
        tariff = tariff_get_for_user(request.user, pk)
        serializer = TariffInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {**services.DEFAULTS, "periods": [], **serializer.validated_data}
        tariff = services.tariff_update(tariff=tariff, acting_user=request.user, **data)
        return Response(_output(tariff))

    @extend_schema(request=TariffInputSerializer, responses={200: TariffOutputSerializer, **ERRORS}, tags=TAGS,
                   summary="Change some fields of a tariff (periods, when given, replace all)")
    def patch(self, request, pk):
        tariff = tariff_get_for_user(request.user, pk)
        serializer = TariffInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        tariff = services.tariff_update(tariff=tariff, acting_user=request.user, **serializer.validated_data)
        return Response(_output(tariff))

    @extend_schema(responses={204: None}, tags=TAGS,
                   summary="Remove a tariff: groups using it are detached; past sessions keep their costs")
    def delete(self, request, pk):
        services.tariff_delete(tariff=tariff_get_for_user(request.user, pk), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PreviewLineSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="energy, time, connection, parking, minimum or maximum")
    label = serializers.CharField()
    detail = serializers.CharField(help_text="Time-of-use periods priced in this line, grace period…")
    quantity = serializers.DecimalField(max_digits=None, decimal_places=6, help_text="Exact, to 6 places.")
    unit = serializers.CharField(help_text='"kWh", "h" or "" (per session)')
    unit_price = serializers.DecimalField(max_digits=None, decimal_places=None)
    amount = serializers.DecimalField(max_digits=None, decimal_places=None)
    amount_display = serializers.CharField(help_text='e.g. "10.54 EUR"')


class TariffPreviewApi(APIView):
    """The price breakdown of an example session with this tariff (TAR-2), computed by the
    engine that prices real sessions: the energy flows evenly over the charging minutes."""

    class InputSerializer(serializers.Serializer):
        energy_kwh = _amount(help_text="Energy charged, e.g. 35.13.")
        started_at = serializers.CharField(
            required=False, help_text="ISO 8601; without an offset it is read in `time_zone`. Default: now.")
        duration_minutes = serializers.IntegerField(help_text="Minutes of charging.")
        parked_minutes = serializers.IntegerField(required=False, default=0,
                                                  help_text="Minutes plugged in after charging ended.")
        time_zone = serializers.CharField(
            required=False, allow_blank=True, default="",
            help_text="IANA zone of the time-of-use periods. Default: a charger's of the first group using it.")

        def validate_time_zone(self, value):
            if value and not services.zone_valid(value):
                raise serializers.ValidationError("Unknown time zone.")
            return value

        def validate_started_at(self, value):
            try:
                return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                raise serializers.ValidationError("An ISO 8601 date and time.") from None

    class OutputSerializer(serializers.Serializer):
        currency = serializers.CharField()
        time_zone = serializers.CharField()
        started_at = serializers.DateTimeField()
        charging_ended_at = serializers.DateTimeField()
        stopped_at = serializers.DateTimeField()
        energy_kwh = serializers.DecimalField(max_digits=None, decimal_places=None)
        lines = PreviewLineSerializer(many=True)
        subtotal = serializers.DecimalField(max_digits=None, decimal_places=None,
                                            help_text="Before the minimum / maximum per session.")
        total = serializers.DecimalField(max_digits=None, decimal_places=None)
        total_display = serializers.CharField(help_text='e.g. "11.54 EUR"')

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer, **ERRORS}, tags=TAGS,
                   summary="Preview the price of an example session")
    def post(self, request, pk):
        tariff = tariff_get_for_user(request.user, pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        preview = services.tariff_preview(
            tariff=tariff, energy_kwh=data["energy_kwh"], started_at=data.get("started_at") or timezone.now(),
            duration_minutes=data["duration_minutes"], parked_minutes=data["parked_minutes"],
            time_zone=data["time_zone"] or None,
        )
        return Response(self.OutputSerializer(preview).data)
