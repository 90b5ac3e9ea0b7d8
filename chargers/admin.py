import csv
import io
from urllib.parse import quote

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wccportal.errors import DomainError

from . import firmware, services
from .models import (
    ChargePoint,
    ChargerOperation,
    ChargerPicture,
    ChargerShare,
    ConfigurationKey,
    Connector,
    CredentialReveal,
    DiagnosticsFile,
    Favourite,
    FirmwareRelease,
    IdTag,
    SecurityEvent,
)


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


class CsvImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    dry_run = forms.BooleanField(label=_("Only check the file, create nothing"), required=False)


class CsvImportMixin:
    """An "Import from CSV" page linked from the changelist: all lines or none, every bad line
    listed. Generated passwords are rendered into this one response and nowhere else."""

    import_service = None  # a services.*_import_csv function
    import_columns: list[tuple[str, str]] = []  # (column, help)
    import_example = ""

    def get_urls(self):
        opts = self.model._meta
        view = self.admin_site.admin_view(self.import_view)
        return [
            path("import/", view, name=f"{opts.app_label}_{opts.model_name}_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CsvImportForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            try:
                result = self.import_service(
                    file=form.cleaned_data["file"], acting_user=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except services.ImportRejected as exc:
                form.add_error(None, exc.message)
                for error in exc.errors:
                    form.add_error("file", str(error))
            else:
                for obj in result.created:
                    self.log_addition(request, obj, [{"added": {}}])
                form = CsvImportForm()
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": _("Import from CSV: %(name)s") % {"name": opts.verbose_name_plural},
            "form": form,
            "columns": self.import_columns,
            "example": self.import_example,
            "result": result,
        }
        if result is not None:
            context.update(self._import_result_context(result))
        return TemplateResponse(request, "admin/chargers/import_csv.html", context)

    def _import_result_context(self, result):
        opts, count = self.model._meta, len(result.ids)
        if result.dry_run:
            heading = ngettext("The file is valid: %(count)d line would be imported.",
                               "The file is valid: %(count)d lines would be imported.", count)
        else:
            heading = ngettext("%(count)d line imported.", "%(count)d lines imported.", count)
        urls = {
            id_: reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            for id_, obj in zip(result.ids, result.created, strict=False)
        }
        rows = [{"id": id_, "url": urls.get(id_), "password": result.passwords.get(id_)}
                for id_ in result.ids]
        context = {"result_heading": heading % {"count": count}, "result_rows": rows}
        if result.passwords:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow([self.import_columns[0][0], "password"])
            writer.writerows(result.passwords.items())
            # A data: link downloads the file from the page itself: no copy stays on the server.
            context["passwords_href"] = "data:text/csv;charset=utf-8," + quote(buffer.getvalue())
        return context


@admin.register(ChargePoint)
class ChargePointAdmin(CsvImportMixin, admin.ModelAdmin):
    list_display = ["charge_point_id", "name", "model", "owner", "registration_status", "is_online",
                    "firmware_version", "last_seen_at"]
    list_filter = ["registration_status", "is_online", "model", "is_active"]
    search_fields = ["charge_point_id", "name", "serial_number", "owner__email"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner", "organisation"]
    inlines = [ConnectorInline]
    import_service = staticmethod(services.chargers_import_csv)
    import_columns = [
        ("charge_point_id", _("Required. The ID the charger sends: 1 to 48 characters, without "
                              "spaces or any of / : ? # %.")),
        ("password", _("The OCPP password, 8 to 40 characters. Empty: one is generated and "
                       "shown once.")),
        ("model", _("The charger model.")),
        ("vendor", _("The charger vendor.")),
        ("owner_email", _("The e-mail address of an existing user, who will own the charger.")),
        ("name", _("A display name.")),
        ("connectors", _("The number of connectors, 1 to 16. Empty: 1.")),
    ]
    import_example = (
        "charge_point_id,password,model,vendor,owner_email,name,connectors\n"
        "CP-1001,,AC-22,Acme,owner@example.com,Garage,2\n"
        "CP-1002,sT6vQ9xL2mW4pR8k,AC-11,Acme,,,\n"
    )
    actions = ["approve", "reject", "regenerate_password"]
    readonly_fields = ["is_online", "connection_id", "connected_at", "disconnected_at",
                       "last_seen_at", "last_heartbeat_at", "last_boot_at", "diagnostics_status",
                       "firmware_status", "local_list_version", "created_at", "updated_at",
                       "qr_code"]
    exclude = ["password_hash", "password_encrypted", "master_password_encrypted"]

    @admin.display(description=_("QR code"))
    def qr_code(self, obj):
        # The claim QR page belongs to the "my chargers" feature: linked once it exists.
        try:
            url = reverse("app:charger_qr", args=[obj.charge_point_id])
        except NoReverseMatch:
            return "–"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url,
                           _("Show the claim QR code"))

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ChargePointAddForm
            kwargs["fields"] = None
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["charge_point_id", "name", "vendor", "model", "owner",
                                       "organisation", "password", "connectors"]})]
        return super().get_fieldsets(request, obj)

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        try:
            cp, password = services.charger_create(
                charge_point_id=form.cleaned_data["charge_point_id"],
                password=form.cleaned_data["password"] or None,
                model=form.cleaned_data.get("model", ""),
                vendor=form.cleaned_data.get("vendor", ""),
                owner=form.cleaned_data.get("owner"), name=form.cleaned_data.get("name", ""),
                connectors=form.cleaned_data["connectors"], acting_user=request.user,
            )
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        obj.pk = cp.pk
        obj.__dict__.update(ChargePoint.objects.get(pk=cp.pk).__dict__)
        shown = _("OCPP password of %(id)s (shown once): %(pw)s")
        messages.warning(request, shown % {"id": cp.charge_point_id, "pw": password})

    @admin.action(description=_("Approve (accept at next boot)"))
    def approve(self, request, queryset):
        queryset.update(registration_status=ChargePoint.Registration.ACCEPTED)

    @admin.action(description=_("Reject"))
    def reject(self, request, queryset):
        queryset.update(registration_status=ChargePoint.Registration.REJECTED)

    @admin.action(description=_("Generate a new OCPP password"))
    def regenerate_password(self, request, queryset):
        for cp in queryset:
            password = services.charger_set_password(charge_point=cp, acting_user=request.user)
            shown = _("New OCPP password of %(id)s (shown once): %(pw)s")
            messages.warning(request, shown % {"id": cp.charge_point_id, "pw": password})


