"""Writing history rows; called by the write services inside the transaction of the change."""

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections
from django.utils import timezone

from annotator.history.models import Change

Actor = AbstractBaseUser | int | None
BATCH_SIZE = 2000


def _actor_id(actor: Actor) -> int | None:
    if actor is None or isinstance(actor, int):
        return actor
    return actor.pk if actor.is_authenticated else None


def record(
    *,
    project_id: int,
    entity: str,
    entity_id: int,
    action: str,
    actor: Actor,
    version: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: Any = None,
    at: datetime | None = None,
) -> Change:
    """Record one change (one INSERT)."""
    return Change.objects.create(
        project_id=project_id,
        entity=entity,
        entity_id=entity_id,
        version=version,
        action=action,
        actor_id=_actor_id(actor),
        at=at or timezone.now(),
        before=before,
        after=after,
        detail=detail,
    )


def record_many(
    *,
    project_id: int,
    entity: str,
    action: str,
    actor: Actor,
    rows: Iterable[tuple[int, int | None, dict[str, Any] | None, dict[str, Any] | None]],
    detail: Any = None,
    at: datetime | None = None,
) -> int:
    """Record one change per (entity id, version, before, after) row, all of one kind and action, in bulk
    (never a statement per row); returns how many."""
    at = at or timezone.now()
    actor_id = _actor_id(actor)
    changes = [
        Change(
            project_id=project_id,
            entity=entity,
            entity_id=entity_id,
            version=version,
            action=action,
            actor_id=actor_id,
            at=at,
            before=before,
            after=after,
            detail=detail,
        )
        for entity_id, version, before, after in rows
    ]
    # Multi-row INSERTs of BATCH_SIZE rows: a merge of thousands of claims is a handful of statements.
    Change.objects.bulk_create(changes, batch_size=BATCH_SIZE)
    return len(changes)


def change_insert_sql(*, source: str, entity_id: str = "%s") -> str:
    """An INSERT of one change row per row of `source` (a common table expression of the caller's write
    statement), so that a write and its history are one statement; `entity_id` is SQL for the entity's
    id (a column of `source`, or a parameter). Parameters: change_params(...)."""
    table = connections["default"].ops.quote_name(Change._meta.db_table)
    return (
        f"INSERT INTO {table} (project_id, entity, entity_id, version, action, actor_id, at, before, after,"  # noqa: S608
        f" detail) SELECT %s, %s, {entity_id}, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s::jsonb FROM {source}"
    )


def change_params(
    *,
    project_id: int,
    entity: str,
    action: str,
    actor: Actor,
    version: int | None,
    at: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: Any = None,
    entity_id: int | None = None,
) -> tuple[Any, ...]:
    """The parameters of change_insert_sql, in its order (`entity_id` only when it is a parameter)."""
    ids = (entity_id,) if entity_id is not None else ()
    return (
        project_id,
        entity,
        *ids,
        version,
        action,
        _actor_id(actor),
        at,
        *(_as_json(value) for value in (before, after, detail)),
    )


def _as_json(value: Any) -> str | None:
    return json.dumps(value, cls=DjangoJSONEncoder) if value is not None else None
