"""Reads of personal API tokens: one's own list, and the token a request's secret names."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from annotator.accounts.models import ApiToken
from annotator.accounts.token_secrets import SECRET_MAX_LENGTH, secret_digest


def tokens_of(*, user: AbstractBaseUser) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first; each carries `user` already (no query per row for status)."""
    return user.api_tokens.order_by("-created_at", "-id")


def own_token(*, user: AbstractBaseUser, token_id: object) -> ApiToken | None:
    """One of the user's tokens by id; None for anyone else's or a malformed id (the caller answers 404)."""
    if isinstance(token_id, str) and token_id.isascii() and token_id.isdigit() and len(token_id) <= 18:
        token_id = int(token_id)
    if not isinstance(token_id, int) or isinstance(token_id, bool):
        return None
    return tokens_of(user=user).filter(pk=token_id).first()


def token_for_secret(secret: str) -> ApiToken | None:
    """The token a presented secret belongs to, with its user: one indexed lookup by digest."""
    if not secret or len(secret) > SECRET_MAX_LENGTH:
        return None
    return ApiToken.objects.select_related("user").filter(digest=secret_digest(secret)).first()
