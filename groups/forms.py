"""Forms of the group pages (GRP-1 … GRP-6). Validation of the rules is the services' job;
these only read the input."""

from django import forms
from django.utils.translation import gettext_lazy as _

from wccportal.errors import DomainError

from .models import Group, Tariff


class GroupForm(forms.ModelForm):
    """Name and address of a group, and its tariff: one of the owner's own (GRP-1, GRP-6)."""

    class Meta:
        model = Group
        fields = ["name", "city", "zip_code", "address", "tariff"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "zip_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
        }

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        for field in ("city", "zip_code", "address"):
            self.fields[field].required = True
        tariff = self.fields["tariff"]
        tariff.queryset = Tariff.objects.filter(owner=owner).order_by("name")
        tariff.required = False
        tariff.empty_label = _("No tariff: charging is free")
        tariff.label_from_instance = lambda t: f"{t.name} ({t.currency})"

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {f: data[f] for f in ("name", "city", "zip_code", "address", "tariff")}


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": "name@example.com"}),
    )


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """A service's refusal as form errors: on its fields when it names them."""
    placed = False
    for field, errors in (exc.fields or {}).items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, error)
            placed = True
    if not placed:
        form.add_error(None, exc.message)
