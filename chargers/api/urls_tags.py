"""Authorization tags API (TAG-1 … TAG-3) under /api/v1/."""

from django.urls import path

from . import tags as v

urlpatterns = [
    path("tags/", v.TagListApi.as_view(), name="api-tags"),
    path("tags/enrolments/", v.EnrolmentStartApi.as_view(), name="api-tag-enrolments"),
    path("tags/enrolments/<int:enrolment_id>/", v.EnrolmentDetailApi.as_view(), name="api-tag-enrolment"),
    path("tags/<int:tag_id>/", v.TagDetailApi.as_view(), name="api-tag"),
    path("tags/<int:tag_id>/favourite/", v.TagFavouriteApi.as_view(), name="api-tag-favourite"),
]
