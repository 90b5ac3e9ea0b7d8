from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Consent, LoginEvent, Notification, Organisation, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "user_type", "plan", "is_active", "is_staff"]
    list_filter = ["user_type", "plan", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name", "employee_number"]
    raw_id_fields = ["organisation"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "mobile", "employee_number",
                                          "language", "customer_number"]}),
        (_("Plan and role"), {"fields": ["plan", "user_type", "organisation"]}),
        (_("Status"), {"fields": ["is_active", "must_change_password", "deactivated_at", "is_staff",
                                  "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["user", "document", "version", "accepted", "created_at"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    list_display = ["email", "succeeded", "channel", "ip_address", "created_at"]
    list_filter = ["succeeded", "channel"]
    search_fields = ["email"]
    raw_id_fields = ["user"]
    show_full_result_count = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "title", "read_at", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]
