"""Pages of groups in the driver app (GRP-1 … GRP-6): My groups, create, a group's page
(settings, tariff, members, invitations, chargers), the invitations inbox, and the public
page of the e-mail's Accept link. Thin: reads through ``groups.selectors``, every change
through ``groups.services``."""

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chargers.selectors import charger_get_for_user
from wccportal.errors import DomainError, NotFound
from wccportal.lib.money import MINOR_UNITS

from . import services
from .forms import GroupForm, InviteForm, add_domain_error
from .models import Invitation, Membership
from .selectors import group_get_for_user, invitation_get_for_user, invitation_list_for_user

# --- Presentation helpers ---------------------------------------------------------------------


def price(amount: Decimal | None, currency: str) -> str:
    """A price as entered (up to 4 decimals), never fewer decimals than the currency has."""
    if amount is None:
        return ""
    minor = MINOR_UNITS.get(currency, 2)
    exponent = Decimal(amount).normalize().as_tuple().exponent
    places = max(minor, -exponent if isinstance(exponent, int) else minor)
    return f"{number_format(Decimal(amount), decimal_pos=places)} {currency}"


def tariff_lines(tariff) -> list[str]:
    """The components of a tariff that cost something, in a line each (GRP-6)."""
    if tariff is None:
        return []
    cur = tariff.currency
    lines = [_("%(price)s per kWh") % {"price": price(tariff.price_per_kwh, cur)}]
    if tariff.connection_fee:
        lines.append(_("%(price)s per session") % {"price": price(tariff.connection_fee, cur)})
    if tariff.time_fee_per_hour:
        lines.append(_("%(price)s per hour of charging") % {"price": price(tariff.time_fee_per_hour, cur)})
    if tariff.parking_fee_per_hour:
        lines.append(_("%(price)s per hour parked after charging") % {"price": price(tariff.parking_fee_per_hour, cur)})
    return lines


def tariffs_url() -> str:
    """The Tariffs screen (TAR-2), built by its own module."""
    try:
        return reverse("app:tariffs")
    except NoReverseMatch:
        return "/app/tariffs/"


def _decorate(group, user):
    group.is_mine = group.owner_id == user.pk
    group.tariff_lines = tariff_lines(group.tariff)
    group.chargers = [link.charge_point for link in group.charger_links.all()]
    return group


def _create_notice(code: str) -> str:
    if code == "premium_required":
        return _("You already have a group. Several groups are a premium feature: upgrade to "
                 "premium to create another one.")
    return _("A group can only be created by the owner of a charger. Add your charger first, "
             "then create a group around it.")


# --- My groups, create (GRP-1, GRP-2) ---------------------------------------------------------


@login_required
def group_list(request):
    """My groups: a card per group; with a charger and no group yet, the create form at once."""
    groups = [_decorate(g, request.user) for g in services.group_list_with_details(request.user)]
    allowed, code = services.can_create_group(request.user)
    show_form = allowed and not groups
    return render(request, "app/groups/list.html", {
        "nav": "dashboard", "groups": groups, "can_create": allowed, "create_code": code,
        "create_notice": "" if allowed else _create_notice(code),
        "invitation_count": invitation_list_for_user(request.user).count(),
        "form": GroupForm(owner=request.user) if show_form else None, "tariffs_url": tariffs_url(),
    })


@login_required
def group_create(request):
    allowed, code = services.can_create_group(request.user)
    form = GroupForm(request.POST if request.method == "POST" else None, owner=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                group = services.group_create(owner=request.user, **form.service_kwargs())
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("The group %(name)s was created. Add your chargers and "
                                            "invite its members.") % {"name": group.name})
                return redirect("app:group_detail", pk=group.pk)
    return render(request, "app/groups/create.html", {
        "nav": "dashboard", "form": form, "can_create": allowed,
        "create_notice": "" if allowed else _create_notice(code), "tariffs_url": tariffs_url(),
    }, status=status)


