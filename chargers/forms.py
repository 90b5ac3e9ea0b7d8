"""Forms of the "My chargers" pages (CP-1, CP-4). Business rules stay in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chargers.models import ChargePoint


class ClaimForm(forms.Form):
    charge_point_id = forms.CharField(
        label=_("Charge point ID"), max_length=64, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    claim_code = forms.CharField(
        label=_("Claim code"), max_length=32, required=False,
        help_text=_("Printed with the QR code in the charger's manual."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    qr = forms.CharField(
        label=_("Paste the text of the QR code"), required=False, max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "https://…/app/chargers/claim/?cp=…&code=…"}),
    )
    name = forms.CharField(
        label=_("Name (optional)"), max_length=ChargePoint._meta.get_field("name").max_length,
        required=False,
    )
    group = forms.ModelChoiceField(
        label=_("Put it in one of my groups (optional)"), queryset=None, required=False,
        empty_label=_("No group"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from groups.models import Group

        self.fields["group"].queryset = Group.objects.filter(owner=user).order_by("name")
        if not self.fields["group"].queryset.exists():
            # Nothing to choose; a posted group still fails validation instead of being ignored.
            self.fields["group"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        if not data.get("qr") and not (data.get("charge_point_id") and data.get("claim_code")):
            raise forms.ValidationError(
                _("Enter the charge point ID and the claim code, or scan the QR code.")
            )
        return data


class SettingsForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=ChargePoint._meta.get_field("name").max_length, required=False,
    )
    free_charging = forms.BooleanField(
        label=_("Free charging"), required=False,
        help_text=_("Anyone may charge here without an authorization tag."),
    )
    led_brightness = forms.IntegerField(
        label=_("LED brightness (%)"), min_value=0, max_value=100, required=False,
        help_text=_("0 switches the LEDs off. Empty: leave the charger's own setting."),
    )
