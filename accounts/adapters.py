from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Sends allauth's e-mails through the platform's templated, translated e-mails."""

    def get_login_redirect_url(self, request):
        user = request.user
        if getattr(user, "must_change_password", False):
            return "/accounts/password/change/"
        return super().get_login_redirect_url(request)
