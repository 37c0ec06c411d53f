from django.contrib import admin

from annotator.agreement.models import AgreementRun


@admin.register(AgreementRun)
class AgreementRunAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status", "project"]
    search_fields = ["input_digest", "error"]
    readonly_fields = ["results", "input_digest", "started_at", "heartbeat_at", "finished_at"]
