"""Portal reservation settings per group (RES-1), in the "portal" namespace, at /portal/reservations/."""

from django.urls import path

from . import views_portal_reservations as v

urlpatterns = [
    path("", v.reservations, name="reservations"),
    path("<int:group_pk>/rules/", v.rules_update, name="reservation_rules"),
    path("bookings/<int:pk>/cancel/", v.booking_cancel, name="reservation_cancel"),
]
