"""Login history (ACC-9): every successful and failed sign-in is recorded.

ACC-1: choosing a password of one's own (change, reset or set) lifts the forced change.
"""

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from .models import LoginEvent


def _client(request):
    if request is None:
        return None, ""
    return request.META.get("REMOTE_ADDR"), request.META.get("HTTP_USER_AGENT", "")[:300]


def _channel(request):
    if request is not None and request.META.get("HTTP_X_SESSION_TOKEN") is not None:
        return LoginEvent.Channel.APP
    if request is not None and request.path.startswith("/api/"):
        return LoginEvent.Channel.APP
    return LoginEvent.Channel.WEB


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    ip, agent = _client(request)
    LoginEvent.objects.create(
        user=user, email=user.email, succeeded=True, channel=_channel(request),
        ip_address=ip, user_agent=agent,
    )


@receiver(user_login_failed)
def record_login_failure(sender, credentials, request=None, **kwargs):
    from .models import User

    email = (credentials.get("email") or credentials.get("username") or "")[:254]
    ip, agent = _client(request)
    LoginEvent.objects.create(
        user=User.objects.filter(email__lower=email.lower()).first() if email else None,
        email=email or "-", succeeded=False, channel=_channel(request),
        ip_address=ip, user_agent=agent,
    )


@receiver(password_changed)
@receiver(password_reset)
@receiver(password_set)
def lift_forced_password_change(sender, request, user, **kwargs):
    from .services import user_password_changed

    user_password_changed(user=user)
