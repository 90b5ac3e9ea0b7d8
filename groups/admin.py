from django.contrib import admin

from .models import Group, GroupCharger, Membership, Tariff


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


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "currency", "price_per_kwh", "connection_fee"]
    raw_id_fields = ["owner"]
