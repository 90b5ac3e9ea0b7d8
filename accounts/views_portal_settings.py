"""The portal's general settings (ACC-10): my account and its login history, the language
(posted to ``set_language``, which also stores it on the user), the consent to optional
trackers (``accounts.privacy``), the legal pages, and the group context (posted to
``portal:group_context``; the shell's context processor provides the current one)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import LoginEvent
from .privacy import privacy_tracking_get, privacy_tracking_set

NAV = "settings"
LOGINS_SHOWN = 10


@login_required
def settings_page(request):
    languages = [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]
    return render(request, "portal/settings.html", {
        "nav": NAV,
        "logins": LoginEvent.objects.filter(user=request.user)[:LOGINS_SHOWN],
        "languages": languages,
        "tracking_allowed": privacy_tracking_get(user=request.user),
    })


@login_required
@require_POST
def privacy_update(request):
    """Allow or refuse optional trackers; every change is recorded as a consent."""
    allowed = request.POST.get("tracking_allowed") == "on"
    privacy_tracking_set(user=request.user, allowed=allowed)
    messages.success(request, _("Your privacy settings were saved."))
    return redirect(reverse("portal:settings") + "#privacy")
