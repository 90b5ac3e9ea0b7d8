"""Bookings API (RES-1 … RES-3): my bookings, booking a slot (the charger is assigned),
cancelling, a group's booking rules and its free times on a day."""

from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from chargers.sharing import zone_or_default
from wccportal.errors import DomainError
from wccportal.pagination import Pagination

from .. import bookings
from ..models import Booking
from ..selectors import booking_get_for_user, booking_list_for_user, group_get_for_user

SCOPES = ("upcoming", "past", "all")


class BookingGroupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BookingOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    group = BookingGroupSerializer()
    charge_point_id = serializers.CharField(source="charge_point.charge_point_id")
    charger_name = serializers.CharField(source="charge_point.display_name")
    connector_id = serializers.IntegerField(help_text="0: the whole charger.")
    mine = serializers.SerializerMethodField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    time_zone = serializers.CharField(source="charge_point.time_zone")
    status = serializers.ChoiceField(choices=Booking.Status.choices)
    reserved_at = serializers.DateTimeField(allow_null=True, help_text="When ReserveNow was sent to the charger.")
    ended_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_mine(self, booking) -> bool:
        return booking.user_id == self.context["request"].user.pk


def _aware(raw, zone_name: str, field: str) -> datetime:
    """An ISO 8601 time; without an offset it is read in ``zone_name``."""
    try:
        parsed = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise serializers.ValidationError({field: [_("Enter a valid date and time (ISO 8601).")]}) from None
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=zone_or_default(zone_name))


