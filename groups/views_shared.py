"""The group pages (GRP-1 … GRP-6) of both shells: My groups, create, and a group's page
(details and tariff, chargers in or out, members, invitations, delete; a member sees it
read-only and may leave). ``groups.views`` (the driver app) and ``groups.views_portal`` (the
portal) each make one ``GroupPages`` naming their URL namespace, templates and the texts that
differ. Thin: reads through ``groups.selectors``, every change through ``groups.services``;
another user's group is a 404."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chargers.selectors import charger_get_for_user
from wccportal.errors import DomainError, NotFound
from wccportal.lib.money import MINOR_UNITS

from . import services
from .forms import GroupForm, InviteForm, add_domain_error
from .forms_portal import group_initial
from .models import Invitation, Membership
from .selectors import group_get_for_user, invitation_list_for_user

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


def _group(request, pk, *, owner: bool = False):
    """A group of mine (``owner``: one I manage), else 404."""
    return group_get_for_user(request.user, pk, owner=owner)


_view = method_decorator(login_required)
_action = method_decorator([login_required, require_POST])


@dataclass(frozen=True)
class GroupPages:
    """One shell's group pages; its views are the bound methods, e.g. ``pages.group_list``."""

    namespace: str
    templates: str  # the folder of list.html, create.html and detail.html
    nav: str
    # Lazy texts; ``saved`` may name the group as %(name)s.
    premium_notice: Promise
    charger_notice: Promise
    saved: Promise
    create_form_on_list: bool = False  # My groups without a group offers the create form at once
    detail_as_listed: bool = False  # the page's group with member count, chargers by name

    def _render(self, request, page: str, context: dict, status: int = 200):
        return render(request, f"{self.templates}/{page}.html", context, status=status)

    def _detail_url(self, group, anchor: str = "") -> str:
        return reverse(f"{self.namespace}:group_detail", args=[group.pk]) + (f"#{anchor}" if anchor else "")

    def _create_notice(self, allowed: bool, code: str) -> str:
        if allowed:
            return ""
        return str(self.premium_notice if code == "premium_required" else self.charger_notice)

    # --- My groups, create (GRP-1, GRP-2) -----------------------------------------------------

    @_view
    def group_list(self, request):
        """The groups I own and those I am a member of, marked; Create group."""
        user = request.user
        groups = [_decorate(g, user) for g in services.group_list_with_details(user)]
        allowed, code = services.can_create_group(user)
        show_form = self.create_form_on_list and allowed and not groups
        return self._render(request, "list", {
            "nav": self.nav, "groups": groups, "can_create": allowed, "create_code": code,
            "create_notice": self._create_notice(allowed, code),
            "invitation_count": invitation_list_for_user(user).count(),
            "form": GroupForm(owner=user) if show_form else None, "tariffs_url": tariffs_url(),
        })

    @_view
    def group_create(self, request):
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
                    messages.success(request, _("The group %(name)s was created. Add your chargers and "
                                                "invite its members.") % {"name": group.name})
                    return redirect(self._detail_url(group))
        return self._render(request, "create", {
            "nav": self.nav, "form": form, "can_create": allowed, "create_code": code,
            "create_notice": self._create_notice(allowed, code), "tariffs_url": tariffs_url(),
        }, status=status)

    # --- A group's page (GRP-3 … GRP-6) -------------------------------------------------------

    def _detail_context(self, request, group, *, form=None, invite_form=None) -> dict:
        if self.detail_as_listed:
            group = services.group_list_with_details(request.user, pk=group.pk).get()
        group = _decorate(group, request.user)
        manage = services.can_manage_group(group, request.user)
        context = {"nav": self.nav, "group": group, "manage": manage, "tariffs_url": tariffs_url()}
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

    def _detail(self, request, group, *, status: int = 200, **forms):
        return self._render(request, "detail", self._detail_context(request, group, **forms), status=status)

    @_view
    def group_detail(self, request, pk):
        return self._detail(request, _group(request, pk))

    @_action
    def group_update(self, request, pk):
        """Name, address and tariff (GRP-1, GRP-6): the owner only."""
        group = _group(request, pk, owner=True)
        form = GroupForm(request.POST, owner=group.owner)
        if form.is_valid():
            try:
                services.group_update(group=group, acting_user=request.user, **form.service_kwargs())
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, self.saved % {"name": group.name})
                return redirect(self._detail_url(group))
        group.refresh_from_db()
        return self._detail(request, group, form=form, status=400)

    @_action
    def group_delete(self, request, pk):
        group = _group(request, pk, owner=True)
        name = group.name
        services.group_delete(group=group, acting_user=request.user)
        messages.success(request, _("The group %(name)s was deleted. Its members no longer have access to "
                                    "its chargers.") % {"name": name})
        return redirect(f"{self.namespace}:groups")

    @_action
    def group_leave(self, request, pk):
        """A member leaves the group; the owner deletes it instead."""
        group = _group(request, pk)
        try:
            services.member_leave(group=group, user=request.user)
        except DomainError as exc:
            if exc.status == 404:
                raise Http404(exc.message) from None
            messages.error(request, exc.message)
            return redirect(self._detail_url(group))
        messages.success(request, _("You left the group %(name)s.") % {"name": group.name})
        return redirect(f"{self.namespace}:groups")

    @_action
    def group_invite(self, request, pk):
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
                return redirect(self._detail_url(group, "invitations"))
        return self._detail(request, group, invite_form=form, status=400)

    @_action
    def group_invitation_revoke(self, request, pk, invitation_id):
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
        return redirect(self._detail_url(group, "invitations"))

    @_action
    def group_member_remove(self, request, pk, user_id):
        """Remove a member after the confirmation (GRP-4): their access ends at once."""
        group = _group(request, pk, owner=True)
        membership = Membership.objects.select_related("user").filter(group=group, user_id=user_id).first()
        if membership is None:
            raise Http404("No such member.")
        member = membership.user
        services.member_remove(group=group, user=member, acting_user=request.user)
        messages.success(request, _("%(name)s was removed from the group and no longer has access to its "
                                    "chargers.") % {"name": member.get_full_name()})
        return redirect(self._detail_url(group, "members"))

    @_action
    def group_charger_toggle(self, request, pk, charge_point_id):
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
        return redirect(self._detail_url(group, "chargers"))
