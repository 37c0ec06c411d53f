"""Idempotency keys: what a client's create request made, so that sending it again makes nothing new."""

from django.conf import settings
from django.db import models
from django.db.models import UniqueConstraint


class IdempotencyKey(models.Model):
    """One create request a user sent with an `Idempotency-Key` header, written in the same transaction as
    what it created, so the row exists exactly when the created object does (or did)."""

    # No index of its own: the unique (user, key) index serves lookups by user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=200)
    # What the key created ("claim", ...) and that object's id: a plain id rather than a foreign key, so
    # that deleting the object later leaves the key in place and a late retry cannot create it again.
    scope = models.CharField(max_length=40)
    result_id = models.BigIntegerField()
    # SHA-256 of the request as validated: the same key with another request is refused, not replayed.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [UniqueConstraint(fields=["user", "key"], name="idempotency_key_one_per_user")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_key_created_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} → {self.scope} {self.result_id}"
