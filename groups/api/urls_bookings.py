"""Bookings endpoints (RES-1 … RES-3) under /api/v1/."""

from django.urls import path

from . import bookings

urlpatterns = [
    path("bookings/", bookings.BookingsApi.as_view(), name="api-bookings"),
    path("bookings/<int:pk>/", bookings.BookingApi.as_view(), name="api-booking"),
    path("groups/<int:pk>/booking-rules/", bookings.GroupBookingRulesApi.as_view(), name="api-group-booking-rules"),
    path("groups/<int:pk>/booking-availability/", bookings.GroupBookingAvailabilityApi.as_view(),
         name="api-group-booking-availability"),
]
