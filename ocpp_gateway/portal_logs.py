"""Portal logs (CP-10): the CS-CP frame log and the heartbeat log of the chargers a user may
manage (staff: every frame, unknown chargers' included).

The frame table grows by millions of rows, so pages never COUNT: they are read newest first
by id (the indexes ``(charge_point_id, -id)``, ``(action, -id)`` and ``created_at``) with a
cursor ("older than id N" / "newer than id N"), fetching one row more than shown to know
whether another page exists. Payloads are stored already redacted (``ocpp16.redact_*``)."""

from __future__ import annotations

import json

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chargers.selectors import charger_list_for_user
from wccportal.lib import ocpp16

from .models import HeartbeatLog, OcppFrame


def frame_list_for_user(user) -> QuerySet[OcppFrame]:
    """Frames of the chargers the user may manage; staff see all."""
    if not user.is_authenticated:
        return OcppFrame.objects.none()
    if user.is_staff:
        return OcppFrame.objects.all()
    ids = charger_list_for_user(user, write=True).values("charge_point_id")
    return OcppFrame.objects.filter(charge_point_id__in=ids)


def heartbeat_list_for_user(user) -> QuerySet[HeartbeatLog]:
    if not user.is_authenticated:
        return HeartbeatLog.objects.none()
    if user.is_staff:
        return HeartbeatLog.objects.all()
    ids = charger_list_for_user(user, write=True).values("charge_point_id")
    return HeartbeatLog.objects.filter(charge_point_id__in=ids)


def action_choices():
    actions = sorted(ocpp16.CHARGER_ACTIONS | ocpp16.CENTRAL_ACTIONS)
    return [("", _("All actions"))] + [(a, a) for a in actions]


MESSAGE_TYPES = (
    ("", gettext_lazy("All types")),
    (str(ocpp16.CALL), gettext_lazy("Request")),
    (str(ocpp16.CALLRESULT), gettext_lazy("Answer")),
    (str(ocpp16.CALLERROR), gettext_lazy("Error")),
)


class LogFilterForm(forms.Form):
    charge_point = forms.CharField(label=gettext_lazy("Charge point ID"), required=False,
                                   max_length=64)
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)
    direction = forms.ChoiceField(
        label=gettext_lazy("Direction"), required=False,
        choices=[("", gettext_lazy("Both directions")), *OcppFrame.Direction.choices],
    )
    message_type = forms.ChoiceField(label=gettext_lazy("Type"), required=False,
                                     choices=MESSAGE_TYPES)
    since = forms.DateTimeField(
        label=gettext_lazy("From"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    until = forms.DateTimeField(
        label=gettext_lazy("To"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, heartbeat: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = action_choices()
        if heartbeat:
            for name in ("action", "direction", "message_type"):
                del self.fields[name]
        for bound in self:
            widget = bound.field.widget
            widget.attrs["class"] = "form-select" if isinstance(widget, forms.Select) else "form-control"

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end is before the start."))
        return data

    def filter(self, qs):
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        if value := data.get("charge_point", "").strip():
            qs = qs.filter(charge_point_id=value)  # exact: the (charge_point_id, -id) index
        if value := data.get("action"):
            qs = qs.filter(action=value)
        if value := data.get("direction"):
            qs = qs.filter(direction=value)
        if value := data.get("message_type"):
            qs = qs.filter(message_type=int(value))
        if value := data.get("since"):
            qs = qs.filter(created_at__gte=value)
        if value := data.get("until"):
            qs = qs.filter(created_at__lte=value)
        return qs




def pretty_payload(frame: OcppFrame) -> str:
    try:
        return json.dumps(json.loads(frame.payload), indent=2, ensure_ascii=False)
    except (TypeError, ValueError):
        return frame.payload


def summary(frame: OcppFrame) -> str:
    """A one-line extract of the frame's payload for the table."""
    try:
        message = json.loads(frame.payload)
    except (TypeError, ValueError):
        return frame.payload[:80]
    body = message[-1] if isinstance(message, list) and message else message
    if isinstance(message, list) and message and message[0] == ocpp16.CALLERROR and len(message) >= 4:
        return f"{message[2]}: {message[3]}"[:120]
    text = json.dumps(body, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= 120 else text[:117] + "…"



def heartbeat_intervals(rows) -> list[tuple]:
    """Each heartbeat with the time since the same charger's previous one on the page (newest
    first, so the previous one is further down); None for the last of each charger."""
    result = []
    for i, frame in enumerate(rows):
        previous = next(
            (r for r in rows[i + 1:] if r.charge_point_id == frame.charge_point_id), None
        )
        gap = None
        if previous is not None:
            seconds = int((frame.created_at - previous.created_at).total_seconds())
            hours, rest = divmod(seconds, 3600)
            gap = f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
        result.append((frame, gap))
    return result
