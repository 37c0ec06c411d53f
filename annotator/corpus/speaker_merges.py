"""Undoing a speaker merge, and the merges a reviewer may still undo."""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from annotator.corpus.models import Project, Speaker, SpeakerMerge
from annotator.corpus.speakers import claims_speaker_move, gold_claims_speaker_move
from annotator.errors import Conflict
from annotator.history.models import Action, Entity
from annotator.history.services import Actor, record
from annotator.history.snapshots import speaker_snapshot
from annotator.history.states import changed_fields
from annotator.labeling.models import Claim
from annotator.review.models import GoldClaim


def speaker_merge_undo(*, merge: SpeakerMerge, actor: Actor = None) -> Speaker:
    """Put the merged speaker back as it was and move exactly the recorded claims and gold claims back to it.

    Claims get a new version (an open editor then reloads rather than writing the canonical speaker
    back); the canonical speaker loses the aliases and affiliation it gained. Claims deleted since stay
    deleted. Conflict, changing nothing, when the merge is already undone, the canonical speaker
    has been merged away, or a recorded claim names another speaker since. Every change is recorded in
    the history, by `actor`. Returns the restored speaker.
    """
    with transaction.atomic():
        merge = SpeakerMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            raise Conflict("This merge has already been undone.")
        if merge.canonical_id is None:
            raise Conflict("The speaker it went into has since been merged away: undo that first.")
        canonical = Speaker.objects.select_for_update().get(pk=merge.canonical_id)
        moved_since = (
            Claim.objects.filter(pk__in=merge.claim_ids).exclude(speaker_id=canonical.pk).count()
            + GoldClaim.objects.filter(pk__in=merge.gold_claim_ids).exclude(speaker_id=canonical.pk).count()
        )
        if moved_since:
            raise Conflict(
                f"{moved_since} of the merged claims name another speaker since the merge; "
                "the merge can no longer be undone. Merge or split the speakers by hand."
            )
        before = speaker_snapshot(canonical)
        gained = {alias.casefold() for alias in merge.aliases_added}
        canonical.aliases = [alias for alias in canonical.aliases if alias.casefold() not in gained]
        if merge.affiliation_taken and canonical.affiliation == merge.duplicate_affiliation:
            canonical.affiliation = ""
        canonical.approved = merge.canonical_was_approved or _has_other_merges(merge)
        try:
            with transaction.atomic():
                canonical.save(update_fields=["aliases", "affiliation", "approved"])
                restored = Speaker(
                    pk=merge.duplicate_id,
                    project_id=merge.project_id,
                    name=merge.duplicate_name,
                    kind=merge.duplicate_kind,
                    affiliation=merge.duplicate_affiliation,
                    aliases=merge.duplicate_aliases,
                    created_by_id=merge.duplicate_created_by_id,
                    approved=merge.duplicate_approved,
                )
                restored.save(force_insert=True)
                # created_at is auto_now_add: set the recorded one after the insert.
                Speaker.objects.filter(pk=restored.pk).update(created_at=merge.duplicate_created_at)
        except IntegrityError as error:
            raise Conflict(
                f"A speaker named {merge.duplicate_name!r} exists again; the merge can no longer be undone."
            ) from error
        moved = {
            "speaker": restored.pk,
            "project_id": merge.project_id,
            "action": Action.SPEAKER_MERGE_UNDO,
            "actor": actor,
            "detail": {"from": canonical.pk},
        }
        claims_speaker_move(Claim.objects.filter(pk__in=merge.claim_ids), **moved)
        gold_claims_speaker_move(GoldClaim.objects.filter(pk__in=merge.gold_claim_ids), **moved)
        was, now_is = changed_fields(before, speaker_snapshot(canonical))
        undone = {
            "project_id": merge.project_id,
            "entity": Entity.SPEAKER,
            "action": Action.SPEAKER_MERGE_UNDO,
        }
        record(
            **undone,
            actor=actor,
            entity_id=canonical.pk,
            before=was,
            after=now_is,
            detail={"split": restored.name},
        )
        record(
            **undone,
            actor=actor,
            entity_id=restored.pk,
            after=speaker_snapshot(restored),
            detail=moved["detail"],
        )
        merge.undone_at = timezone.now()
        merge.save(update_fields=["undone_at"])
    restored.created_at = merge.duplicate_created_at
    return restored


def _has_other_merges(merge: SpeakerMerge) -> bool:
    """Whether another merge into the same speaker still stands (it approved the speaker too)."""
    standing = SpeakerMerge.objects.filter(canonical_id=merge.canonical_id, undone_at=None)
    return standing.exclude(pk=merge.pk).exists()


def merges_to_undo(*, project: Project, limit: int = 20) -> QuerySet[SpeakerMerge]:
    """The project's latest merges not undone, newest first, with their speakers and reviewer (1 query)."""
    return (
        SpeakerMerge.objects.filter(project=project, undone_at=None)
        .select_related("canonical", "merged_by")
        .order_by("-merged_at", "-id")[:limit]
    )