# --- A group's page (GRP-3 … GRP-6) -----------------------------------------------------------


def _detail_context(request, group, *, form=None, invite_form=None) -> dict:
    group = _decorate(group, request.user)
    manage = services.can_manage_group(group, request.user)
    context = {"nav": "dashboard", "group": group, "manage": manage, "tariffs_url": tariffs_url()}
    if manage:
        initial = {f: getattr(group, f) for f in ("name", "city", "zip_code", "address")}
        initial["tariff"] = group.tariff_id
        context |= {
            "form": form or GroupForm(owner=group.owner, initial=initial),
            "invite_form": invite_form or InviteForm(),
            "members": Membership.objects.filter(group=group).select_related("user").order_by(
                "user__first_name", "user__last_name", "user__email"),
            "invitations": [
                (inv, services.invitation_state(inv)) for inv in
                Invitation.objects.filter(group=group, status=Invitation.Status.PENDING).order_by("email")
            ],
            "charger_choices": services.group_charger_choices(group=group),
            "invitation_days": services.invitation_days(),
        }
    return context


def _group(request, pk, *, owner=False):
    return group_get_for_user(request.user, pk, owner=owner)


@login_required
def group_detail(request, pk):
    group = _group(request, pk)
    return render(request, "app/groups/detail.html", _detail_context(request, group))


@login_required
@require_POST
def group_update(request, pk):
    group = _group(request, pk, owner=True)
    form = GroupForm(request.POST, owner=group.owner)
    if form.is_valid():
        try:
            services.group_update(group=group, acting_user=request.user, **form.service_kwargs())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The group's settings were saved."))
            return redirect("app:group_detail", pk=group.pk)
    group.refresh_from_db()
    return render(request, "app/groups/detail.html", _detail_context(request, group, form=form), status=400)


@login_required
@require_POST
def group_delete(request, pk):
    group = _group(request, pk, owner=True)
    name = group.name
    services.group_delete(group=group, acting_user=request.user)
    messages.success(request, _("The group %(name)s was deleted. Its members no longer have access to "
                                "its chargers.") % {"name": name})
    return redirect("app:groups")


@login_required
@require_POST
def group_invite(request, pk):
    group = _group(request, pk, owner=True)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            result = services.invitation_create(group=group, email=form.cleaned_data["email"],
                                                invited_by=request.user)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            text = (_("The invitation was sent again to %(email)s.") if result.resent
                    else _("An invitation is on its way to %(email)s."))
            messages.success(request, text % {"email": result.invitation.email})
            return redirect(reverse("app:group_detail", args=[group.pk]) + "#invitations")
    return render(request, "app/groups/detail.html", _detail_context(request, group, invite_form=form),
                  status=400)


