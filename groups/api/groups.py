"""Groups API (GRP-1 … GRP-6) for the mobile app: my groups, their settings and tariff,
members, invitations (sent and received) and the chargers of a group.

Every read goes through ``groups.selectors`` (another user's group is a 404); every change
through ``groups.services``, whose refusals come back as ``{"error": {"code": …}}``."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from chargers.selectors import charger_get_for_user
from groups import services
from groups.models import Group, Invitation, Membership, Tariff
from groups.selectors import group_get_for_user, invitation_get_for_user, invitation_list_for_user
from wccportal.errors import DomainError, NotFound

TAGS = ["groups"]
ERRORS = {
    400: OpenApiResponse(description="invalid input or a refused rule (error code)"),
    403: OpenApiResponse(description="no_charger, premium_required, wrong_user, guest_account"),
    404: OpenApiResponse(description="not_found: no such object for this user"),
    409: OpenApiResponse(description="already_member, charger_in_other_group, invitation_* (closed)"),
}


def _detailed(request, group: Group) -> Group:
    return services.group_list_with_details(request.user, pk=group.pk).get()


# --- Serializers ------------------------------------------------------------------------------


class TariffSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Tariff
        fields = ["id", "name", "currency", "connection_fee", "price_per_kwh", "time_fee_per_hour",
                  "parking_fee_per_hour", "parking_grace_minutes", "min_price", "max_price"]


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="get_full_name")


class GroupChargerSerializer(serializers.Serializer):
    charge_point_id = serializers.CharField(source="charge_point.charge_point_id")
    name = serializers.CharField(source="charge_point.display_name")


class GroupOutputSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField(help_text="owner or member")
    owner = PersonSerializer()
    tariff = TariffSummarySerializer(allow_null=True)
    member_count = serializers.IntegerField()
    chargers = GroupChargerSerializer(source="charger_links", many=True)

    class Meta:
        model = Group
        fields = ["id", "name", "city", "zip_code", "address", "role", "owner", "tariff", "member_count",
                  "chargers", "bookings_enabled", "created_at"]

    def get_role(self, group) -> str:
        return "owner" if group.owner_id == self.context["request"].user.pk else "member"


class GroupInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    city = serializers.CharField(max_length=100)
    zip_code = serializers.CharField(max_length=16)
    address = serializers.CharField(max_length=200)
    tariff = serializers.IntegerField(required=False, allow_null=True,
                                      help_text="id of one of your tariffs; null: none (free charging)")


def _tariff_of(owner, data: dict):
    """The tariff named by id, when it is one of the group owner's, else a field error."""
    tariff_id = data.get("tariff")
    if tariff_id is None:
        return None
    tariff = Tariff.objects.filter(owner=owner, pk=tariff_id).first()
    if tariff is None:
        message = _("Choose one of your own tariffs.")
        raise DomainError(message, code="invalid_tariff", fields={"tariff": [message]})
    return tariff


class InvitationOutputSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField(help_text="pending, expired, accepted, declined or revoked")

    class Meta:
        model = Invitation
        fields = ["id", "email", "state", "expires_at", "responded_at", "created_at"]

    def get_state(self, invitation) -> str:
        return services.invitation_state(invitation)


class InvitationGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = Group
        fields = ["id", "name", "city", "zip_code", "address"]


class ReceivedInvitationSerializer(serializers.ModelSerializer):
    group = InvitationGroupSerializer()
    invited_by = PersonSerializer(allow_null=True)

    class Meta:
        model = Invitation
        fields = ["id", "group", "invited_by", "expires_at", "created_at"]


class MemberSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(source="user.pk")
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.get_full_name")
    joined_at = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Membership
        fields = ["user_id", "email", "name", "joined_at"]


class ChargerChoiceSerializer(serializers.Serializer):
    charge_point_id = serializers.CharField(source="charge_point.charge_point_id")
    name = serializers.CharField(source="charge_point.display_name")
    included = serializers.BooleanField()
    other_group = serializers.CharField(source="other_group.name", allow_null=True, default=None,
                                        help_text="the group it is in, when not this one (cannot be added)")


def _group_out(request, group, **kwargs):
    return Response(GroupOutputSerializer(_detailed(request, group), context={"request": request}).data, **kwargs)


# --- Groups -----------------------------------------------------------------------------------


