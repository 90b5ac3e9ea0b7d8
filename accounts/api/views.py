"""Account API for the mobile app: the signed-in user's profile and notifications."""

from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.models import Notification, User
from accounts.selectors import notification_list
from accounts.services import (
    notification_mark_read,
    notification_unread_count,
    user_deactivate,
    user_profile_update,
    user_signup,
)


class SignupApi(APIView):
    """ACC-1: create an account; the initial password is e-mailed and must be changed at the
    first sign-in (then sign in with ``POST /api/auth/app/v1/auth/login``)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "signup"

    class InputSerializer(serializers.Serializer):
        first_name = serializers.CharField(max_length=150)
        last_name = serializers.CharField(max_length=150)
        email = serializers.EmailField(max_length=254)
        accept_terms = serializers.BooleanField(
            help_text="The terms of use and the privacy policy are accepted (must be true)."
        )

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        email = serializers.EmailField()
        must_change_password = serializers.BooleanField()

    @extend_schema(
        request=InputSerializer,
        responses={201: OutputSerializer, 400: OpenApiResponse(description="invalid, terms_not_accepted"),
                   409: OpenApiResponse(description="email_taken")},
        tags=["account"],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = user_signup(
            email=data["email"], first_name=data["first_name"], last_name=data["last_name"],
            accepted_terms=data["accept_terms"], language=get_language(),
        )
        return Response(self.OutputSerializer(user).data, status=status.HTTP_201_CREATED)


class AccountDeleteApi(APIView):
    """ACC-6: delete the account (confirmed with the current password). It is deactivated at
    once (this token stops working) and erased after 14 days unless the user signs in again."""

    class InputSerializer(serializers.Serializer):
        password = serializers.CharField(trim_whitespace=False)

    @extend_schema(
        request=InputSerializer,
        responses={204: None, 400: OpenApiResponse(description="wrong_password")},
        tags=["account"],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_deactivate(user=request.user, password=serializer.validated_data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    """ACC-8: the signed-in user's profile. Readable while the initial password must still be
    changed (``must_change_password``); everything else under /api/v1/ then answers 403
    ``password_change_required``."""

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = User
            fields = ["id", "email", "first_name", "last_name", "mobile", "employee_number",
                      "language", "plan", "user_type", "is_guest", "must_change_password"]

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
        user_profile_update(user=request.user, **serializer.validated_data)
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
