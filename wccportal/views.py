from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.privacy import privacy_tracking_get, privacy_tracking_set
from accounts.services import user_set_language

from .api import json_error_response


def home(request):
    if not request.user.is_authenticated:
        return redirect("account_login")
    if request.user.is_staff or request.user.is_organisation_user:
        return redirect("portal:dashboard")
    return redirect("app:dashboard")


def imprint(request):
    return render(request, "wccportal/imprint.html")


def terms(request):
    from django.conf import settings

    return render(request, "wccportal/terms.html", {"version": settings.TERMS_VERSION})


def privacy(request):
    """The privacy policy, and for a signed-in user the optional-trackers choice (ACC-10)."""
    tracking_allowed = privacy_tracking_get(user=request.user)
    if request.user.is_authenticated and request.method == "POST":
        privacy_tracking_set(user=request.user, allowed=request.POST.get("tracking_allowed") == "on")
        messages.success(request, _("Your privacy settings were saved."))
        return redirect("privacy")
    return render(request, "wccportal/privacy.html", {"tracking_allowed": tracking_allowed})


@require_POST
def set_language(request):
    """Django's language switch, also remembered on the signed-in user's profile."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)
    if not isinstance(response, HttpResponseRedirect) or not url_has_allowed_host_and_scheme(
        response.url, allowed_hosts={request.get_host()}
    ):
        return redirect("home")
    return response


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return json_error_response(request, 404, "not_found", _("Not found."))
    return render(request, "404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return json_error_response(request, 500, "server_error", _("Internal server error."))
    # Without the request: its context processors query the database (session user, unread
    # count), which may be the very thing that failed.
    return HttpResponseServerError(get_template("500.html").render({}))
