"""Forms of the portal's Group Management (GRP-1 … GRP-6) and Reservation settings (RES-1).
They only read the input: the ranges and refusals are the services' (``groups.services``,
``groups.bookings``), shown on the fields they name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import bookings
from .forms import GroupForm, InviteForm, add_domain_error
from .models import Group

__all__ = ["BookingRulesForm", "GroupForm", "InviteForm", "add_domain_error", "group_initial"]


def group_initial(group: Group) -> dict:
    """A group's details as the edit form's initial values."""
    initial = {field: getattr(group, field) for field in ("name", "city", "zip_code", "address")}
    initial["tariff"] = group.tariff_id
    return initial


def _number(label, bounds: tuple[int, int], *, step: int = 1):
    # No min/max on the field: the service checks the range and says so on the field. The
    # input's own bounds only guide the browser's spinner.
    low, high = bounds
    return forms.IntegerField(
        label=label,
        widget=forms.NumberInput(attrs={"min": low, "max": high, "step": step, "inputmode": "numeric"}),
    )


class BookingRulesForm(forms.Form):
    """The owner's booking rules of one group (RES-1). Several of these share one page, so
    every input's id carries the group's pk; the posted names stay plain. The page shows
    each number's unit (minutes, days) next to it."""

    enabled = forms.BooleanField(label=_("Bookings enabled"), required=False)
    max_minutes = _number(_("Longest booking"), bookings.MAX_MINUTES_RANGE, step=15)
    horizon_days = _number(_("Bookable ahead"), bookings.HORIZON_DAYS_RANGE)
    no_show_minutes = _number(_("No-show release"), bookings.NO_SHOW_MINUTES_RANGE)

    def __init__(self, *args, group: Group, **kwargs):
        kwargs.setdefault("auto_id", f"id_rules{group.pk}_%s")
        kwargs.setdefault("initial", {
            "enabled": group.bookings_enabled, "max_minutes": group.booking_max_minutes,
            "horizon_days": group.booking_horizon_days, "no_show_minutes": group.booking_no_show_minutes,
        })
        super().__init__(*args, **kwargs)
        self.group = group