@login_required
@require_POST
def group_invitation_revoke(request, pk, invitation_id):
    group = _group(request, pk, owner=True)
    try:
        invitation = services.invitation_get_for_owner(group=group, invitation_id=invitation_id)
    except NotFound:
        raise Http404("No such invitation.") from None
    try:
        services.invitation_revoke(invitation=invitation, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect(reverse("app:group_detail", args=[group.pk]) + "#invitations")


@login_required
@require_POST
def group_member_remove(request, pk, user_id):
    group = _group(request, pk, owner=True)
    try:
        member = Membership.objects.select_related("user").get(group=group, user_id=user_id).user
    except (Membership.DoesNotExist, ValueError):
        raise Http404("No such member.") from None
    services.member_remove(group=group, user=member, acting_user=request.user)
    messages.success(request, _("%(name)s was removed from the group and no longer has access to its "
                                "chargers.") % {"name": member.get_full_name()})
    return redirect(reverse("app:group_detail", args=[group.pk]) + "#members")


@login_required
@require_POST
def group_leave(request, pk):
    group = _group(request, pk)
    try:
        services.member_leave(group=group, user=request.user)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
        return redirect("app:group_detail", pk=group.pk)
    messages.success(request, _("You left the group %(name)s.") % {"name": group.name})
    return redirect("app:groups")


@login_required
@require_POST
def group_charger_toggle(request, pk, charge_point_id):
    group = _group(request, pk, owner=True)
    charge_point = charger_get_for_user(group.owner, charge_point_id, write=True)
    included = "1" in request.POST.getlist("included")
    try:
        services.group_charger_set(group=group, charge_point=charge_point, included=included,
                                   acting_user=request.user)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
    else:
        text = (_("%(name)s is now in the group.") if included
                else _("%(name)s was taken out of the group."))
        messages.success(request, text % {"name": charge_point.display_name})
    return redirect(reverse("app:group_detail", args=[group.pk]) + "#chargers")


# --- Invitations inbox (GRP-3) ----------------------------------------------------------------


@login_required
def invitation_list(request):
    invitations = invitation_list_for_user(request.user).order_by("-created_at")
    return render(request, "app/groups/invitations.html", {"nav": "dashboard", "invitations": invitations})


@login_required
@require_POST
def invitation_accept(request, invitation_id):
    invitation = invitation_get_for_user(request.user, invitation_id)
    try:
        services.invitation_accept(user=request.user, invitation=invitation)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("app:invitation_list")
    messages.success(request, _("Welcome to the group %(name)s. Its chargers are in your Commercial tab.")
                     % {"name": invitation.group.name})
    return redirect("app:group_detail", pk=invitation.group_id)


@login_required
@require_POST
def invitation_decline(request, invitation_id):
    invitation = invitation_get_for_user(request.user, invitation_id)
    try:
        services.invitation_decline(user=request.user, invitation=invitation)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You declined the invitation to %(name)s.") % {"name": invitation.group.name})
    return redirect("app:invitation_list")


# --- The e-mail's Accept link (public, GRP-3) -------------------------------------------------


def _public_invitation(token: str):
    try:
        return services.invitation_for_token(token)
    except DomainError:
        raise Http404("No such invitation.") from None


def invitation_detail(request, token):
    """What the Accept link opens: the group and who invites; Accept / Decline for the
    addressee, sign in or create an account for anyone not signed in."""
    invitation = _public_invitation(token)
    state = services.invitation_state(invitation)
    here = request.get_full_path()
    registered = get_user_model().objects.filter(
        email__iexact=invitation.email, is_active=True, is_guest=False).exists()
    context = {
        "invitation": invitation, "group": invitation.group, "state": state, "token": token,
        "inviter": (invitation.invited_by or invitation.group.owner).get_full_name(),
        "matches": services.invitation_matches(invitation, request.user),
        "is_member": request.user.is_authenticated and (
            invitation.group.owner_id == request.user.pk
            or Membership.objects.filter(group=invitation.group, user=request.user).exists()),
        "registered": registered,
        "login_url": reverse("account_login") + "?" + urlencode({"next": here}),
        "signup_url": reverse("account_signup") + "?" + urlencode({"next": here, "email": invitation.email}),
        "logout_url": reverse("account_logout"),
    }
    return render(request, "groups/invitation.html", context)


@require_POST
def invitation_respond(request, token, answer):
    invitation = _public_invitation(token)
    if not request.user.is_authenticated:
        # Back to the invitation after signing in (this address only answers POST).
        detail = reverse("invitation_detail", args=[token])
        return redirect(reverse("account_login") + "?" + urlencode({"next": detail}))
    try:
        if answer == "accept":
            services.invitation_accept(user=request.user, token=token)
        else:
            services.invitation_decline(user=request.user, token=token)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("invitation_detail", token=token)
    if answer == "accept":
        messages.success(request, _("Welcome to the group %(name)s. Its chargers are in your Commercial tab.")
                         % {"name": invitation.group.name})
        return redirect("app:group_detail", pk=invitation.group_id)
    messages.success(request, _("You declined the invitation to %(name)s.") % {"name": invitation.group.name})
    return redirect("app:groups")
