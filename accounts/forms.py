"""Forms of the account pages (ACC-1, ACC-5, ACC-6, ACC-8). They only validate input; the
services in accounts.services do the work."""

from allauth.account.forms import ChangePasswordForm
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(label=_("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    accept_terms = forms.BooleanField(
        label=_("I accept the terms of use and the privacy policy."),
        error_messages={"required": _("Accept the terms of use and the privacy policy to create an account.")},
    )


class PasswordChangeForm(ChangePasswordForm):
    """allauth's change form (current password, new password twice) that also refuses to keep
    the e-mailed initial password."""

    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("oldpassword"), cleaned.get("password1")
        if old and new and old == new:
            self.add_error("password1", _("Choose a password different from the current one."))
        return cleaned


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "mobile", "employee_number", "language"]
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "mobile": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        self.fields["employee_number"].help_text = _("Optional; shown on your company's reports.")


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Current password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
