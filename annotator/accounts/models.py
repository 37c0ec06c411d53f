"""Personal API tokens: named, owned, stored as a digest, optionally expiring, revocable."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.utils import timezone

from annotator.accounts.token_secrets import password_fingerprint


class TokenStatus(models.TextChoices):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class ApiToken(models.Model):
    """One secret a user (or a script of theirs) sends as ``Authorization: Token <secret>``.

    The secret itself is never stored (see token_secrets.py). A token stops working when it expires, when it
    is revoked, or when its owner's stored password hash no longer matches `password_fingerprint`.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The secret's first characters, to recognise it by.")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the secret (hex).")
    password_fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_created")]
        constraints = [
            # A constraint rather than unique=True: PostgreSQL then builds no second (LIKE) index on it.
            models.UniqueConstraint(fields=["digest"], name="apitoken_digest_unique"),
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=models.F("created_at")),
                name="apitoken_expires_after_created",
            ),
        ]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def status(self, *, now: datetime | None = None) -> str:
        """active, expired or revoked (by hand, or because the owner's password changed since).

        Reads ``self.user``: fetch tokens with their user (the owner's related manager or select_related).
        """
        if self.revoked_at is not None or not self.matches_password_of(self.user):
            return TokenStatus.REVOKED
        if self.expires_at is not None and self.expires_at <= (now or timezone.now()):
            return TokenStatus.EXPIRED
        return TokenStatus.ACTIVE

    def matches_password_of(self, user: AbstractBaseUser) -> bool:
        return password_fingerprint(user.password or "") == self.password_fingerprint
