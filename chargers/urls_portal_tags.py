"""Portal authorization tags (TAG-4) in the "portal" namespace: portal:tags is the table."""

from django.urls import path

from . import views_portal_tags as v

urlpatterns = [
    path("", v.tag_list, name="tags"),
    path("add/", v.tag_add, name="tag_add"),
    path("<int:pk>/", v.tag_edit, name="tag_edit"),
    path("delete/", v.tag_delete, name="tags_delete"),
]
