"""Idempotency keys: recorded with the create they belong to, looked up when a request comes again.

A create that carries a key inserts the key row with what it creates, atomically (in the same statement,
see `key_insert_sql`, or with `idempotency_record` inside the create's transaction). A second request
with the same key then fails that INSERT on the unique (user, key) constraint — after waiting for the
first one's transaction to commit or roll back — and `idempotency_earlier` finds what the first one
made. A request without a key costs nothing here.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from annotator.idempotency.models import IdempotencyKey

# Every this many keys (by id), the write that records one also deletes the expired ones, after it
# commits: expiry needs no scheduler (the embedded demo runs none) and costs nothing on the other saves.
EXPIRE_EVERY = 500


class KeyReused(Exception):
    """The key was sent before with another request; the first result stands, this one is refused."""


@dataclass(frozen=True)
class IdempotentRequest:
    """A create request that carries a key: who sent it, the key, what it creates and its fingerprint."""

    user_id: int
    key: str
    scope: str
    fingerprint: str


def request_fingerprint(*, scope: str, data: dict[str, Any]) -> str:
    """SHA-256 of what a request asks for, the same whatever the order of its fields."""
    canonical = json.dumps([scope, data], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def key_insert_sql(*, source: str, result_id: str) -> str:
    """An INSERT of the key for the object a common table expression `source` of the caller's statement
    created (`result_id`: its id column), returning the key row's id: the key and what it names are then
    one statement. Parameters: key_params(request); pass the returned id to key_inserted."""
    return (
        f'INSERT INTO "{IdempotencyKey._meta.db_table}" (user_id, key, scope, result_id, fingerprint,'  # noqa: S608
        f" created_at) SELECT %s, %s, %s, {source}.{result_id}, %s, %s FROM {source} RETURNING id"
    )


def key_params(request: IdempotentRequest) -> tuple[Any, ...]:
    return (request.user_id, request.key, request.scope, request.fingerprint, timezone.now())


def key_inserted(key_id: int) -> None:
    """After a key row was written: every EXPIRE_EVERY keys, the expired ones go once the write commits."""
    if key_id % EXPIRE_EVERY == 0:
        transaction.on_commit(idempotency_keys_expire)


def idempotency_record(*, request: IdempotentRequest | None, result_id: int) -> None:
    """Remember that `request` created `result_id`. Call it inside the transaction that created it: a
    concurrent or later request with the same key then raises IntegrityError here. No request, no query."""
    if request is None:
        return
    row = IdempotencyKey.objects.create(
        user_id=request.user_id,
        key=request.key,
        scope=request.scope,
        result_id=result_id,
        fingerprint=request.fingerprint,
    )
    if row.pk % EXPIRE_EVERY == 0:
        transaction.on_commit(idempotency_keys_expire)


def idempotency_earlier(*, request: IdempotentRequest) -> int | None:
    """The id of what this key created before, or None if the key is new to this user.

    Raises KeyReused when the key was used for a different request (other fields, or another kind of
    object). A key is kept at least IDEMPOTENCY_KEY_HOURS; an expired one still answers until it is deleted.
    """
    earlier = (
        IdempotencyKey.objects.filter(user_id=request.user_id, key=request.key)
        .values_list("scope", "fingerprint", "result_id")
        .first()
    )
    if earlier is None:
        return None
    scope, fingerprint, result_id = earlier
    if scope != request.scope or fingerprint != request.fingerprint:
        raise KeyReused(
            "This Idempotency-Key was already used for a different request; "
            "send a new key with every new request and the same key only when repeating one."
        )
    return result_id


def idempotency_keys_expire(*, now: datetime | None = None) -> int:
    """Delete the keys older than IDEMPOTENCY_KEY_HOURS; returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
