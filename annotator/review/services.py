"""Writes for review: saving a passage's adjudicated gold version."""

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from annotator import limits
from annotator.corpus.models import Passage, Speaker
from annotator.corpus.schema import span_rule_of
from annotator.errors import Conflict
from annotator.history.models import Action, Entity
from annotator.history.services import record
from annotator.history.snapshots import claim_snapshot
from annotator.history.states import changed_fields
from annotator.labeling.models import CLAIM_CONTENT_FIELDS, AssignmentStatus, Claim
from annotator.labeling.services import annotations_changed
from annotator.labeling.span_rule import normalise_span
from annotator.labeling.validation import claim_problems
from annotator.review.models import Adjudication, GoldClaim
from annotator.review.selectors import current_adjudication

# The text is always taken from the passage slice, never from the request.
GOLD_FIELDS = tuple(name for name in CLAIM_CONTENT_FIELDS if name != "text")


def adjudication_save(
    *,
    passage: Passage,
    reviewer: AbstractBaseUser,
    version: int,
    claims: Sequence[dict[str, Any]],
    note: str = "",
) -> Adjudication:
    """Replace the passage's gold claims with `claims`, if `version` is still the saved one.

    `version` is 0 when the caller saw no gold yet. Each claim holds the claim fields (text optional:
    it must then match the passage) and `source_claim_ids`, the annotators' claims it settles.
    `passage` comes with its document and project loaded. Raises ValidationError with keys like
    "claims[2].stance" (nothing written), or Conflict carrying the newer saved state.
    """
    project = passage.document.project
    if len(note) > limits.ADJUDICATION_NOTE:
        raise ValidationError({"note": limits.too_long("The note", limits.ADJUDICATION_NOTE)})
    rows = _checked_claims(passage=passage, claims=claims)
    now = timezone.now()
    with transaction.atomic():
        before = None
        if version == 0:
            try:
                with transaction.atomic():
                    adjudication = Adjudication.objects.create(passage=passage, reviewer=reviewer, note=note)
            except IntegrityError as error:
                raise _conflict(passage) from error
        else:
            adjudication = (
                Adjudication.objects.select_for_update().filter(passage=passage, version=version).first()
            )
            if adjudication is None:
                raise _conflict(passage)
            before = _gold_state(adjudication)
            Adjudication.objects.filter(pk=adjudication.pk).update(
                version=F("version") + 1, reviewer=reviewer, note=note, updated_at=now
            )
            adjudication.version, adjudication.reviewer, adjudication.note = version + 1, reviewer, note
            adjudication.updated_at = now
        GoldClaim.objects.filter(adjudication=adjudication).delete()
        gold_claims = GoldClaim.objects.bulk_create(
            [GoldClaim(adjudication=adjudication, **fields) for fields, _ in rows]
        )
        GoldClaim.source_claims.through.objects.bulk_create(
            [
                GoldClaim.source_claims.through(goldclaim_id=gold.pk, claim_id=claim_id)
                for gold, (_, sources) in zip(gold_claims, rows, strict=True)
                for claim_id in sources
            ]
        )
        after = {
            "note": note,
            "claims": _in_order(
                [
                    {**claim_snapshot(gold), "source_claim_ids": sources}
                    for gold, (_, sources) in zip(gold_claims, rows, strict=True)
                ]
            ),
        }
        was, now_is = changed_fields(before, after) if before is not None else (None, after)
        record(
            project_id=project.pk,
            entity=Entity.ADJUDICATION,
            entity_id=adjudication.pk,
            action=Action.CREATE if before is None else Action.UPDATE,
            actor=reviewer,
            version=adjudication.version,
            before=was,
            after=now_is,
            detail={"passage": passage.pk},
        )
        transaction.on_commit(lambda: annotations_changed(project_id=project.pk))
    return adjudication


def _gold_state(adjudication: Adjudication) -> dict[str, Any]:
    """The adjudication's note and gold claims (with their source claims) as the history keeps them."""
    gold = list(GoldClaim.objects.filter(adjudication=adjudication).order_by("id"))
    sources: dict[int, list[int]] = {g.pk: [] for g in gold}
    through = GoldClaim.source_claims.through.objects.filter(goldclaim_id__in=sources).order_by("id")
    for gold_id, claim_id in through.values_list("goldclaim_id", "claim_id"):
        sources[gold_id].append(claim_id)
    claims = [{**claim_snapshot(g), "source_claim_ids": sources[g.pk]} for g in gold]
    return {"note": adjudication.note, "claims": _in_order(claims)}


def _in_order(claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(claims, key=lambda claim: (claim["start"], claim["end"]))


def _conflict(passage: Passage) -> Conflict:
    return Conflict(
        "Another reviewer saved a newer gold version of this passage; here it is.",
        current=current_adjudication(passage_id=passage.pk),
    )


def _checked_claims(
    *, passage: Passage, claims: Sequence[dict[str, Any]]
) -> list[tuple[dict[str, Any], list[int]]]:
    """(model fields, source claim ids) per gold claim; ValidationError naming every problem (2 queries)."""
    project = passage.document.project
    speaker_ids = {c.get("speaker_id") for c in claims} - {None}
    known_speakers = (
        set(Speaker.objects.filter(project=project, pk__in=speaker_ids).values_list("pk", flat=True))
        if speaker_ids
        else set()
    )
    source_ids = {s for c in claims for s in c.get("source_claim_ids") or ()}
    known_sources = (
        set(
            Claim.objects.filter(
                pk__in=source_ids, assignment__passage=passage, assignment__status=AssignmentStatus.SUBMITTED
            ).values_list("pk", flat=True)
        )
        if source_ids
        else set()
    )
    problems: dict[str, str] = {}
    rows: list[tuple[dict[str, Any], list[int]]] = []
    seen: dict[tuple, int] = {}
    for index, claim in enumerate(claims):
        fields = {name: claim.get(name) for name in GOLD_FIELDS}
        fields["target"] = (fields["target"] or "").strip() or project.schema.get("default_target", "")
        fields["note"] = fields["note"] or ""
        found = claim_problems(
            passage_text=passage.text,
            schema=project.schema,
            fields={**fields, "text": claim.get("text"), "has_speaker": fields["speaker_id"] is not None},
        )
        if fields["speaker_id"] is not None and fields["speaker_id"] not in known_speakers:
            found["speaker"] = "No such speaker in this project."
        sources = list(dict.fromkeys(claim.get("source_claim_ids") or ()))
        if any(s not in known_sources for s in sources):
            found["source_claim_ids"] = "Source claims must be submitted claims on this passage."
        key = tuple(fields[name] for name in GOLD_FIELDS if name != "note")
        if not found and key in seen:
            found["start"] = f"This claim repeats gold claim {seen[key] + 1}."
        seen.setdefault(key, index)
        problems.update({f"claims[{index}].{name}": message for name, message in found.items()})
        if not found:
            # Gold claims follow the same span rule as annotators' claims, so gold and annotations
            # compare edge for edge.
            fields["start"], fields["end"] = normalise_span(
                passage.text, fields["start"], fields["end"], span_rule_of(project.schema)
            )
            fields["text"] = passage.text[fields["start"] : fields["end"]]
            rows.append((fields, sources))
    if problems:
        raise ValidationError(problems)
    return rows
