"""API authentication that enforces ACC-1's forced password change.

The mobile app's allauth token (X-Session-Token) and the browser session authenticate as
before; a user who still has the e-mailed initial password gets 403
``password_change_required`` everywhere under /api/v1/ except reading their own profile.
The change itself (``POST /api/auth/app/v1/account/password/change``) and signing out
(``DELETE /api/auth/app/v1/auth/session``) are allauth headless endpoints, outside /api/v1/.
"""

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, status


class PasswordChangeRequired(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "password_change_required"
    default_detail = _(
        "Choose a new password first: POST /api/auth/app/v1/account/password/change with "
        "current_password and new_password."
    )


def _enforce(request, result):
    if result is None:
        return None
    user = result[0]
    if getattr(user, "must_change_password", False):
        allowed = request.method in ("GET", "HEAD", "OPTIONS") and request.path == reverse("api-me")
        if not allowed:
            raise PasswordChangeRequired()
    return result


class TokenAuthentication(XSessionTokenAuthentication):
    def authenticate(self, request):
        return _enforce(request, super().authenticate(request))


class SessionAuthentication(authentication.SessionAuthentication):
    def authenticate(self, request):
        return _enforce(request, super().authenticate(request))


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """The schema shows the same schemes as allauth's and DRF's classes."""

    target_class = TokenAuthentication
    name = "XSessionTokenAuth"
    optional = True

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Session-Token"}


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = SessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
