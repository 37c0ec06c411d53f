"""Writing history rows; called by the write services inside the transaction of the change."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
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
