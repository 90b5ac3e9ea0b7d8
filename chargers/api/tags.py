"""Authorization tags API (TAG-1 … TAG-3): my tags, favourite, alias, deletion, card enrolment."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from chargers import tags as tag_services
from chargers.models import IdTag, TagEnrolment
from chargers.selectors import (
    charger_get_for_user,
    enrolment_get_for_user,
    tag_get_for_user,
    tag_list_for_user,
)

TAGS = ["tags"]


class TagOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = IdTag
        fields = ["id", "id_tag", "alias", "kind", "is_favourite", "is_active", "expires_at",
                  "created_at"]


class EnrolmentOutputSerializer(serializers.ModelSerializer):
    charge_point_id = serializers.CharField(source="charge_point.charge_point_id")
    state = serializers.SerializerMethodField(
        help_text="waiting, enrolled, expired or cancelled"
    )
    seconds_left = serializers.SerializerMethodField()
    tag = TagOutputSerializer(source="id_tag", allow_null=True)

    class Meta:
        model = TagEnrolment
        fields = ["id", "charge_point_id", "alias", "state", "seconds_left", "created_at",
                  "expires_at", "cancelled_at", "tag"]

    def get_state(self, obj) -> str:
        return tag_services.enrolment_state(obj)

    def get_seconds_left(self, obj) -> int:
        if tag_services.enrolment_state(obj) != "waiting":
            return 0
        return max(0, int((obj.expires_at - timezone.now()).total_seconds()))


class TagListApi(APIView):
    class InputSerializer(serializers.Serializer):
        id_tag = serializers.CharField(trim_whitespace=True, max_length=100,
                                       help_text="1 to 20 printable ASCII characters")
        alias = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)

    @extend_schema(responses=TagOutputSerializer(many=True), tags=TAGS, summary="My tags")
    def get(self, request):
        qs = tag_list_for_user(request.user).filter(user=request.user).order_by("-is_favourite", "alias", "id_tag")
        return Response(TagOutputSerializer(qs, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: TagOutputSerializer}, tags=TAGS,
                   summary="Add a virtual tag")
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tag = tag_services.tag_add_virtual(user=request.user, **data.validated_data)
        return Response(TagOutputSerializer(tag).data, status=status.HTTP_201_CREATED)


class TagDetailApi(APIView):
    class InputSerializer(serializers.Serializer):
        alias = serializers.CharField(allow_blank=True, max_length=100)

    @extend_schema(responses=TagOutputSerializer, tags=TAGS, summary="One of my tags")
    def get(self, request, tag_id):
        return Response(TagOutputSerializer(tag_get_for_user(request.user, tag_id)).data)

    @extend_schema(request=InputSerializer, responses=TagOutputSerializer, tags=TAGS,
                   summary="Change a tag's alias")
    def patch(self, request, tag_id):
        tag = tag_get_for_user(request.user, tag_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tag = tag_services.tag_update(tag=tag, alias=data.validated_data["alias"])
        return Response(TagOutputSerializer(tag).data)

    @extend_schema(responses={204: None}, tags=TAGS, summary="Delete a tag")
    def delete(self, request, tag_id):
        tag_services.tag_delete(tag=tag_get_for_user(request.user, tag_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TagFavouriteApi(APIView):
    @extend_schema(request=None, responses=TagOutputSerializer, tags=TAGS,
                   summary="Make a tag my favourite (Scan & Charge, 1-Click)")
    def put(self, request, tag_id):
        tag = tag_services.tag_set_favourite(tag=tag_get_for_user(request.user, tag_id))
        return Response(TagOutputSerializer(tag).data)


class EnrolmentStartApi(APIView):
    class InputSerializer(serializers.Serializer):
        charge_point_id = serializers.CharField(max_length=64)
        alias = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)

    @extend_schema(request=InputSerializer, responses={201: EnrolmentOutputSerializer}, tags=TAGS,
                   summary="Start adding an RFID card at one of my chargers (60 s)")
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        charge_point = charger_get_for_user(request.user, data.validated_data["charge_point_id"], write=True)
        enrolment = tag_services.enrolment_start(
            user=request.user, charge_point=charge_point, alias=data.validated_data["alias"]
        )
        return Response(EnrolmentOutputSerializer(enrolment).data, status=status.HTTP_201_CREATED)


class EnrolmentDetailApi(APIView):
    @extend_schema(responses=EnrolmentOutputSerializer, tags=TAGS, summary="Follow a card enrolment")
    def get(self, request, enrolment_id):
        return Response(EnrolmentOutputSerializer(enrolment_get_for_user(request.user, enrolment_id)).data)

    @extend_schema(responses=EnrolmentOutputSerializer, tags=TAGS, summary="Cancel a card enrolment")
    def delete(self, request, enrolment_id):
        enrolment = tag_services.enrolment_cancel(enrolment=enrolment_get_for_user(request.user, enrolment_id))
        return Response(EnrolmentOutputSerializer(enrolment).data)
