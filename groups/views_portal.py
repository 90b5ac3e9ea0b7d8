"""The portal's Group Management (GRP-1 … GRP-6): my groups as a table, creating one, and a
group's page: details and tariff, chargers in or out (toggles), members, invitations, delete;
a member sees it read-only and may leave. The business side of ``groups.views`` (the driver
app's pages), in the portal shell. Thin: reads through ``groups.selectors``, every change
through ``groups.services``; another user's group is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chargers.selectors import charger_get_for_user
from wccportal.errors import DomainError

from . import services
from .forms_portal import GroupForm, InviteForm, add_domain_error, group_initial
from .models import Invitation, Membership
from .selectors import group_get_for_user, invitation_list_for_user
from .views import tariff_lines, tariffs_url

NAV = "groups"


def _create_notice(code: str) -> str:
    if code == "premium_required":
        return _("You already own a group. Several groups are a premium feature: upgrade to premium "
                 "to create another one.")
    return _("Only the owner of a charger can create a group. Add your charger first, then create a "
             "group around it.")


def _decorate(group, user):
    group.is_mine = group.owner_id == user.pk
    group.tariff_lines = tariff_lines(group.tariff)
    group.chargers = [link.charge_point for link in group.charger_links.all()]
    return group


def _detail_url(group, anchor: str = "") -> str:
    return reverse("portal:group_detail", args=[group.pk]) + (f"#{anchor}" if anchor else "")


# --- My groups, create (GRP-1, GRP-2) ---------------------------------------------------------------


@login_required
def group_list(request):
    """The groups I own and those I am a member of, marked; Create group."""
    user = request.user
    groups = [_decorate(g, user) for g in services.group_list_with_details(user)]
    allowed, code = services.can_create_group(user)
    return render(request, "portal/groups/list.html", {
        "nav": NAV, "groups": groups, "can_create": allowed, "create_code": code,
        "create_notice": "" if allowed else _create_notice(code),
        "invitation_count": invitation_list_for_user(user).count(),
    })


@login_required
def group_create(request):
    """Create a group (GRP-1): the service refuses without a charger of one's own, and a
    second group without premium (GRP-2); the refusal is shown on the form."""
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
                messages.success(request, _("The group %(name)s was created. Add your chargers and invite "
                                            "its members.") % {"name": group.name})
                return redirect("portal:group_detail", pk=group.pk)
    return render(request, "portal/groups/create.html", {
        "nav": NAV, "form": form, "can_create": allowed, "create_code": code,
        "create_notice": "" if allowed else _create_notice(code), "tariffs_url": tariffs_url(),
    }, status=status)


# --- A group's page (GRP-3 … GRP-6) ---------------------------------------------------------------


def _detail_context(request, group, *, form=None, invite_form=None) -> dict:
    # Again with its member count and chargers (the caller found it through the selectors).
    group = _decorate(services.group_list_with_details(request.user, pk=group.pk).get(), request.user)
    manage = services.can_manage_group(group, request.user)
    context = {"nav": NAV, "group": group, "manage": manage, "tariffs_url": tariffs_url()}
    if manage:
        context |= {
            "form": form or GroupForm(owner=group.owner, initial=group_initial(group)),
            "invite_form": invite_form or InviteForm(),
            "members": Membership.objects.filter(group=group).select_related("user").order_by(
                "user__first_name", "user__last_name", "user__email"),
            "invitations": [
                (invitation, services.invitation_state(invitation)) for invitation in
                Invitation.objects.filter(group=group, status=Invitation.Status.PENDING)
                .select_related("invited_by").order_by("email")
            ],
            "charger_choices": services.group_charger_choices(group=group),
            "invitation_days": services.invitation_days(),
        }
    return context


def _group(request, pk, *, owner: bool = False):
    """A group of mine (``owner``: one I manage), else 404."""
    return group_get_for_user(request.user, pk, owner=owner)


@login_required
def group_detail(request, pk):
    group = _group(request, pk)
    return render(request, "portal/groups/detail.html", _detail_context(request, group))


@login_required
@require_POST
def group_update(request, pk):
    """Name, address and tariff (GRP-1, GRP-6): the owner only."""
    group = _group(request, pk, owner=True)
    form = GroupForm(request.POST, owner=group.owner)
    if form.is_valid():
        try:
            services.group_update(group=group, acting_user=request.user, **form.service_kwargs())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The details of %(name)s were saved.") % {"name": group.name})
            return redirect("portal:group_detail", pk=group.pk)
    group.refresh_from_db()
    return render(request, "portal/groups/detail.html", _detail_context(request, group, form=form), status=400)


@login_required
@require_POST
def group_delete(request, pk):
    group = _group(request, pk, owner=True)
    name = group.name
    services.group_delete(group=group, acting_user=request.user)
    messages.success(request, _("The group %(name)s was deleted. Its members no longer have access to its "
                                "chargers.") % {"name": name})
    return redirect("portal:groups")


@login_required
@require_POST
def group_leave(request, pk):
    """A member leaves the group; the owner deletes it instead."""
    group = _group(request, pk)
    try:
        services.member_leave(group=group, user=request.user)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
        return redirect("portal:group_detail", pk=group.pk)
    messages.success(request, _("You left the group %(name)s.") % {"name": group.name})
    return redirect("portal:groups")


@login_required
@require_POST
def group_invite(request, pk):
    """Invite by e-mail (GRP-3): the service writes the invitation and sends the e-mail."""
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
            return redirect(_detail_url(group, "invitations"))
    return render(request, "portal/groups/detail.html", _detail_context(request, group, invite_form=form),
                  status=400)


@login_required
@require_POST
def group_invitation_revoke(request, pk, invitation_id):
    group = _group(request, pk, owner=True)
    try:
        invitation = services.invitation_get_for_owner(group=group, invitation_id=invitation_id)
    except DomainError:
        raise Http404("No such invitation.") from None
    try:
        services.invitation_revoke(invitation=invitation, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email})
    return redirect(_detail_url(group, "invitations"))


@login_required
@require_POST
def group_member_remove(request, pk, user_id):
    """Remove a member after the confirmation (GRP-4): their access ends at once."""
    group = _group(request, pk, owner=True)
    membership = Membership.objects.select_related("user").filter(group=group, user_id=user_id).first()
    if membership is None:
        raise Http404("No such member.")
    member = membership.user
    services.member_remove(group=group, user=member, acting_user=request.user)
    messages.success(request, _("%(name)s was removed from the group and no longer has access to its "
                                "chargers.") % {"name": member.get_full_name()})
    return redirect(_detail_url(group, "members"))


@login_required
@require_POST
def group_charger_toggle(request, pk, charge_point_id):
    """Put one of the owner's chargers in the group or take it out (GRP-5). A charger in
    another group is refused by the service, and the page says so."""
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
        text = _("%(name)s is now in the group.") if included else _("%(name)s was taken out of the group.")
        messages.success(request, text % {"name": charge_point.display_name})
    return redirect(_detail_url(group, "chargers"))
