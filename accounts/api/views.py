"""Account API for the mobile app: the signed-in user's profile and notifications."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Notification, User
from accounts.selectors import notification_list
from accounts.services import notification_mark_read, notification_unread_count


class MeApi(APIView):
    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = User
            fields = ["id", "email", "first_name", "last_name", "mobile", "employee_number",
                      "language", "plan", "user_type"]

    class InputSerializer(serializers.ModelSerializer):
        class Meta:
            model = User
            fields = ["first_name", "last_name", "mobile", "employee_number", "language"]

    @extend_schema(responses=OutputSerializer, tags=["account"])
    def get(self, request):
        return Response(self.OutputSerializer(request.user).data)

    @extend_schema(request=InputSerializer, responses=OutputSerializer, tags=["account"])
    def patch(self, request):
        serializer = self.InputSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(self.OutputSerializer(request.user).data)


class NotificationListApi(ListAPIView):
    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = Notification
            fields = ["id", "kind", "title", "body", "link", "read_at", "created_at"]

    serializer_class = OutputSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Notification.objects.none()
        return notification_list(user=self.request.user)

    @extend_schema(tags=["notifications"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NotificationReadApi(APIView):
    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(child=serializers.IntegerField(), required=False)

    @extend_schema(
        request=InputSerializer,
        responses=inline_serializer("NotificationReadResult", {
            "marked": serializers.IntegerField(), "unread": serializers.IntegerField()}),
        tags=["notifications"],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = notification_mark_read(user=request.user, notification_ids=serializer.validated_data.get("ids"))
        return Response({"marked": marked, "unread": notification_unread_count(user=request.user)})
