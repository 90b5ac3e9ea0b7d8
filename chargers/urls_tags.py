"""Driver-app pages of authorization tags (TAG-1 … TAG-3), in the "app" namespace at /app/tags/."""

from django.urls import path

from . import views_tags as v

urlpatterns = [
    path("", v.tag_list, name="tags"),
    path("add/", v.tag_add, name="tag-add"),
    path("<int:pk>/alias/", v.tag_alias, name="tag-alias"),
    path("<int:pk>/favourite/", v.tag_favourite, name="tag-favourite"),
    path("<int:pk>/delete/", v.tag_delete, name="tag-delete"),
    path("card/", v.card_add, name="tag-card"),
    path("card/<int:pk>/", v.card_enrolment, name="tag-enrolment"),
    path("card/<int:pk>/cancel/", v.card_enrolment_cancel, name="tag-enrolment-cancel"),
]
