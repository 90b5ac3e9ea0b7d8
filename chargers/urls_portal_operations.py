"""Portal operations (OPS-1, OPS-2) in the "portal" namespace: portal:operations is the menu."""

from django.urls import path

from wccportal import portal_views as v

urlpatterns = [
    path("", v.operations, name="operations"),
]
