from django.contrib import admin

from annotator.exports.models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Jobs are written by the export service; the admin shows them (and may delete old ones)."""

    list_display = ["id", "project", "format", "status", "progress", "rows", "requested_by", "created_at"]
    list_filter = ["status", "format", "project"]
    list_select_related = ["project", "requested_by"]
    search_fields = ["error"]
    readonly_fields = [
        "project", "requested_by", "format", "parameters", "status", "progress", "file", "rows", "error",
        "created_at", "started_at", "heartbeat_at", "finished_at",
    ]  # fmt: skip

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False
