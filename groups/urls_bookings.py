"""Bookings pages (RES-1 … RES-3) in the driver app's namespace."""

from django.urls import path

from . import views_bookings as v

urlpatterns = [
    path("", v.booking_list, name="bookings"),
    path("add/", v.booking_add, name="booking_add"),
    path("<int:pk>/", v.booking_detail, name="booking_detail"),
    path("<int:pk>/delete/", v.booking_delete, name="booking_delete"),
    path("rules/<int:group_pk>/", v.booking_rules, name="booking_rules"),
]
