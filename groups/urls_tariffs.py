"""Driver-app pages of tariffs (TAR-1, TAR-2), in the "app" namespace at /app/tariffs/."""

from django.urls import path

from . import views_tariffs as v

urlpatterns = [
    path("", v.tariff_list, name="tariffs"),
    path("new/", v.tariff_create, name="tariff_create"),
    path("<int:pk>/", v.tariff_detail, name="tariff_detail"),
    path("<int:pk>/edit/", v.tariff_edit, name="tariff_edit"),
    path("<int:pk>/delete/", v.tariff_delete, name="tariff_delete"),
]
