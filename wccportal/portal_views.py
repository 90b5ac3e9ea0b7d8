"""Pages of the B2B portal shell. Every object comes through the access selectors."""


from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from accounts.selectors import notification_list
from accounts.services import notification_mark_read


def _page(request, qs, size=20):
    return Paginator(qs, size).get_page(request.GET.get("page"))


@login_required
def notifications(request):
    if request.method == "POST":
        notification_mark_read(user=request.user)
        return redirect("portal:notifications")
    return render(request, "portal/notifications.html", {
        "nav": "notifications", "page_obj": _page(request, notification_list(user=request.user)),
    })
