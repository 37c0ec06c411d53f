from django.contrib import admin

from annotator.exports.models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "format", "status", "progress", "rows", "created_at"]
    list_filter = ["status", "format", "project"]
    search_fields = ["error"]