@admin.register(IdTag)
class IdTagAdmin(CsvImportMixin, admin.ModelAdmin):
    list_display = ["id_tag", "alias", "user", "kind", "tag_type", "is_active", "expires_at"]
    list_filter = ["kind", "tag_type", "is_active"]
    search_fields = ["id_tag", "alias", "user__email"]
    raw_id_fields = ["user"]
    filter_horizontal = ["valid_charge_points"]
    list_select_related = ["user"]
    import_service = staticmethod(services.tags_import_csv)
    import_columns = [
        ("id_tag", _("Required. The tag ID: 1 to 20 printable ASCII characters, unique ignoring "
                     "case.")),
        ("owner_email", _("The e-mail address of an existing user, who will hold the tag.")),
        ("alias", _("A name for the tag.")),
        ("type", _("other, private or company. Empty: other.")),
        ("kind", _("physical (an RFID card) or virtual. Empty: physical.")),
        ("expires_at", _("An ISO 8601 date or date and time; without an offset it is in the "
                         "portal's time zone. Empty: never expires.")),
        ("note", _("A note for staff.")),
    ]
    import_example = (
        "id_tag,owner_email,alias,type,expires_at,note\n"
        "04A2B3C4D5E6F7,owner@example.com,Olivia's card,private,2027-12-31,\n"
        "04FFEE00112233,,Pool card 7,company,,Fleet\n"
    )


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


class FirmwareReleaseForm(forms.ModelForm):
    location = forms.URLField(
        label=_("download URL"), max_length=500, assume_scheme="https",
        help_text=_("Where chargers download the image (sent in UpdateFirmware). Chargers that "
                    "name their version after the file expect it to end in the version, e.g. "
                    "https://firmware.example.com/simbox/1.1.0."),
    )

    class Meta:
        model = FirmwareRelease
        fields = ["vendor", "model", "version", "location", "release_notes", "released_at",
                  "is_active"]
        help_texts = {
            "vendor": _("Empty: chargers of this model from any vendor."),
            "model": _("The model as the chargers report it at boot."),
            "is_active": _("Saving a published release notifies the owners of chargers on an "
                           "older version, once per charger."),
        }

    def clean_version(self):
        version = self.cleaned_data["version"].strip()
        if not firmware.version_key(version):
            raise forms.ValidationError(_("A version contains at least one digit or letter."))
        return version


@admin.register(FirmwareRelease)
class FirmwareReleaseAdmin(admin.ModelAdmin):
    form = FirmwareReleaseForm
    list_display = ["model", "vendor", "version", "released_at", "is_active"]
    list_filter = ["is_active", "model", "vendor"]
    search_fields = ["model", "vendor", "version"]
    date_hierarchy = "released_at"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        firmware.firmware_release_published(release=obj, acting_user=request.user)
        if obj.is_active:
            messages.info(request, _("Owners of chargers on an older version are notified, once per charger."))


admin.site.register(Favourite, raw_id_fields=["user", "charge_point"])


@admin.register(ConfigurationKey)
class ConfigurationKeyAdmin(admin.ModelAdmin):
    """Which OCPP key carries an owner setting per charger model (CP-4): a new model with
    other key names needs a row here, not a code change. Empty vendor/model: any."""

    list_display = ["setting", "vendor", "model", "key", "true_value", "false_value"]
    list_filter = ["setting"]
    search_fields = ["vendor", "model", "key"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the platform (audit, charger reports): staff read them, never edit."""

    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CredentialReveal)
class CredentialRevealAdmin(ReadOnlyAdmin):
    """Who saw which charger secret (CP-9): kept for the audit, so not deletable either."""

    list_display = ["created_at", "charge_point_ident", "user_email", "secret", "ip_address"]
    list_filter = ["secret"]
    search_fields = ["charge_point_ident", "user_email"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "charge_point", "type", "tech_info", "timestamp"]
    search_fields = ["charge_point__charge_point_id", "type"]
    list_select_related = ["charge_point"]


@admin.register(DiagnosticsFile)
class DiagnosticsFileAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "charge_point", "status", "file_name", "size", "uploaded_at"]
    list_filter = ["status"]
    search_fields = ["charge_point__charge_point_id", "file_name"]
    list_select_related = ["charge_point"]
    exclude = ["token_hash"]


admin.site.register(ChargerPicture, raw_id_fields=["charge_point", "uploaded_by"],
                    list_display=["charge_point", "slot", "created_at"])
