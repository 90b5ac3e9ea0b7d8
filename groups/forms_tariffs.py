"""Forms of the tariff pages (TAR-1, TAR-2): the tariff, its time-of-use periods formset and
the preview of an example session. Rules live in groups.tariffs; these only read input."""

from datetime import date, time

from django import forms
from django.utils.translation import gettext_lazy

from wccportal.errors import DomainError
from wccportal.lib.money import CURRENCIES

from .tariffs import PREVIEW_MAX_KWH, PREVIEW_MAX_MINUTES

WEEKDAYS = [
    ("0", gettext_lazy("Mon")), ("1", gettext_lazy("Tue")), ("2", gettext_lazy("Wed")),
    ("3", gettext_lazy("Thu")), ("4", gettext_lazy("Fri")), ("5", gettext_lazy("Sat")),
    ("6", gettext_lazy("Sun")),
]


def _money(label, *, required=True, help_text="", places=4, small=False, initial=None):
    attrs = {"step": "0.0001" if places == 4 else "0.01", "min": "0", "inputmode": "decimal"}
    if small:  # rows of the periods formset are laid out by hand, not by crispy
        attrs["class"] = "form-control form-control-sm"
    return forms.DecimalField(label=label, required=required, help_text=help_text, initial=initial,
                              widget=forms.NumberInput(attrs=attrs))


class TariffForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100,
                           widget=forms.TextInput(attrs={"placeholder": gettext_lazy("e.g. Residence")}))
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), choices=[(c, c) for c in CURRENCIES],
                                 initial="EUR")
    price_per_kwh = _money(gettext_lazy("Price per kWh"))
    connection_fee = _money(gettext_lazy("Connection fee per session"), initial=0)
    time_fee_per_hour = _money(gettext_lazy("Time fee per hour of charging"), initial=0)
    parking_fee_per_hour = _money(gettext_lazy("Parking fee per hour after charging"), initial=0)
    parking_grace_minutes = forms.IntegerField(
        label=gettext_lazy("Parking grace period (minutes)"), min_value=0, initial=0,
        help_text=gettext_lazy("Parking is free for this long after charging ends."),
    )
    min_price = _money(gettext_lazy("Minimum per session"), required=False, places=2)
    max_price = _money(gettext_lazy("Maximum per session"), required=False, places=2)


def tariff_initial(tariff) -> dict:
    return {f: getattr(tariff, f) for f in TariffForm.base_fields}


class PeriodForm(forms.Form):
    weekdays = forms.MultipleChoiceField(
        label=gettext_lazy("Weekdays"), choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
        initial=[d for d, _label in WEEKDAYS],
    )
    start_time = forms.TimeField(label=gettext_lazy("From"), widget=forms.TimeInput(
        attrs={"type": "time", "class": "form-control form-control-sm"}, format="%H:%M"))
    end_time = forms.TimeField(label=gettext_lazy("Until"), widget=forms.TimeInput(
        attrs={"type": "time", "class": "form-control form-control-sm"}, format="%H:%M"),
        help_text=gettext_lazy("00:00 = midnight"))
    price_per_kwh = _money(gettext_lazy("Price per kWh"), small=True)
    time_fee_per_hour = _money(gettext_lazy("Time fee per hour"), required=False, small=True,
                               help_text=gettext_lazy("Empty: the tariff's own time fee."))

    def period(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in ("weekdays", "start_time", "end_time", "price_per_kwh",
                                                      "time_fee_per_hour")}


PeriodFormSet = forms.formset_factory(PeriodForm, extra=0, can_delete=True, max_num=50, validate_max=True)


def period_initial(tariff) -> list[dict]:
    return [
        {"weekdays": list(p.weekdays), "start_time": p.start_time, "end_time": p.end_time,
         "price_per_kwh": p.price_per_kwh, "time_fee_per_hour": p.time_fee_per_hour}
        for p in tariff.periods.all()
    ]


def live_period_forms(formset) -> list[PeriodForm]:
    """The rows the user kept: not marked for removal, not left blank."""
    return [f for f in formset.forms
            if f.has_changed() and not (formset.can_delete and formset._should_delete_form(f))]


def add_domain_error(form: TariffForm, period_forms: list[PeriodForm], exc: DomainError) -> None:
    """Put a service's field errors where they belong: "periods.<i>.<field>" on row i."""
    if not exc.fields:
        form.add_error(None, exc.message)
        return
    for key, messages in exc.fields.items():
        target, field = form, key
        if key.startswith("periods."):
            _prefix, index, field = key.split(".", 2)
            target = period_forms[int(index)]
        for message in messages:
            target.add_error(field if field in target.fields else None, message)


class PreviewForm(forms.Form):
    """An example session to price (TAR-2 preview)."""

    energy_kwh = forms.DecimalField(
        label=gettext_lazy("Energy (kWh)"), min_value=0, max_value=PREVIEW_MAX_KWH, decimal_places=3,
        initial="35.13", widget=forms.NumberInput(attrs={"step": "0.001", "inputmode": "decimal"}),
    )
    start_date = forms.DateField(label=gettext_lazy("Start date"),
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(label=gettext_lazy("Start time"), initial=time(18, 0),
                                 widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    charging_minutes = forms.IntegerField(label=gettext_lazy("Charging (minutes)"), min_value=0,
                                          max_value=PREVIEW_MAX_MINUTES, initial=120)
    parked_minutes = forms.IntegerField(label=gettext_lazy("Parked after charging (minutes)"), min_value=0,
                                        max_value=PREVIEW_MAX_MINUTES, initial=0)

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if today is not None:
            self.fields["start_date"].initial = today
