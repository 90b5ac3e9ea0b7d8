"""Forms of Maintenance > Inventory (CP-9)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class RevealPasswordsForm(forms.Form):
    """Re-enter one's own account password to see a charger's OCPP and master passwords. The
    check itself (and its throttle and audit) is ``inventory.charger_reveal_passwords``."""

    password = forms.CharField(
        label=_("Your account password"), strip=False, max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "class": "form-control"}),
    )

    def add_domain_error(self, exc) -> None:
        self.add_error("password", exc.message)
