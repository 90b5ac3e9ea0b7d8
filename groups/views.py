"""Pages of groups in the driver app (GRP-1 … GRP-6): My groups, create, a group's page
(settings, tariff, members, invitations, chargers), the invitations inbox, and the public
page of the e-mail's Accept link. Thin: reads through ``groups.selectors``, every change
through ``groups.services``. The group pages themselves are ``views_shared.GroupPages``."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wccportal.errors import DomainError

from . import services
from .models import Membership
from .selectors import invitation_get_for_user, invitation_list_for_user
from .views_shared import GroupPages

# My groups, create and a group's page (GRP-1 … GRP-6), at /app/groups/.
pages = GroupPages(
    namespace="app", templates="app/groups", nav="dashboard",
    premium_notice=gettext_lazy("You already have a group. Several groups are a premium feature: upgrade to "
                                "premium to create another one."),
    charger_notice=gettext_lazy("A group can only be created by the owner of a charger. Add your charger first, "
                                "then create a group around it."),
    saved=gettext_lazy("The group's settings were saved."),
    create_form_on_list=True,
)


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
