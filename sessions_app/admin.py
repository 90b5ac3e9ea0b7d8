from django.contrib import admin

from wccportal.admin_utils import EstimatedCountPaginator

from .models import ChargingSession, MeterValue, SessionEvent, SessionExport, StartRequest, UnmatchedStop


class SessionEventInline(admin.TabularInline):
    model = SessionEvent
    extra = 0
    readonly_fields = ["kind", "at", "detail"]


@admin.register(ChargingSession)
class ChargingSessionAdmin(admin.ModelAdmin):
    list_display = ["id", "charge_point", "connector_id", "id_tag", "user", "status", "started_at",
                    "stopped_at", "total_cost", "currency"]
    list_filter = ["status", "source"]
    search_fields = ["=id", "id_tag", "charge_point__charge_point_id", "user__email"]
    raw_id_fields = ["charge_point", "tag", "user"]
    list_select_related = ["charge_point", "user"]
    inlines = [SessionEventInline]
    show_full_result_count = False


@admin.register(MeterValue)
class MeterValueAdmin(admin.ModelAdmin):
    list_display = ["timestamp", "charge_point", "connector_id", "session", "measurand", "phase", "value", "unit"]
    raw_id_fields = ["charge_point", "session"]
    list_select_related = ["charge_point"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False


@admin.register(UnmatchedStop)
class UnmatchedStopAdmin(admin.ModelAdmin):
    list_display = ["received_at", "charge_point", "transaction_id", "meter_stop", "reason", "resolved"]
    raw_id_fields = ["charge_point"]


@admin.register(StartRequest)
class StartRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "charge_point", "connector_id", "user", "id_tag", "source", "session"]
    raw_id_fields = ["charge_point", "user", "operation", "session"]
    list_select_related = ["charge_point", "user"]
    show_full_result_count = False


@admin.register(SessionExport)
class SessionExportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "format", "scope", "status", "rows_done", "rows_total", "expires_at"]
    list_filter = ["status", "format", "scope"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]
