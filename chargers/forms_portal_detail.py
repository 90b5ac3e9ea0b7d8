"""Forms of the portal's charge point page (CP-7). They parse what the browser sends; the rules
live in ``chargers.charger_details``, whose field errors ``add_domain_errors`` puts back on
the form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import charger_details as details
from .models import ChargerPicture


def _bootstrap(form: forms.Form) -> None:
    """Bootstrap classes on the widgets; "is-invalid" on those of fields with errors."""
    errors = form._errors or {}  # not form.errors: that would validate an unvalidated form
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        classes = [c for c in widget.attrs.get("class", "").split() if c != "is-invalid"]
        classes += [css] if css not in classes else []
        classes += ["is-invalid"] if name in errors else []
        widget.attrs["class"] = " ".join(classes)


class BootstrapForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def full_clean(self):
        super().full_clean()
        _bootstrap(self)

    def add_domain_errors(self, exc) -> None:
        """A DomainError's field errors on their fields (the rest on the form)."""
        if not exc.fields:
            self.add_error(None, exc.message)
        for name, errors in exc.fields.items():
            for error in errors:
                self.add_error(name if name in self.fields else None, error)
        _bootstrap(self)


class SiteForm(BootstrapForm):
    description = forms.CharField(
        label=_("Description"), required=False, max_length=details.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example where the charge point hangs and how to reach it."),
    )
    street = forms.CharField(label=_("Street"), required=False, max_length=details.SITE_LIMITS["street"])
    house_number = forms.CharField(label=_("House number"), required=False,
                                   max_length=details.SITE_LIMITS["house_number"])
    zip_code = forms.CharField(label=_("Zip code"), required=False, max_length=details.SITE_LIMITS["zip_code"])
    city = forms.CharField(label=_("City"), required=False, max_length=details.SITE_LIMITS["city"])
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Choose a country"))] + sorted(
            ((code, f"{name} ({code})") for code, name in details.country_choices()), key=lambda c: c[1].casefold()
        )

    def site(self) -> details.Site:
        return details.Site(**{name: self.cleaned_data.get(name) or "" for name in self.fields})

    @classmethod
    def for_charger(cls, cp, data=None):
        initial = {name: getattr(cp, name) for name in cls.base_fields}
        return cls(data, initial=initial)


class LogbookSwitchForm(forms.Form):
    enabled = forms.BooleanField(required=False)


class TimeZoneForm(BootstrapForm):
    time_zone = forms.ChoiceField(label=_("Time zone"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name.replace("_", " ")) for name in details.time_zone_names()]
        self.fields["time_zone"].error_messages["invalid_choice"] = _("Choose a time zone from the list.")


class ConfigurationChangeForm(BootstrapForm):
    key = forms.CharField(label=_("Key"), max_length=details.KEY_MAX)
    value = forms.CharField(label=_("Value"), max_length=details.VALUE_MAX, required=False, strip=False)


class PictureForm(BootstrapForm):
    slot = forms.TypedChoiceField(label=_("Place"), coerce=int, choices=ChargerPicture.Slot.choices)
    image = forms.FileField(
        label=_("Picture"),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, up to 5 MB."),
    )


class FirmwareInstallForm(forms.Form):
    release = forms.IntegerField(required=False, min_value=1)
