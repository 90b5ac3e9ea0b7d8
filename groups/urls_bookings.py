"""Bookings pages (RES-1 … RES-3) in the driver app's namespace."""

from django.urls import path

from . import views_bookings as v

urlpatterns = [
    path("", v.booking_list, name="bookings"),
]