class GroupListApi(APIView):
    """My groups (owned or joined); create one (GRP-1: owners of a charger; GRP-2: several
    only on the premium plan)."""

    @extend_schema(responses=GroupOutputSerializer(many=True), tags=TAGS, summary="My groups")
    def get(self, request):
        groups = services.group_list_with_details(request.user)
        return Response(GroupOutputSerializer(groups, many=True, context={"request": request}).data)

    @extend_schema(request=GroupInputSerializer, responses={201: GroupOutputSerializer, **ERRORS}, tags=TAGS,
                   summary="Create a group")
    def post(self, request):
        serializer = GroupInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        group = services.group_create(
            owner=request.user, name=data["name"], city=data["city"], zip_code=data["zip_code"],
            address=data["address"], tariff=_tariff_of(request.user, data),
        )
        return _group_out(request, group, status=status.HTTP_201_CREATED)


class GroupDetailApi(APIView):
    """One of my groups; its owner changes its details and tariff (GRP-6) or deletes it."""

    @extend_schema(responses={200: GroupOutputSerializer, 404: ERRORS[404]}, tags=TAGS, summary="A group")
    def get(self, request, pk):
        return _group_out(request, group_get_for_user(request.user, pk))

    @extend_schema(request=GroupInputSerializer, responses={200: GroupOutputSerializer, **ERRORS},
                   tags=TAGS, summary="Change a group (owner)")
    def patch(self, request, pk):
        group = group_get_for_user(request.user, pk, owner=True)
        serializer = GroupInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "tariff" in data:
            data["tariff"] = _tariff_of(group.owner, data)
        services.group_update(group=group, acting_user=request.user, **data)
        return _group_out(request, group)

    @extend_schema(request=None, responses={204: None, 404: ERRORS[404]}, tags=TAGS,
                   summary="Delete a group (owner)")
    def delete(self, request, pk):
        group = group_get_for_user(request.user, pk, owner=True)
        services.group_delete(group=group, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupLeaveApi(APIView):
    """A member leaves the group: no more access to its chargers."""

    @extend_schema(request=None, responses={204: None, 400: ERRORS[400], 404: ERRORS[404]}, tags=TAGS,
                   summary="Leave a group")
    def post(self, request, pk):
        group = group_get_for_user(request.user, pk)
        services.member_leave(group=group, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Members (GRP-4) --------------------------------------------------------------------------


class GroupMembersApi(APIView):
    """The members of a group I own."""

    @extend_schema(responses={200: MemberSerializer(many=True), 404: ERRORS[404]}, tags=TAGS,
                   summary="Members (owner)")
    def get(self, request, pk):
        group = group_get_for_user(request.user, pk, owner=True)
        qs = Membership.objects.filter(group=group).select_related("user").order_by(
            "user__first_name", "user__last_name", "user__email")
        return Response(MemberSerializer(qs, many=True).data)


class GroupMemberApi(APIView):
    """Remove a member: their access to the group's chargers ends at once, at the chargers too."""

    @extend_schema(request=None, responses={204: None, 404: ERRORS[404]}, tags=TAGS,
                   summary="Remove a member (owner)")
    def delete(self, request, pk, user_id):
        group = group_get_for_user(request.user, pk, owner=True)
        membership = Membership.objects.select_related("user").filter(group=group, user_id=user_id).first()
        if membership is None:
            raise NotFound(_("This person is not a member of the group."), code="not_found")
        services.member_remove(group=group, user=membership.user, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Invitations (GRP-3) ----------------------------------------------------------------------


class GroupInvitationsApi(APIView):
    """Invitations of a group I own (pending ones, expired included); invite an e-mail address.
    Inviting an address with a pending invitation sends it again (new link and expiry)."""

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)

    @extend_schema(responses={200: InvitationOutputSerializer(many=True), 404: ERRORS[404]}, tags=TAGS,
                   summary="Pending invitations (owner)")
    def get(self, request, pk):
        group = group_get_for_user(request.user, pk, owner=True)
        qs = Invitation.objects.filter(group=group, status=Invitation.Status.PENDING).order_by("email")
        return Response(InvitationOutputSerializer(qs, many=True).data)

    @extend_schema(request=InputSerializer,
                   responses={201: InvitationOutputSerializer, 200: InvitationOutputSerializer, **ERRORS},
                   tags=TAGS, summary="Invite by e-mail (owner); 200 when sent again")
    def post(self, request, pk):
        group = group_get_for_user(request.user, pk, owner=True)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.invitation_create(group=group, email=serializer.validated_data["email"],
                                            invited_by=request.user)
        return Response(InvitationOutputSerializer(result.invitation).data,
                        status=status.HTTP_200_OK if result.resent else status.HTTP_201_CREATED)


class GroupInvitationApi(APIView):
    """Withdraw a pending invitation: its link stops working."""

    @extend_schema(request=None, responses={200: InvitationOutputSerializer, 404: ERRORS[404], 409: ERRORS[409]},
                   tags=TAGS, summary="Withdraw an invitation (owner)")
    def delete(self, request, pk, invitation_id):
        group = group_get_for_user(request.user, pk, owner=True)
        invitation = services.invitation_get_for_owner(group=group, invitation_id=invitation_id)
        invitation = services.invitation_revoke(invitation=invitation, acting_user=request.user)
        return Response(InvitationOutputSerializer(invitation).data)


class InvitationListApi(APIView):
    """Invitations addressed to my e-mail, pending and not expired."""

    @extend_schema(responses=ReceivedInvitationSerializer(many=True), tags=TAGS, summary="My invitations")
    def get(self, request):
        qs = invitation_list_for_user(request.user).order_by("-created_at")
        return Response(ReceivedInvitationSerializer(qs, many=True).data)


class InvitationAcceptApi(APIView):
    """Accept one of my invitations: I join the group and may charge at its chargers."""

    @extend_schema(request=None, responses={200: GroupOutputSerializer, **ERRORS}, tags=TAGS,
                   summary="Accept an invitation")
    def post(self, request, invitation_id):
        invitation = invitation_get_for_user(request.user, invitation_id)
        services.invitation_accept(user=request.user, invitation=invitation)
        return _group_out(request, invitation.group)


class InvitationDeclineApi(APIView):
    """Decline one of my invitations."""

    @extend_schema(request=None, responses={204: None, **ERRORS}, tags=TAGS, summary="Decline an invitation")
    def post(self, request, invitation_id):
        invitation = invitation_get_for_user(request.user, invitation_id)
        services.invitation_decline(user=request.user, invitation=invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationTokenAcceptApi(APIView):
    """Accept with the token of the e-mail's link (the part after /invitations/). The
    invitation must be addressed to the signed-in user's e-mail."""

    class InputSerializer(serializers.Serializer):
        token = serializers.CharField(max_length=200)

    @extend_schema(request=InputSerializer, responses={200: GroupOutputSerializer, **ERRORS}, tags=TAGS,
                   summary="Accept an invitation by its link's token", operation_id="invitations_accept_by_token")
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = serializer.validated_data["token"].strip().rstrip("/").rsplit("/", 1)[-1]
        invitation = services.invitation_for_token(token)
        services.invitation_accept(user=request.user, token=token)
        return _group_out(request, invitation.group)


# --- Chargers of a group (GRP-5) --------------------------------------------------------------


class GroupChargersApi(APIView):
    """All my chargers, each with whether it is in this group or in another one."""

    @extend_schema(responses={200: ChargerChoiceSerializer(many=True), 404: ERRORS[404]}, tags=TAGS,
                   summary="My chargers and this group (owner)")
    def get(self, request, pk):
        group = group_get_for_user(request.user, pk, owner=True)
        return Response(ChargerChoiceSerializer(services.group_charger_choices(group=group), many=True).data)


class GroupChargerApi(APIView):
    """Put one of my chargers in the group (PUT) or take it out (DELETE). A charger in another
    group is refused with ``charger_in_other_group``; both are idempotent."""

    def _set(self, request, pk, charge_point_id, included: bool):
        group = group_get_for_user(request.user, pk, owner=True)
        charge_point = charger_get_for_user(group.owner, charge_point_id, write=True)
        services.group_charger_set(group=group, charge_point=charge_point, included=included,
                                   acting_user=request.user)
        choice = next(c for c in services.group_charger_choices(group=group) if c.charge_point.pk == charge_point.pk)
        return Response(ChargerChoiceSerializer(choice).data)

    @extend_schema(request=None, responses={200: ChargerChoiceSerializer, 404: ERRORS[404], 409: ERRORS[409]},
                   tags=TAGS, summary="Add a charger to the group (owner)")
    def put(self, request, pk, charge_point_id):
        return self._set(request, pk, charge_point_id, True)

    @extend_schema(request=None, responses={200: ChargerChoiceSerializer, 404: ERRORS[404]}, tags=TAGS,
                   summary="Take a charger out of the group (owner)")
    def delete(self, request, pk, charge_point_id):
        return self._set(request, pk, charge_point_id, False)
