from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from wccportal.errors import DomainError

from . import services
from .models import ChargePoint, ChargerOperation, ChargerShare, Connector, Favourite, IdTag


class ConnectorInline(admin.TabularInline):
    model = Connector
    extra = 0
    fields = ["connector_id", "status", "error_code", "info", "status_changed_at", "evse_id"]
    readonly_fields = ["status", "error_code", "info", "status_changed_at"]


class ChargePointAddForm(forms.ModelForm):
    password = forms.CharField(
        label=_("OCPP password"), required=False, strip=False,
        help_text=_("Leave empty to generate one. It is shown once after saving."),
    )
    connectors = forms.IntegerField(label=_("Connectors"), min_value=1, max_value=16, initial=1)

    class Meta:
        model = ChargePoint
        fields = ["charge_point_id", "name", "vendor", "model", "owner", "organisation"]


@admin.register(ChargePoint)
class ChargePointAdmin(admin.ModelAdmin):
    list_display = ["charge_point_id", "name", "model", "owner", "registration_status", "is_online",
                    "firmware_version", "last_seen_at"]
    list_filter = ["registration_status", "is_online", "model", "is_active"]
    search_fields = ["charge_point_id", "name", "serial_number", "owner__email"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner", "organisation"]
    inlines = [ConnectorInline]
    actions = ["approve", "reject", "regenerate_password"]
    readonly_fields = ["is_online", "connection_id", "connected_at", "disconnected_at", "last_seen_at",
                       "last_heartbeat_at", "last_boot_at", "diagnostics_status", "firmware_status",
                       "local_list_version", "created_at", "updated_at"]
    exclude = ["password_hash", "password_encrypted"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ChargePointAddForm
            kwargs["fields"] = None
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["charge_point_id", "name", "vendor", "model", "owner", "organisation",
                                       "password", "connectors"]})]
        return super().get_fieldsets(request, obj)

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        try:
            cp, password = services.charger_create(
                charge_point_id=form.cleaned_data["charge_point_id"], password=form.cleaned_data["password"] or None,
                model=form.cleaned_data.get("model", ""), vendor=form.cleaned_data.get("vendor", ""),
                owner=form.cleaned_data.get("owner"), name=form.cleaned_data.get("name", ""),
                connectors=form.cleaned_data["connectors"], acting_user=request.user,
            )
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        obj.pk = cp.pk
        obj.__dict__.update(ChargePoint.objects.get(pk=cp.pk).__dict__)
        messages.warning(request, _("OCPP password of %(id)s (shown once): %(pw)s") % {"id": cp.charge_point_id, "pw": password})

    @admin.action(description=_("Approve (accept at next boot)"))
    def approve(self, request, queryset):
        queryset.update(registration_status=ChargePoint.Registration.ACCEPTED)

    @admin.action(description=_("Reject"))
    def reject(self, request, queryset):
        queryset.update(registration_status=ChargePoint.Registration.REJECTED)

    @admin.action(description=_("Generate a new OCPP password"))
    def regenerate_password(self, request, queryset):
        for cp in queryset:
            password = services.charger_set_password(charge_point=cp)
            messages.warning(request, _("New OCPP password of %(id)s (shown once): %(pw)s") % {"id": cp.charge_point_id, "pw": password})


@admin.register(IdTag)
class IdTagAdmin(admin.ModelAdmin):
    list_display = ["id_tag", "alias", "user", "kind", "tag_type", "is_active", "expires_at"]
    list_filter = ["kind", "tag_type", "is_active"]
    search_fields = ["id_tag", "alias", "user__email"]
    raw_id_fields = ["user"]
    filter_horizontal = ["valid_charge_points"]
    list_select_related = ["user"]


@admin.register(ChargerShare)
class ChargerShareAdmin(admin.ModelAdmin):
    list_display = ["charge_point", "email", "expires_at", "revoked_at"]
    raw_id_fields = ["charge_point", "shared_by", "recipient", "id_tag"]
    exclude = ["access_code_hash"]


@admin.register(ChargerOperation)
class ChargerOperationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "charge_point", "action", "status", "requested_by", "latency_ms"]
    list_filter = ["status", "action"]
    search_fields = ["charge_point__charge_point_id"]
    raw_id_fields = ["charge_point", "requested_by"]
    list_select_related = ["charge_point", "requested_by"]
    show_full_result_count = False


admin.site.register(Favourite, raw_id_fields=["user", "charge_point"])
