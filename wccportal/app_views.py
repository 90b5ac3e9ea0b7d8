"""Pages of the driver app (mobile-first shell) that belong to no feature module.

Dashboard and live session: sessions_app.views_live; Charge: sessions_app.views_charge;
history: sessions_app.views_history; exports: sessions_app.views_exports.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.selectors import notification_list
from accounts.services import notification_mark_read


@login_required
def notifications(request):
    if request.method == "POST":
        notification_mark_read(user=request.user)
        return redirect("app:notifications")
    return render(request, "app/notifications.html", {
        "nav": "notifications", "notifications": notification_list(user=request.user)[:100],
    })
