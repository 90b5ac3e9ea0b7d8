"""ACC-2: allauth's sign-in form of the web pages (portal and driver app), with a captcha.
The mobile app signs in through allauth headless (its own input, no captcha; allauth's
"login_failed" rate limit applies to both)."""

from allauth.account.forms import LoginForm as AllauthLoginForm

from .captcha import captcha_field


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["captcha"] = captcha_field()
        # Under the password, before "Remember me".
        order = ["login", "password", "captcha"]
        self.order_fields(order + [name for name in self.fields if name not in order])

    def clean(self):
        # A wrong or expired captcha ends the attempt before the password is checked: no
        # password guessing without solving the image (and no failed login recorded).
        if "captcha" in self.errors:
            return self.cleaned_data
        return super().clean()
