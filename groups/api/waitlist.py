"""Waitlist API (RES-4): my entries with their place in line, join, leave, and a group's
queue status."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from groups import waitlist as services
from groups.models import WaitlistEntry
from groups.selectors import group_get_for_user, waitlist_get_for_user, waitlist_list_for_user

CLOSED_DAYS = 30  # closed entries listed with ?state=closed|all


class WaitlistEntrySerializer(serializers.Serializer):
    class GroupSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()

    class ChargerSerializer(serializers.Serializer):
        charge_point_id = serializers.CharField()
        name = serializers.CharField(source="display_name")

    id = serializers.IntegerField()
    group = GroupSerializer()
    status = serializers.ChoiceField(choices=WaitlistEntry.Status.choices)
    position = serializers.SerializerMethodField(
        help_text="Place in line (1 = next) while waiting; null otherwise.")
    offered_charger = ChargerSerializer(source="offered_charge_point", allow_null=True,
                                        help_text="The charger held for you (status offered).")
    offered_at = serializers.DateTimeField(allow_null=True)
    hold_until = serializers.DateTimeField(allow_null=True, help_text="Start charging before this time.")
    closed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_position(self, entry) -> int | None:
        position = getattr(entry, "position", None)
        return position if position is not None else services.waitlist_position(entry)


def _my_entries(user):
    return waitlist_list_for_user(user).filter(user=user)


class WaitlistApi(APIView):
    """My waitlist entries, and joining a group's queue (only when all its chargers are busy)."""

    class InputSerializer(serializers.Serializer):
        group = serializers.IntegerField(help_text="The group's id (one I belong to or own).")

    @extend_schema(
        parameters=[OpenApiParameter(
            "state", str, enum=["open", "closed", "all"], required=False,
            description=f"open (default): waiting or offered; closed: ended in the last {CLOSED_DAYS} days.")],
        responses=WaitlistEntrySerializer(many=True), tags=["waitlist"],
    )
    def get(self, request):
        state = request.query_params.get("state", "open")
        entries = _my_entries(request.user)
        since = timezone.now() - timedelta(days=CLOSED_DAYS)
        if state == "closed":
            entries = entries.exclude(status__in=WaitlistEntry.OPEN).filter(closed_at__gte=since)
        elif state == "all":
            entries = entries.filter(Q(status__in=WaitlistEntry.OPEN) | Q(closed_at__gte=since))
        else:
            entries = entries.filter(status__in=WaitlistEntry.OPEN)
        entries = entries.order_by("-created_at", "-pk")
        return Response(WaitlistEntrySerializer(entries, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: WaitlistEntrySerializer,
            400: OpenApiResponse(description="invalid"),
            403: OpenApiResponse(description="not_member"),
            404: OpenApiResponse(description="not_found: no such group of mine"),
            409: OpenApiResponse(description="already_waiting, charger_free or no_chargers"),
        },
        tags=["waitlist"],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        group = group_get_for_user(request.user, serializer.validated_data["group"])
        result = services.waitlist_join(user=request.user, group=group)
        result.entry.position = result.position
        return Response(WaitlistEntrySerializer(result.entry).data, status=status.HTTP_201_CREATED)


class WaitlistEntryApi(APIView):
    """Leave the queue; a charger held for me goes to the next driver in line."""

    @extend_schema(
        responses={200: WaitlistEntrySerializer, 404: OpenApiResponse(description="not_found"),
                   409: OpenApiResponse(description="not_waiting: the entry is closed already")},
        tags=["waitlist"],
    )
    def delete(self, request, pk):
        entry = waitlist_get_for_user(request.user, pk)
        entry = services.waitlist_leave(entry=entry, user=request.user)
        return Response(WaitlistEntrySerializer(entry).data)


class GroupWaitlistStatusApi(APIView):
    """Is every charger of the group busy, how long is its queue, and where am I in it."""

    class OutputSerializer(serializers.Serializer):
        group = serializers.IntegerField()
        busy = serializers.BooleanField(help_text="Every charger is busy: joining the queue is possible.")
        chargers = serializers.IntegerField()
        free_chargers = serializers.IntegerField()
        queue_length = serializers.IntegerField(help_text="Drivers waiting (not counting those offered a charger).")
        my_entry = serializers.IntegerField(allow_null=True)
        my_status = serializers.CharField(allow_null=True)
        my_position = serializers.IntegerField(allow_null=True)
        hold_until = serializers.DateTimeField(allow_null=True)

    @extend_schema(responses={200: OutputSerializer, 404: OpenApiResponse(description="not_found")},
                   tags=["waitlist"])
    def get(self, request, pk):
        group = group_get_for_user(request.user, pk)
        state = services.group_states([group.pk])[group.pk]
        entry = _my_entries(request.user).filter(group=group, status__in=WaitlistEntry.OPEN).first()
        return Response(self.OutputSerializer({
            "group": group.pk, "busy": state.busy, "chargers": state.chargers, "free_chargers": len(state.free),
            "queue_length": services.queue_length(group.pk),
            "my_entry": entry.pk if entry else None, "my_status": entry.status if entry else None,
            "my_position": services.waitlist_position(entry) if entry else None,
            "hold_until": entry.hold_until if entry else None,
        }).data)
