from django.contrib import admin

from annotator.idempotency.models import IdempotencyKey


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    """Read-only: a key is written with what it created and only ever removed by expiry."""

    list_display = ["key", "user", "scope", "result_id", "created_at"]
    list_filter = ["scope"]
    search_fields = ["key", "user__username"]
    list_select_related = ["user"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
