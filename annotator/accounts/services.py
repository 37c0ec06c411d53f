"""Writes on personal API tokens: create (the secret is returned once, never stored), revoke, note a use."""

import unicodedata
from datetime import datetime, timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from annotator.accounts.models import ApiToken
from annotator.accounts.token_secrets import new_secret, password_fingerprint, secret_digest, secret_prefix

NAME_MAX_LENGTH = 100
EXPIRY_MAX_DAYS = 3650
# A user needs a handful; the cap keeps a runaway script from filling the table.
ACTIVE_TOKENS_MAX = 50
# The request path writes `last_used_at` at most this often per token, so a busy script costs no UPDATEs.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def clean_token_name(name: object) -> str:
    """The name as stored, or a ValidationError on `name` that says what is wrong with it."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationError({"name": ["Give the token a name, e.g. the script or machine that uses it."]})
    name = name.strip()
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": [f"At most {NAME_MAX_LENGTH} characters."]})
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in name):
        raise ValidationError({"name": ["Control characters and lone surrogates are not allowed in a name."]})
    return name


def clean_expiry_days(expires_in_days: object) -> int | None:
    if expires_in_days in (None, ""):
        return None
    if isinstance(expires_in_days, bool) or not isinstance(expires_in_days, int):
        raise ValidationError({"expires_in_days": ["A whole number of days, or nothing for no expiry."]})
    if not 1 <= expires_in_days <= EXPIRY_MAX_DAYS:
        raise ValidationError({"expires_in_days": [f"Between 1 and {EXPIRY_MAX_DAYS} days."]})
    return expires_in_days


def api_token_create(
    *, user: AbstractBaseUser, name: object, expires_in_days: object = None, now: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token of `user` and its secret: the only time the secret exists outside the caller's hands."""
    name = clean_token_name(name)
    days = clean_expiry_days(expires_in_days)
    now = now or timezone.now()
    with transaction.atomic():
        active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )
        if active.count() >= ACTIVE_TOKENS_MAX:
            raise ValidationError(
                {"name": [f"You have {ACTIVE_TOKENS_MAX} active tokens; revoke one you no longer use first."]}
            )
        secret = new_secret()
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret_prefix(secret),
            digest=secret_digest(secret),
            password_fingerprint=password_fingerprint(user.password or ""),
            created_at=now,
            expires_at=now + timedelta(days=days) if days else None,
        )
    return token, secret


def api_token_revoke(*, token: ApiToken, now: datetime | None = None) -> ApiToken:
    """Revoke `token` (idempotent: a revoked token keeps the time it was first revoked)."""
    now = now or timezone.now()
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    token.revoked_at = ApiToken.objects.values_list("revoked_at", flat=True).get(pk=token.pk)
    return token


def api_token_note_use(*, token: ApiToken, now: datetime | None = None) -> None:
    """Record that `token` was just used, unless that was recorded less than a minute ago (no query then)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    # Conditional, so that concurrent requests with the same token write once per minute between them.
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def api_tokens_follow_rehash(*, user: AbstractBaseUser, previous_hash: str) -> int:
    """Bind the user's tokens that held for `previous_hash` to their current hash of the same password.

    Only for a rehash of a password just verified (see backends.py); tokens bound to any older password
    stay revoked. Returns how many tokens moved.
    """
    return ApiToken.objects.filter(
        user=user, password_fingerprint=password_fingerprint(previous_hash)
    ).update(password_fingerprint=password_fingerprint(user.password or ""))
