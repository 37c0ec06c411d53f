from django.contrib import admin

from annotator.history.admin import ReadOnlyAdmin
from annotator.labeling.models import Assignment, Claim


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["passage", "annotator", "status", "version", "updated_at"]
    list_filter = ["status", "passage__document__project"]
    search_fields = ["annotator__username", "passage__document__title"]
    list_select_related = ["passage", "annotator"]
    raw_id_fields = ["passage", "annotator"]


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    """Read-only: claims change through the editor and the API, whose services record every change."""

    list_display = ["__str__", "attribution", "perspective", "stance", "speaker", "version", "updated_at"]
    list_filter = ["attribution", "perspective", "stance", "assignment__passage__document__project"]
    search_fields = ["text", "speaker__name", "assignment__annotator__username"]
    list_select_related = ["speaker"]
    raw_id_fields = ["assignment", "speaker"]