class BookingsApi(APIView):
    """My bookings (and, for group owners, those of their groups); booking a slot."""

    class InputSerializer(serializers.Serializer):
        group = serializers.IntegerField()
        starts_at = serializers.CharField(help_text="ISO 8601. Without an offset it is read in the group's time zone.")
        ends_at = serializers.CharField(required=False, help_text="ISO 8601; or give duration_minutes.")
        duration_minutes = serializers.IntegerField(required=False, min_value=1)

        def validate(self, attrs):
            if ("ends_at" in attrs) == ("duration_minutes" in attrs):
                raise serializers.ValidationError({"ends_at": [_("Give either ends_at or duration_minutes.")]})
            return attrs

    @extend_schema(
        parameters=[OpenApiParameter("scope", str, enum=list(SCOPES),
                                     description="upcoming (default): live and not over; past: the others.")],
        responses=BookingOutputSerializer(many=True), tags=["bookings"],
    )
    def get(self, request):
        scope = request.query_params.get("scope", "upcoming")
        if scope not in SCOPES:
            raise DomainError(_("Unknown scope."), code="invalid_scope", fields={"scope": [", ".join(SCOPES)]})
        qs = booking_list_for_user(request.user)
        live = Q(status=Booking.Status.BOOKED, ends_at__gt=timezone.now())
        if scope == "upcoming":
            qs = qs.filter(live).order_by("starts_at", "pk")
        elif scope == "past":
            qs = qs.exclude(live).order_by("-starts_at", "-pk")
        else:
            qs = qs.order_by("-starts_at", "-pk")
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(
            BookingOutputSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: BookingOutputSerializer,
            400: OpenApiResponse(description="premium_required, bookings_disabled, invalid_time, booking_in_past, "
                                             "booking_too_short, booking_too_long, booking_too_far_ahead, "
                                             "booking_overlaps_yours, group_has_no_chargers, invalid"),
            403: OpenApiResponse(description="not_member"),
            404: OpenApiResponse(description="not a group of yours"),
            409: OpenApiResponse(description="no_charger_free"),
        },
        tags=["bookings"],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        group = group_get_for_user(request.user, data["group"])
        zone = bookings.group_zone(group).key
        starts_at = _aware(data["starts_at"], zone, "starts_at")
        ends_at = (_aware(data["ends_at"], zone, "ends_at") if "ends_at" in data
                   else starts_at + timedelta(minutes=data["duration_minutes"]))
        booking = bookings.booking_create(user=request.user, group=group, starts_at=starts_at, ends_at=ends_at)
        booking = booking_get_for_user(request.user, booking.pk)
        return Response(BookingOutputSerializer(booking, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class BookingApi(APIView):
    """One booking (mine, or in a group I own); DELETE cancels it (the charger is released)."""

    @extend_schema(responses=BookingOutputSerializer, tags=["bookings"])
    def get(self, request, pk):
        booking = booking_get_for_user(request.user, pk)
        return Response(BookingOutputSerializer(booking, context={"request": request}).data)

    @extend_schema(
        responses={200: BookingOutputSerializer, 409: OpenApiResponse(description="booking_not_live")},
        tags=["bookings"],
    )
    def delete(self, request, pk):
        booking = booking_get_for_user(request.user, pk)
        booking = bookings.booking_cancel(booking=booking, acting_user=request.user)
        return Response(BookingOutputSerializer(booking, context={"request": request}).data)


class BookingRulesSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(source="bookings_enabled")
    max_minutes = serializers.IntegerField(
        source="booking_max_minutes", min_value=bookings.MAX_MINUTES_RANGE[0],
        max_value=bookings.MAX_MINUTES_RANGE[1], help_text="Longest booking.")
    horizon_days = serializers.IntegerField(
        source="booking_horizon_days", min_value=bookings.HORIZON_DAYS_RANGE[0],
        max_value=bookings.HORIZON_DAYS_RANGE[1], help_text="How far ahead one can book.")
    no_show_minutes = serializers.IntegerField(
        source="booking_no_show_minutes", min_value=bookings.NO_SHOW_MINUTES_RANGE[0],
        max_value=bookings.NO_SHOW_MINUTES_RANGE[1],
        help_text="A booking nobody starts charging on is released after this long.")


class GroupBookingRulesApi(APIView):
    """A group's booking rules (RES-1): members read them, the owner changes them."""

    @extend_schema(responses=BookingRulesSerializer, tags=["bookings"])
    def get(self, request, pk):
        group = group_get_for_user(request.user, pk)
        return Response(BookingRulesSerializer(group).data)

    @extend_schema(
        request=BookingRulesSerializer,
        responses={200: BookingRulesSerializer,
                   400: OpenApiResponse(description="premium_required, invalid_rules, invalid"),
                   403: OpenApiResponse(description="not_group_owner")},
        tags=["bookings"],
    )
    def put(self, request, pk):
        group = group_get_for_user(request.user, pk)
        serializer = BookingRulesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        group = bookings.booking_rules_update(
            group=group, acting_user=request.user, enabled=data["bookings_enabled"],
            max_minutes=data["booking_max_minutes"], horizon_days=data["booking_horizon_days"],
            no_show_minutes=data["booking_no_show_minutes"],
        )
        return Response(BookingRulesSerializer(group).data)


class GroupBookingAvailabilityApi(APIView):
    """When a group's chargers can be booked on a day: the free times (at least one charger
    free, from now and within the booking horizon) and the live bookings (times, chargers)."""

    class OutputSerializer(serializers.Serializer):
        class IntervalSerializer(serializers.Serializer):
            starts_at = serializers.DateTimeField()
            ends_at = serializers.DateTimeField()

        class BusySerializer(IntervalSerializer):
            charge_point_id = serializers.CharField()
            charger = serializers.CharField()

        date = serializers.DateField(source="day")
        time_zone = serializers.CharField()
        chargers = serializers.IntegerField()
        bookings_enabled = serializers.BooleanField()
        free = IntervalSerializer(many=True)
        busy = BusySerializer(many=True)

    @extend_schema(
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, description="Default: today, in the group's zone.")],
        responses=OutputSerializer, tags=["bookings"],
    )
    def get(self, request, pk):
        group = group_get_for_user(request.user, pk)
        raw = request.query_params.get("date")
        if raw:
            try:
                day = date.fromisoformat(raw)
            except ValueError:
                raise DomainError(_("Enter a valid date (YYYY-MM-DD)."), code="invalid_date",
                                  fields={"date": [_("Enter a valid date (YYYY-MM-DD).")]}) from None
        else:
            day = timezone.localtime(timezone.now(), bookings.group_zone(group)).date()
        availability = bookings.booking_availability(group=group, day=day)
        data = {**availability.__dict__, "bookings_enabled": group.bookings_enabled}
        return Response(self.OutputSerializer(data).data)
