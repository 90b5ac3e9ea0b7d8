from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from wccportal.errors import DomainError

from .models import Group, GroupCharger, Membership, Tariff, TariffPeriod
from .tariffs import tariff_periods_clean


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ["user"]
    extra = 0


class GroupChargerInline(admin.TabularInline):
    model = GroupCharger
    raw_id_fields = ["charge_point"]
    extra = 0


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "city", "tariff", "bookings_enabled"]
    search_fields = ["name", "owner__email"]
    raw_id_fields = ["owner", "tariff"]
    inlines = [MembershipInline, GroupChargerInline]


class TariffPeriodFormSet(BaseInlineFormSet):
    """The periods' rules (weekdays, times, no overlap) as on the app's pages: groups.tariffs."""

    def clean(self):
        super().clean()
        periods = [f.cleaned_data for f in self.forms
                   if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        try:
            tariff_periods_clean(periods)
        except DomainError as exc:
            raise ValidationError([m for messages in exc.fields.values() for m in messages] or exc.message) from None


class TariffPeriodInline(admin.TabularInline):
    model = TariffPeriod
    formset = TariffPeriodFormSet
    extra = 0


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "currency", "price_per_kwh", "connection_fee"]
    raw_id_fields = ["owner"]
    inlines = [TariffPeriodInline]
