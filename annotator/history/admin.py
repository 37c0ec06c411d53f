from django.contrib import admin

from annotator.history.models import Change


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the write services (so that each change is recorded): the admin shows them."""

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "project", "entity", "entity_id", "version", "action", "actor"]
    list_filter = ["entity", "action", "project"]
    search_fields = ["=entity_id", "actor__username"]
    list_select_related = ["project", "actor"]
