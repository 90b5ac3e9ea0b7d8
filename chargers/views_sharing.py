"""Pages for sharing a charger (CP-3 Share, Users, leave) and the guest sign-in (ACC-3)."""

from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wccportal.errors import DomainError

from . import sharing
from .selectors import charger_get_for_user

GUEST_HOME = "/app/chargers/?tab=shared"


class ShareForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Recipient e-mail"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "name@example.com"}),
    )
    id_tag = forms.CharField(
        label=gettext_lazy("Authorization tag"), required=False, max_length=20,
        help_text=gettext_lazy(
            "Identifies the recipient's charging sessions. Leave empty to create a new tag for "
            "this share, or enter the ID of an RFID card you hand over."
        ),
    )
    expires_date = forms.DateField(
        label=gettext_lazy("Expiry date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    expires_time = forms.TimeField(
        label=gettext_lazy("Expiry time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    # Filled in by the browser with its time zone: the date and time are the user's local ones.
    time_zone = forms.CharField(required=False, widget=forms.HiddenInput)

    def expires_at(self, default_zone) -> datetime:
        data = self.cleaned_data
        zone = sharing.zone_or_default(data.get("time_zone")) if data.get("time_zone") else default_zone
        return datetime.combine(data["expires_date"], data["expires_time"]).replace(tzinfo=zone)


# Service error fields → form fields.
_FORM_FIELDS = {"email": "email", "id_tag": "id_tag", "expires_at": "expires_date"}


def _add_domain_error(form: forms.Form, exc: DomainError) -> None:
    if exc.fields:
        for field, errors in exc.fields.items():
            for error in errors:
                form.add_error(_FORM_FIELDS.get(field), error)
    else:
        form.add_error(None, exc.message)


@login_required
def charger_share(request, charge_point_id):
    cp = charger_get_for_user(request.user, charge_point_id, write=True)
    zone = sharing.charger_zone(cp)
    if request.method == "POST":
        form = ShareForm(request.POST)
        if form.is_valid():
            try:
                result = sharing.share_create(
                    charge_point=cp, email=form.cleaned_data["email"],
                    id_tag=form.cleaned_data["id_tag"], expires_at=form.expires_at(zone),
                    acting_user=request.user,
                )
            except DomainError as exc:
                _add_domain_error(form, exc)
            else:
                messages.success(request, _(
                    "%(name)s is shared with %(email)s. The access code and tag %(tag)s are on "
                    "their way by e-mail."
                ) % {"name": cp.display_name, "email": result.share.email,
                     "tag": result.share.id_tag.id_tag})
                return redirect("app:charger_users", charge_point_id=cp.charge_point_id)
    else:
        tomorrow = timezone.localtime(timezone.now(), zone).date() + timedelta(days=1)
        form = ShareForm(initial={"expires_date": tomorrow, "expires_time": time(18, 0)})
    status = 400 if request.method == "POST" else 200
    return render(request, "app/chargers/share.html", {
        "nav": "chargers", "charger": cp, "form": form, "back_url": _back_url(cp),
    }, status=status)


@login_required
def charger_users(request, charge_point_id):
    cp = charger_get_for_user(request.user, charge_point_id, write=True)
    users = sharing.charger_users(charge_point=cp)
    return render(request, "app/chargers/users.html", {
        "nav": "chargers", "charger": cp, "users": users, "time_zone": cp.time_zone,
        "back_url": _back_url(cp),
    })


@login_required
@require_POST
def charger_share_revoke(request, charge_point_id, share_id):
    cp = charger_get_for_user(request.user, charge_point_id, write=True)
    share = sharing.share_get_for_owner(charge_point=cp, share_id=share_id)
    sharing.share_revoke(share=share, acting_user=request.user)
    messages.success(request, _("%(email)s no longer has access to %(name)s.")
                     % {"email": share.email, "name": cp.display_name})
    return redirect("app:charger_users", charge_point_id=cp.charge_point_id)


@login_required
@require_POST
def charger_share_leave(request, charge_point_id):
    cp = charger_get_for_user(request.user, charge_point_id)
    sharing.share_leave(user=request.user, charge_point_id=cp.charge_point_id)
    messages.success(request, _("%(name)s was removed from your shared chargers.")
                     % {"name": cp.display_name})
    return redirect(reverse("app:chargers") + "?tab=shared")


def _back_url(cp) -> str:
    try:
        return reverse("app:charger_detail", args=[cp.charge_point_id])
    except NoReverseMatch:  # the detail page belongs to another module; the list always exists
        return reverse("app:chargers")


# --- Guest sign-in (ACC-3) -------------------------------------------------------------------


class GuestLoginForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("E-mail"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    access_code = forms.CharField(
        label=gettext_lazy("Access code"), max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    id_tag = forms.CharField(
        label=gettext_lazy("RFID tag"), required=False, max_length=20,
        help_text=gettext_lazy("Optional: the tag named in the e-mail."),
    )


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def guest_login(request):
    if request.user.is_authenticated and request.method != "POST":
        return redirect(GUEST_HOME if request.user.is_guest else reverse("app:chargers") + "?tab=shared")
    form = GuestLoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        email = (request.POST.get("email") or "").strip().lower()
        if sharing.guest_login_throttled(keys=[f"ip:{client_ip(request)}", f"email:{email}"]):
            form.add_error(None, _("Too many attempts. Please wait a minute and try again."))
            status = 429
        elif form.is_valid():
            since = timezone.now()
            try:
                user = sharing.guest_user_for_share(
                    email=form.cleaned_data["email"], access_code=form.cleaned_data["access_code"],
                    id_tag=form.cleaned_data["id_tag"], ip_address=client_ip(request),
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                sharing.guest_login_recorded(user=user, since=since)
                return redirect(GUEST_HOME)
    return render(request, "account/guest_login.html", {"form": form}, status=status)
