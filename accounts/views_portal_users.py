"""Portal pages of the users screen (ACC-9, ACC-12): the list with search, add, the user's page
(edit form and login history) and delete several at once after a confirmation. Only staff and
organisation administrators have this screen; for everyone else every page is a 404."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from wccportal.errors import DomainError
from wccportal.pagination import PAGE_SIZES, page_size

from . import portal_users as pu

NAV = "users"


def users_manager_required(view):
    """Signed in, and staff or an organisation administrator; anyone else: 404."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not pu.may_manage_users(request.user):
            raise Http404("No users screen.")
        return view(request, *args, **kwargs)

    return wrapper


def _paginate(request, table, *, param="page", per_page=None):
    per_page = per_page or page_size(request)
    try:
        table.paginate(page=request.GET.get(param, 1), per_page=per_page)
    except (PageNotAnInteger, EmptyPage):
        table.paginate(page=1, per_page=per_page)


@users_manager_required
def user_list(request):
    users = pu.with_tags(pu.user_list_for_manager(request.user))
    user_filter = pu.UserFilter(request.GET or None, queryset=users)
    table = pu.UserTable(user_filter.qs, acting_user=request.user)
    RequestConfig(request, paginate=False).configure(table)  # sorting
    _paginate(request, table)
    return render(request, "portal/users/list.html", {
        "nav": NAV, "filter": user_filter, "table": table, "page_sizes": PAGE_SIZES,
        "per_page": page_size(request),
    })


@users_manager_required
def user_add(request):
    form = pu.UserAddForm(request.POST or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = pu.user_portal_create(acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _(
                "The user %(email)s was added and gets an e-mail with an initial password."
            ) % {"email": user.email})
            return redirect("portal:user_detail", pk=user.pk)
    return render(request, "portal/users/add.html", {"nav": NAV, "form": form})


@users_manager_required
def user_detail(request, pk):
    """The user's page: the edit form and the login history (ACC-9)."""
    target = pu.user_get_for_manager(request.user, pk)
    form = pu.UserEditForm(request.POST or None, acting_user=request.user, user=target)
    if request.method == "POST" and form.is_valid():
        try:
            pu.user_portal_update(acting_user=request.user, user=target, **form.use_case_fields())
        except DomainError as exc:
            form.add_domain_error(exc)
            target.refresh_from_db()
        else:
            messages.success(request, _("The user %(email)s was saved.") % {"email": target.email})
            return redirect("portal:user_detail", pk=target.pk)
    logins = pu.LoginTable(pu.login_list_for_manager(request.user, target), orderable=False,
                           exclude=("email",))
    _paginate(request, logins, param="page", per_page=page_size(request, default=10))
    return render(request, "portal/users/detail.html", {
        "nav": NAV, "form": form, "target": target, "logins": logins,
        "status": pu.status_of(target), "status_badge": pu.STATUS_BADGES[pu.status_of(target)[0]],
        "role": pu.role_label(target), "erase_date": pu.erase_date(target),
        "tags": target.id_tags.order_by("id_tag"), "page_sizes": PAGE_SIZES,
        "per_page": page_size(request, default=10),
    })


@users_manager_required
def login_history(request):
    """ACC-9: the sign-ins of every account the user manages, newest first; search by e-mail."""
    q = request.GET.get("q", "").strip()
    qs = pu.all_logins_for_manager(request.user).select_related("user")
    if q:
        qs = qs.filter(email__icontains=q)
    result = request.GET.get("result", "")
    if result in ("ok", "failed"):
        qs = qs.filter(succeeded=result == "ok")
    logins = pu.LoginTable(qs, orderable=False)
    _paginate(request, logins)
    return render(request, "portal/users/logins.html", {
        "nav": NAV, "logins": logins, "q": q, "result": result, "page_sizes": PAGE_SIZES,
        "per_page": page_size(request),
    })


@users_manager_required
@require_POST
def user_delete(request):
    """Step 1 (no ``confirm``): show the chosen accounts and ask. Step 2: delete them all."""
    try:
        pks = {int(pk) for pk in request.POST.getlist("selection")}
    except ValueError:
        raise Http404("No such user.") from None
    if not pks:
        messages.warning(request, _("Select at least one user to delete."))
        return redirect("portal:users")
    chosen = list(pu.user_list_for_manager(request.user).filter(pk__in=pks).order_by("email"))
    if len(chosen) != len(pks):
        raise Http404("No such user.")  # someone else's account (or gone): nothing changes
    if any(u.pk == request.user.pk for u in chosen):
        messages.error(request, _("You cannot delete your own account here: use Settings."))
        return redirect("portal:users")
    if request.POST.get("confirm") != "1":
        return render(request, "portal/users/delete.html", {
            "nav": NAV, "users": chosen, "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS,
        })
    try:
        count = pu.users_portal_delete(acting_user=request.user, users=chosen)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("portal:users")
    messages.success(request, ngettext(
        "%(count)d user was deleted.", "%(count)d users were deleted.", count
    ) % {"count": count})
    return redirect("portal:users")
