"""Idempotency keys: recorded with the create they belong to, looked up when a request comes again.

A create that carries a key inserts the key row with what it creates, atomically (`insert_with_key`, or
`idempotency_record` inside the create's transaction). A second request with the same key then fails that
INSERT on the unique (user, key) constraint — after waiting for the first one's transaction to commit or
roll back — and `idempotency_earlier` finds what the first one made. A request without a key costs
nothing here.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery
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


def insert_with_key(obj: Model, *, request: IdempotentRequest | None) -> None:
    """INSERT the unsaved `obj` (no primary key yet; as `obj.save(force_insert=True)` does) and, with a
    `request`, the key that names it, both or neither: IntegrityError when the key is taken.

    On PostgreSQL the two INSERTs are one statement (a data-modifying WITH), so a save that commits by
    itself stays one round trip with a key; elsewhere they share a transaction. Inside a transaction a
    taken key aborts it: a caller that must go on after the IntegrityError opens a savepoint first.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if request is None:
        obj.save(force_insert=True)
        return
    if connection.vendor != "postgresql":
        with transaction.atomic():
            obj.save(force_insert=True)
            idempotency_record(request=request, result_id=obj.pk)
        return
    model, meta = type(obj), type(obj)._meta
    pre_save.send(sender=model, instance=obj, raw=False, using=connection.alias, update_fields=None)
    # The INSERT Django would send for obj.save(force_insert=True), with the same RETURNING columns.
    query = InsertQuery(model)
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]
    query.insert_values(fields, [obj])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = meta.db_returning_fields
    [(insert_sql, insert_params)] = compiler.as_sql()
    quote = connection.ops.quote_name
    # Only Django's own INSERT and quoted table and column names go into the text; values are parameters.
    sql = (
        f"WITH created AS ({insert_sql}), keyed AS ("  # noqa: S608
        f"INSERT INTO {quote(IdempotencyKey._meta.db_table)}"
        " (user_id, key, scope, result_id, fingerprint, created_at)"
        f" SELECT %s, %s, %s, created.{quote(meta.pk.column)}, %s, %s FROM created RETURNING id"
        ") SELECT created.*, (SELECT id FROM keyed) FROM created"
    )
    key_params = (request.user_id, request.key, request.scope, request.fingerprint, timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, (*insert_params, *key_params))
        *returned, key_id = cursor.fetchone()
    for field, value in zip(meta.db_returning_fields, returned, strict=True):
        for converter in field.get_db_converters(connection):
            value = converter(value, field, connection)
        setattr(obj, field.attname, value)
    obj._state.adding, obj._state.db = False, connection.alias
    post_save.send(
        sender=model, instance=obj, created=True, update_fields=None, raw=False, using=connection.alias
    )
    if key_id % EXPIRE_EVERY == 0:
        transaction.on_commit(idempotency_keys_expire)


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
