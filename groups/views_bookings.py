"""Bookings pages (RES-1 … RES-3): my bookings, adding one (group, then date and time; the
charger is assigned), a booking with its charger, cancelling, and the owner's booking rules."""

import contextlib
from datetime import UTC, date, datetime, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wccportal.errors import DomainError

from . import bookings
from .selectors import booking_get_for_user, group_get_for_user, owned_group_list

PAST_SHOWN = 30


def _waitlist_url() -> str:
    try:
        return reverse("app:waitlist")
    except NoReverseMatch:  # the waitlist pages belong to another module
        return "/app/waitlist/"


def _duration_choices(max_minutes: int) -> list[tuple[int, str]]:
    """15-minute steps up to an hour, half hours up to four, then whole hours."""
    steps = list(range(15, 61, 15)) + list(range(90, 241, 30)) + list(range(300, 24 * 60 + 1, 60))
    choices = [m for m in steps if m <= max_minutes]
    if max_minutes not in choices:
        choices.append(max_minutes)
    return [(m, bookings.duration_text(m)) for m in choices]


class BookingForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start = forms.TimeField(
        label=gettext_lazy("From"), widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"))
    duration = forms.TypedChoiceField(label=gettext_lazy("Duration"), coerce=int)

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.fields["duration"].choices = _duration_choices(group.booking_max_minutes)

    def slot(self, zone) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        starts_at = datetime.combine(data["day"], data["start"]).replace(tzinfo=zone)
        # Through UTC: a slot across a DST change lasts what was chosen.
        return starts_at, (starts_at.astimezone(UTC) + timedelta(minutes=data["duration"])).astimezone(zone)


# Service error fields → form fields.
_FORM_FIELDS = {"starts_at": "start", "ends_at": "duration", "group": None}


def _add_domain_error(form: forms.Form, exc: DomainError, fields: dict) -> None:
    """The service's errors on the form: on the field they name (renamed by ``fields``)."""
    if exc.fields:
        for field, errors in exc.fields.items():
            target = fields.get(field, field if field in form.fields else None)
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc.message)


@login_required
def booking_list(request):
    user = request.user
    owned = list(owned_group_list(user).order_by("name"))
    return render(request, "app/bookings/list.html", {
        "nav": "bookings",
        "upcoming": bookings.booking_list_own(user, upcoming=True),
        "past": bookings.booking_list_own(user, upcoming=False)[:PAST_SHOWN],
        "others": bookings.booking_list_owned_groups(user) if owned else [],
        "owned_groups": owned,
        "can_book": user.is_premium and bookings.bookable_groups(user).exists(),
        "waitlist_url": _waitlist_url(),
        "now": timezone.now(),
    })


@login_required
def booking_add(request):
    """Step 1: choose the group (its rules shown); step 2 (?group=…): date, time, duration."""
    user = request.user
    groups = list(bookings.bookable_groups(user))
    for g in groups:
        g.max_duration_text = bookings.duration_text(g.booking_max_minutes)
    group_pk = request.POST.get("group") or request.GET.get("group")
    context = {"nav": "bookings", "groups": groups, "premium": user.is_premium, "waitlist_url": _waitlist_url()}
    if not group_pk or not user.is_premium:
        return render(request, "app/bookings/add_group.html", context)
    group = group_get_for_user(user, group_pk)
    if not group.bookings_enabled:
        messages.warning(request, _("Bookings are not enabled in %(group)s.") % {"group": group.name})
        return redirect("app:booking_add")
    group.max_duration_text = bookings.duration_text(group.booking_max_minutes)
    zone = bookings.group_zone(group)
    now = timezone.localtime(timezone.now(), zone)
    status = 200
    if request.method == "POST":
        form = BookingForm(request.POST, group=group)
        if form.is_valid():
            starts_at, ends_at = form.slot(zone)
            try:
                booking = bookings.booking_create(user=user, group=group, starts_at=starts_at, ends_at=ends_at)
            except DomainError as exc:
                _add_domain_error(form, exc, _FORM_FIELDS)
            else:
                messages.success(request, _("Booked. Your charger: %(charger)s.")
                                 % {"charger": booking.charge_point.display_name})
                return redirect("app:booking_detail", pk=booking.pk)
        status = 400
    else:
        # "Now", rounded down to five minutes: the service reads a start a little ago as now.
        initial = {
            "day": _date_param(request.GET.get("date")) or now.date(),
            "start": now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0).time(),
            "duration": min(60, group.booking_max_minutes),
        }
        # Kept when the date is changed to see its free times (add.html).
        with contextlib.suppress(forms.ValidationError):
            if request.GET.get("start"):
                initial["start"] = BookingForm.base_fields["start"].clean(request.GET["start"])
        with contextlib.suppress(ValueError):
            if request.GET.get("duration"):
                initial["duration"] = int(request.GET["duration"])
        form = BookingForm(group=group, initial=initial)
    day = _date_param(form["day"].value()) or now.date()
    context.update({
        "group": group, "form": form, "time_zone": zone.key,
        "availability": bookings.booking_availability(group=group, day=day),
    })
    return render(request, "app/bookings/add.html", context, status=status)


