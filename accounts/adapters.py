from allauth.account.adapter import DefaultAccountAdapter
from django.contrib import messages
from django.urls import reverse
from django.utils import translation

from wccportal.lib.emails import send_templated

# allauth's e-mails that go out as the platform's templated, translated e-mails (NOT-2).
MAIL_TEMPLATES = {
    "account/email/password_reset_key": "password_reset",
}


class AccountAdapter(DefaultAccountAdapter):
    """allauth, the platform's way: our sign-up, our e-mails, ACC-1's forced password change
    and ACC-6's reactivation by signing in again."""

    def is_open_for_signup(self, request):
        # ACC-1 sign-up (names + consent, e-mailed initial password) replaces allauth's
        # password-based one, on the page and in the headless API.
        return False

    def get_login_redirect_url(self, request):
        if getattr(request.user, "must_change_password", False):
            return reverse("app:password_change")
        return super().get_login_redirect_url(request)

    def get_password_change_redirect_url(self, request):
        return reverse("app:profile")

    def pre_login(self, request, user, **kwargs):
        from .services import user_reactivate

        # Only the right password brings an inactive user here (allauth stashes a user whose
        # credentials matched but who is inactive). Within ACC-6's grace period that restores
        # the deleted account; otherwise allauth's "inactive" answer follows.
        if not user.is_active and user_reactivate(user=user):
            self.add_message(request, messages.SUCCESS, "account/messages/reactivated.txt")
        return super().pre_login(request, user, **kwargs)

    def send_mail(self, template_prefix, email, context):
        name = MAIL_TEMPLATES.get(template_prefix)
        if name is None:
            return super().send_mail(template_prefix, email, context)
        user = context.get("user")
        language = getattr(user, "language", "") or translation.get_language()
        ctx = {
            "name": user.get_short_name() if user else "",
            "email": email,
            "reset_url": context.get("password_reset_url", ""),
        }
        send_templated(name, email, ctx, language=language)
        return None
