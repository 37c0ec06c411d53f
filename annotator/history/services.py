"""Writing history rows; called by the write services inside the transaction of the change."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from annotator.bulk import insert_rows
from annotator.history.models import Change

Actor = AbstractBaseUser | int | None


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
    rows = [
        (project_id, entity, entity_id, version, action, actor_id, at, before, after, detail)
        for entity_id, version, before, after in rows
    ]
    # COPY on PostgreSQL, bulk INSERTs elsewhere: never a statement per row.
    if rows:
        insert_rows(Change, COLUMNS, rows)
    return len(rows)


COLUMNS = (
    "project_id", "entity", "entity_id", "version", "action", "actor_id", "at", "before", "after", "detail",
)  # fmt: skip
