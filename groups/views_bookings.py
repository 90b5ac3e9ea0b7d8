"""Bookings pages (RES-1 … RES-3). Placeholder until the bookings feature lands."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def booking_list(request):
    return render(request, "app/bookings/list.html", {"nav": "bookings"})
