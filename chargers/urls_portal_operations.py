"""Portal operations (OPS-1, OPS-2) in the "portal" namespace: portal:operations is the menu."""

from django.urls import path

from . import views_portal_operations as v

urlpatterns = [
    path("", v.operations, name="operations"),
    path("results/<int:pk>/", v.operation_result, name="operation_result"),
    path("<slug:action>/", v.operation, name="operation"),
]
