"""Sharing API (CP-3) and guest sign-in (ACC-3) for the mobile app."""

from datetime import datetime

from django.contrib.auth import login
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from chargers import sharing
from chargers.selectors import charger_get_for_user


class ShareOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    charge_point_id = serializers.CharField(source="charge_point.charge_point_id")
    email = serializers.EmailField()
    registered = serializers.SerializerMethodField()
    guest = serializers.SerializerMethodField()
    id_tag = serializers.CharField(source="id_tag.id_tag", default=None, allow_null=True)
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_registered(self, share) -> bool:
        return share.recipient is not None and not share.recipient.is_guest

    def get_guest(self, share) -> bool:
        return share.recipient is not None and share.recipient.is_guest


class ChargerSharesApi(APIView):
    """The charger's shares in force (owner), and sharing it with an e-mail address."""

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        id_tag = serializers.CharField(max_length=20, required=False, allow_blank=True, default="",
                                       help_text="Empty: a new tag is made for this share.")
        expires_at = serializers.DateTimeField(
            help_text="ISO 8601. Without an offset it is read in `time_zone`.")
        time_zone = serializers.CharField(
            max_length=64, required=False, allow_blank=True, default="",
            help_text="The user's IANA time zone (default: the charger's).")

        def validate_time_zone(self, value):
            if value and sharing.zone_or_default(value).key != value:
                raise serializers.ValidationError("Unknown time zone.")
            return value

    @extend_schema(responses=ShareOutputSerializer(many=True), tags=["sharing"])
    def get(self, request, charge_point_id):
        cp = charger_get_for_user(request.user, charge_point_id, write=True)
        return Response(ShareOutputSerializer(sharing.share_list_active(charge_point=cp), many=True).data)

    @extend_schema(request=InputSerializer, responses={201: ShareOutputSerializer}, tags=["sharing"])
    def post(self, request, charge_point_id):
        cp = charger_get_for_user(request.user, charge_point_id, write=True)
        # DRF reads an offset-less time in the server's zone: parse it ourselves instead.
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        expires_at = _aware(request.data.get("expires_at"), data["expires_at"],
                            data["time_zone"] or cp.time_zone)
        result = sharing.share_create(
            charge_point=cp, email=data["email"], id_tag=data["id_tag"], expires_at=expires_at,
            acting_user=request.user,
        )
        return Response(ShareOutputSerializer(result.share).data, status=status.HTTP_201_CREATED)


def _aware(raw, parsed: datetime, zone_name: str) -> datetime:
    try:
        naive = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return parsed
    if timezone.is_aware(naive):
        return naive
    return naive.replace(tzinfo=sharing.zone_or_default(zone_name))


class ChargerShareApi(APIView):
    """Revoke a share: access ends at once, on the web and at the charger."""

    @extend_schema(responses={200: ShareOutputSerializer}, tags=["sharing"])
    def delete(self, request, charge_point_id, share_id):
        cp = charger_get_for_user(request.user, charge_point_id, write=True)
        share = sharing.share_get_for_owner(charge_point=cp, share_id=share_id)
        share = sharing.share_revoke(share=share, acting_user=request.user)
        return Response(ShareOutputSerializer(share).data)


class ChargerUsersApi(APIView):
    """Who has access now: the shares in force and, read-only, the charger's group members."""

    class OutputSerializer(serializers.Serializer):
        class MemberSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            email = serializers.EmailField()
            name = serializers.CharField(source="get_full_name")

        shares = ShareOutputSerializer(many=True)
        group = serializers.CharField(source="group_name", allow_blank=True)
        members = MemberSerializer(many=True)

    @extend_schema(responses=OutputSerializer, tags=["sharing"])
    def get(self, request, charge_point_id):
        cp = charger_get_for_user(request.user, charge_point_id, write=True)
        return Response(self.OutputSerializer(sharing.charger_users(charge_point=cp)).data)


class ChargerLeaveApi(APIView):
    """The recipient removes a charger shared with them."""

    @extend_schema(
        request=None,
        responses=inline_serializer("ChargerLeaveResult", {"revoked": serializers.IntegerField()}),
        tags=["sharing"],
    )
    def post(self, request, charge_point_id):
        cp = charger_get_for_user(request.user, charge_point_id)
        revoked = sharing.share_leave(user=request.user, charge_point_id=cp.charge_point_id)
        return Response({"revoked": revoked})


class GuestLoginEmailThrottle(SimpleRateThrottle):
    """The guest_login limit per e-mail address too: codes are short, IPs are many."""

    scope = "guest_login"

    def get_cache_key(self, request, view):
        email = str(request.data.get("email") or "").strip().lower()
        return self.cache_format % {"scope": "guest_login_email", "ident": email or "-"}


class GuestLoginApi(APIView):
    """Sign in as a guest with a share's e-mail and access code (and tag).

    Answers an allauth headless app session token: send it as `X-Session-Token`.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle, GuestLoginEmailThrottle]
    throttle_scope = "guest_login"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        access_code = serializers.CharField(max_length=32)
        id_tag = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")

    class OutputSerializer(serializers.Serializer):
        class UserSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            email = serializers.EmailField()
            is_guest = serializers.BooleanField()
            language = serializers.CharField()

        session_token = serializers.CharField()
        user = UserSerializer()

    @extend_schema(
        request=InputSerializer,
        responses={200: OutputSerializer,
                   400: OpenApiResponse(description="invalid_guest_login or has_account"),
                   429: OpenApiResponse(description="throttled")},
        tags=["auth"],
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        since = timezone.now()
        user = sharing.guest_user_for_share(
            email=data["email"], access_code=data["access_code"], id_tag=data["id_tag"],
            ip_address=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        token = _session_token(request._request, user)
        sharing.guest_login_recorded(user=user, since=since)
        return Response(self.OutputSerializer({"session_token": token, "user": user}).data)


def _session_token(http_request, user) -> str:
    """Sign the user in to a new session and hand it out the way allauth headless does for
    its "app" clients: the token is the session, read back by X-Session-Token."""
    from allauth.headless import app_settings
    from allauth.headless.internal import sessionkit

    previous = http_request.session
    http_request.session = sessionkit.new_session()
    try:
        login(http_request, user, backend="django.contrib.auth.backends.ModelBackend")
        token = app_settings.TOKEN_STRATEGY.create_session_token(http_request)
        http_request.session.save()  # as allauth's authentication_context does on its way out
        return token
    finally:
        # This request keeps its own (cookie) session: the token is the only way in.
        http_request.session = previous
        http_request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False  # as allauth does
