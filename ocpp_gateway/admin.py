from django.contrib import admin

from wccportal.admin_utils import EstimatedCountPaginator

from .models import HeartbeatLog, OcppFrame


@admin.register(OcppFrame)
class OcppFrameAdmin(admin.ModelAdmin):
    list_display = ["created_at", "charge_point_id", "direction", "message_type", "action", "message_id"]
    list_filter = ["direction", "message_type"]
    search_fields = ["=charge_point_id", "=action", "=message_id"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    readonly_fields = [f.name for f in OcppFrame._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(HeartbeatLog)
class HeartbeatLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "charge_point_id", "message_id"]
    search_fields = ["=charge_point_id"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    readonly_fields = [f.name for f in OcppFrame._meta.fields]

    def has_add_permission(self, request):
        return False
