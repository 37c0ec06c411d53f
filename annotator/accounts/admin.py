from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from annotator.accounts.models import ApiToken
from annotator.accounts.services import api_token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every user's tokens; an admin may revoke them. New tokens are made by their owner (the API tokens
    page, the API) or `manage.py create_api_token`, since the secret is shown only to whoever makes it."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "status"]
    list_select_related = ["user"]
    list_filter = ["created_at", "revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = [
        "user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at", "status",
    ]  # fmt: skip
    exclude = ["digest", "password_fingerprint"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="status")
    def status(self, token: ApiToken) -> str:
        return token.status()

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            api_token_revoke(token=token)
        self.message_user(request, f"Revoked {len(tokens)} token(s).", messages.SUCCESS)
