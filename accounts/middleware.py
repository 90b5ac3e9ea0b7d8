import json
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext


class UserLanguageMiddleware:
    """Speak the signed-in user's preferred language unless they picked one in this browser.

    LocaleMiddleware has already looked at the language cookie and Accept-Language; a saved
    profile language is a stronger hint than the browser's header, a cookie set by the
    language switch is stronger still.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.language
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """ACC-1: a user signed in with the e-mailed initial password sees nothing but the password
    change page until they chose their own password.

    Pages redirect there (htmx requests get an HX-Redirect); the JSON API answers 403
    ``password_change_required`` from its authentication classes (accounts.api.authentication).

    Two touches to allauth's headless API live here too: its sign-up is closed with a pointer
    to ACC-1's endpoint, and a login refused by the failed-login throttle (ACC-2) answers 429
    like every other throttled API call, instead of allauth's 400.
    """

    # Paths that stay reachable: sign out, the change itself, static files, language, legal.
    ALLOWED_PREFIXES = ("/static/", "/media/", "/api/", "/i18n/", "/imprint/", "/privacy/", "/terms/",
                        "/accounts/logout/", "/accounts/password/")
    HEADLESS_SIGNUP = ("/api/auth/app/v1/auth/signup", "/api/auth/browser/v1/auth/signup")
    HEADLESS_LOGIN = ("/api/auth/app/v1/auth/login", "/api/auth/browser/v1/auth/login")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if path.rstrip("/") in self.HEADLESS_SIGNUP and request.method == "POST":
            return self._headless_signup_closed()
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not path.startswith(self.ALLOWED_PREFIXES)
        ):
            target = reverse("app:password_change")
            if path != target:
                if request.headers.get("HX-Request") == "true":
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                if request.method == "GET":
                    # Back to the page they asked for once the password is theirs (e.g. an invitation).
                    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
                return redirect(target)
        response = self.get_response(request)
        if response.status_code == 400 and path.rstrip("/") in self.HEADLESS_LOGIN:
            self._throttled_login_is_429(response)
        return response

    @staticmethod
    def _throttled_login_is_429(response):
        try:
            errors = json.loads(response.content).get("errors") or []
        except ValueError:
            return
        if any(e.get("code") == "too_many_login_attempts" for e in errors):
            response.status_code = 429
            response.content = json.dumps({"status": 429, "errors": errors})

    @staticmethod
    def _headless_signup_closed():
        from wccportal.api import error_body

        return JsonResponse(
            error_body("signup_disabled", gettext(
                "Sign up with POST /api/v1/auth/signup/ (first name, last name, e-mail, accepted "
                "terms); the initial password is sent by e-mail.")),
            status=403,
        )