def _date_param(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


@login_required
def booking_detail(request, pk):
    booking = booking_get_for_user(request.user, pk)
    return render(request, "app/bookings/detail.html", {
        "nav": "bookings", "booking": booking, "time_zone": booking.charge_point.time_zone, "now": timezone.now(),
        "live": booking.status == booking.Status.BOOKED and booking.ends_at > timezone.now(),
        "running": booking.status == booking.Status.BOOKED and booking.starts_at <= timezone.now() < booking.ends_at,
    })


@login_required
@require_POST
def booking_delete(request, pk):
    booking = booking_get_for_user(request.user, pk)
    try:
        bookings.booking_cancel(booking=booking, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The booking of %(charger)s was deleted.")
                         % {"charger": booking.charge_point.display_name})
    return redirect("app:bookings")


class RulesForm(forms.Form):
    enabled = forms.BooleanField(label=gettext_lazy("Bookings enabled"), required=False)
    max_minutes = forms.IntegerField(
        label=gettext_lazy("Longest booking (minutes)"), min_value=bookings.MAX_MINUTES_RANGE[0],
        max_value=bookings.MAX_MINUTES_RANGE[1], widget=forms.NumberInput(attrs={"step": 15}))
    horizon_days = forms.IntegerField(
        label=gettext_lazy("Bookable days ahead"), min_value=bookings.HORIZON_DAYS_RANGE[0],
        max_value=bookings.HORIZON_DAYS_RANGE[1])
    no_show_minutes = forms.IntegerField(
        label=gettext_lazy("No-show release (minutes)"), min_value=bookings.NO_SHOW_MINUTES_RANGE[0],
        max_value=bookings.NO_SHOW_MINUTES_RANGE[1],
        help_text=gettext_lazy("A booking nobody starts charging on is released after this long."))


@login_required
def booking_rules(request, group_pk):
    group = group_get_for_user(request.user, group_pk, owner=True)
    status = 200
    if request.method == "POST":
        form = RulesForm(request.POST)
        if form.is_valid():
            try:
                bookings.booking_rules_update(group=group, acting_user=request.user, **form.cleaned_data)
            except DomainError as exc:
                _add_domain_error(form, exc, {})
            else:
                messages.success(request, _("The booking rules of %(group)s were saved.") % {"group": group.name})
                return redirect("app:bookings")
        status = 400
        group.refresh_from_db()
    else:
        form = RulesForm(initial={
            "enabled": group.bookings_enabled, "max_minutes": group.booking_max_minutes,
            "horizon_days": group.booking_horizon_days, "no_show_minutes": group.booking_no_show_minutes,
        })
    return render(request, "app/bookings/rules.html", {
        "nav": "bookings", "group": group, "form": form, "owner_premium": group.owner.is_premium,
    }, status=status)
