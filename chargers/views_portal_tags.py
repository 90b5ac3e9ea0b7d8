"""Portal pages of authorization tags (TAG-4): the table with filters, add, edit, and delete
several at once after a confirmation."""

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
from wccportal.group_context import group_context
from wccportal.pagination import PAGE_SIZES, page_size

from . import portal_tags as pt
from .selectors import _is_org_user

NAV = "tags"


@login_required
def tag_list(request):
    user = request.user
    tags = pt.portal_tag_list_for_user(user).select_related("user").prefetch_related(
        "valid_charge_points"
    )
    if (group := group_context(request)) is not None:
        tags = pt.tags_in_group(tags, group)
    tag_filter = pt.TagFilter(request.GET or None, queryset=tags)
    # Only those who manage other people's tags need to see whose a tag is.
    exclude = () if user.is_staff or _is_org_user(user) else ("user",)
    table = pt.TagTable(tag_filter.qs, exclude=exclude)
    RequestConfig(request, paginate=False).configure(table)  # sorting
    try:
        table.paginate(page=request.GET.get("page", 1), per_page=page_size(request))
    except (PageNotAnInteger, EmptyPage):
        table.paginate(page=1, per_page=page_size(request))
    return render(request, "portal/tags/list.html", {
        "nav": NAV, "filter": tag_filter, "table": table, "page_sizes": PAGE_SIZES,
        "per_page": page_size(request),
    })


@login_required
def tag_add(request):
    chargers = pt.charger_choices_for_user(request.user)
    form = pt.TagForm(request.POST or None, chargers=chargers)
    if request.method == "POST" and form.is_valid():
        try:
            tag = pt.tag_portal_create(acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The tag %(tag)s was added.") % {"tag": tag.id_tag})
            return redirect("portal:tags")
    return render(request, "portal/tags/form.html", {"nav": NAV, "form": form, "tag": None})


@login_required
def tag_edit(request, pk):
    tag = pt.portal_tag_get_for_user(request.user, pk)
    chargers = pt.charger_choices_for_user(request.user)
    form = pt.TagForm(request.POST or None, chargers=chargers, tag=tag)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("id_tag", "kind")}
        try:
            pt.tag_portal_update(
                tag=tag, acting_user=request.user,
                visible_pks=set(chargers.values_list("pk", flat=True)), **data,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The tag %(tag)s was saved.") % {"tag": tag.id_tag})
            return redirect("portal:tags")
    return render(request, "portal/tags/form.html", {"nav": NAV, "form": form, "tag": tag})


@login_required
@require_POST
def tag_delete(request):
    """Step 1 (no ``confirm``): show the chosen tags and ask. Step 2: delete them all."""
    try:
        pks = {int(pk) for pk in request.POST.getlist("selection")}
    except ValueError:
        raise Http404("No such tag.") from None
    if not pks:
        messages.warning(request, _("Select at least one tag to delete."))
        return redirect("portal:tags")
    chosen = list(pt.portal_tag_list_for_user(request.user).filter(pk__in=pks).select_related("user"))
    if len(chosen) != len(pks):
        raise Http404("No such tag.")  # someone else's tag (or gone): nothing is deleted
    if request.POST.get("confirm") != "1":
        return render(request, "portal/tags/delete.html", {"nav": NAV, "tags": chosen})
    count = pt.tags_delete(tags=chosen)
    messages.success(request, ngettext(
        "%(count)d tag was deleted.", "%(count)d tags were deleted.", count
    ) % {"count": count})
    return redirect("portal:tags")
