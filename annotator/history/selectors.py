"""Reads of the history: one entity's changes, a project's recent changes, a claim as of a version."""

from django.db.models import QuerySet

from annotator.history.models import Action, Change, Entity
from annotator.history.snapshots import claim_snapshot
from annotator.history.states import state_at
from annotator.labeling.models import Claim
from annotator.review.models import Adjudication


def changes_of(*, entity: str, entity_id: int) -> QuerySet[Change]:
    """The changes of one entity, newest first, with their actor (1 query; index change_of_entity)."""
    return Change.objects.filter(entity=entity, entity_id=entity_id).select_related("actor").order_by("-id")


def adjudication_changes(*, passage_id: int) -> QuerySet[Change]:
    """The changes of the passage's gold version, newest first, with their actor (1 query)."""
    adjudication_ids = Adjudication.objects.filter(passage_id=passage_id).values("pk")
    changes = Change.objects.filter(entity=Entity.ADJUDICATION, entity_id__in=adjudication_ids)
    return changes.select_related("actor").order_by("-id")


def project_changes(
    *,
    project_id: int,
    entity: str | None = None,
    actor_id: int | None = None,
    entity_id: int | None = None,
) -> QuerySet[Change]:
    """The project's changes, newest first (index change_project_recent), optionally of one kind of
    entity (or one entity) or by one user, with their actor."""
    changes = Change.objects.filter(project_id=project_id).select_related("actor").order_by("-id")
    if entity:
        changes = changes.filter(entity=entity)
    if entity_id is not None:
        changes = changes.filter(entity_id=entity_id)
    if actor_id is not None:
        changes = changes.filter(actor_id=actor_id)
    return changes


def claim_state_at(*, claim: Claim, version: int) -> dict:
    """The claim's fields (see history.snapshots) as they were at `version` (1 query). Raises
    states.VersionNotRecorded when a change between it and the claim's version is not in the history."""
    later = (
        Change.objects.filter(
            entity=Entity.CLAIM,
            entity_id=claim.pk,
            version__gt=version,
            version__lte=claim.version,
        )
        .exclude(action=Action.DELETE)
        .order_by("-version")
        .values_list("version", "before")
    )
    return state_at(claim_snapshot(claim), claim.version, later, version)
