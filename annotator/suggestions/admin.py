"""Suggestions in the admin: to look at, not to write (the detector writes them; `manage.py suggest`)."""

from django.contrib import admin
from django.http import HttpRequest

from annotator.suggestions.models import Suggestion, SuggestionDismissal


class SuggestionDismissalInline(admin.TabularInline):
    model = SuggestionDismissal
    extra = 0
    fields = ["assignment", "dismissed_at"]
    readonly_fields = fields
    can_delete = True  # undoing a dismissal by hand is harmless: the annotator sees the suggestion again

    def has_add_permission(self, request: HttpRequest, obj: Suggestion | None = None) -> bool:
        return False


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "attribution", "speaker_name", "speaker", "detector_version", "created_at"]
    list_filter = ["attribution", "detector_version", "passage__document__project"]
    search_fields = ["text", "speaker_name", "speaker__name"]
    list_select_related = ["speaker"]
    fields = [
        "passage", "start", "end", "text", "attribution", "speaker_name", "speaker",
        "mention_start", "mention_end", "detector_version", "created_at",
    ]  # fmt: skip
    readonly_fields = fields
    inlines = [SuggestionDismissalInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Suggestion | None = None) -> bool:
        return False
