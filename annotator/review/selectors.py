"""Reads for review: one passage's comparison and gold version, and the project's gold claims.

Only submitted assignments count; a passage's comparison is computed from its current rows. The queue of
passages to review is in `review.queue`.
"""

from collections import defaultdict
from typing import Any

from django.db.models import F, QuerySet

from annotator.corpus.models import Passage, Project, Speaker
from annotator.labeling.models import CLAIM_CONTENT_FIELDS, Assignment, AssignmentStatus, Claim
from annotator.review import compare
from annotator.review.models import Adjudication, GoldClaim
from annotator.review.scoring import CLAIM_FIELDS

SUBMITTED = AssignmentStatus.SUBMITTED
CLAIM_VALUES = ("assignment__annotator_id", *CLAIM_FIELDS)


def _claim_label(row: dict[str, Any]) -> compare.ClaimLabel:
    return compare.ClaimLabel(
        id=row["id"],
        annotator_id=row["assignment__annotator_id"],
        start=row["start"],
        end=row["end"],
        attribution=row["attribution"],
        perspective=row["perspective"],
        stance=row["stance"],
        target=row["target"],
        speaker_id=row["speaker_id"],
        mention_start=row["mention_start"],
        mention_end=row["mention_end"],
    )


def passage_review(*, project: Project, passage_id: int) -> dict[str, Any]:
    """Everything the review page and API show for one passage, as plain JSON-ready data (7 queries).

    Raises Passage.DoesNotExist when the passage is not in the project. `rows` align the annotators'
    claims with their differences; each row's `gold` is the saved gold claim or, before any
    adjudication, the majority proposal (`gold_source` says which).
    """
    passage = Passage.objects.select_related("document").get(pk=passage_id, document__project=project)
    people = [
        {
            "id": user_id,
            "username": username,
            "flag_reason": reason,
            "flag_note": note,
            "active_seconds": seconds,
        }
        for user_id, username, reason, note, seconds in Assignment.objects.filter(
            passage=passage, status=SUBMITTED
        )
        .order_by("annotator__username")
        .values_list("annotator_id", "annotator__username", "flag_reason", "flag_note", "active_seconds")
    ]
    order = [person["id"] for person in people]
    claim_rows = list(
        Claim.objects.filter(assignment__passage=passage, assignment__status=SUBMITTED)
        .order_by("start", "end", "id")
        .values(*CLAIM_VALUES, "text", "confidence", "note", speaker_name=F("speaker__name"))
    )
    by_annotator: dict[int, list[compare.ClaimLabel]] = defaultdict(list)
    for row in claim_rows:
        by_annotator[row["assignment__annotator_id"]].append(_claim_label(row))
    rows = compare.align(by_annotator, order)
    adjudication = Adjudication.objects.filter(passage=passage).select_related("reviewer").first()
    gold = adjudication_claims(adjudication) if adjudication else []
    if adjudication:
        placed = compare.place_gold(rows, [((g["start"], g["end"]), g["source_claim_ids"]) for g in gold])
        gold_by_row = dict(zip(placed, gold, strict=True))
    else:
        gold_by_row = {
            index: proposal
            for index, row in enumerate(rows)
            if (proposal := compare.majority_claim(row, len(order))) is not None
        }
    speakers = list(Speaker.objects.filter(project=project).order_by("name").values("id", "name", "kind"))
    return {
        "passage": {
            "id": passage.pk,
            "text": passage.text,
            "position": passage.position,
            "document": {"id": passage.document_id, "title": passage.document.title},
        },
        # Each annotator's flag (reason, note; "" when none) and time on task beside their version.
        "annotators": people,
        "claims": [_claim_payload(row) for row in claim_rows],
        "rows": [
            {
                "cells": {str(a): claim.id for a, claim in row.cells.items()},
                "differences": {str(a): kinds for a, kinds in row.differences.items()},
                "majority": compare.majority_claim(row, len(order)),
                "gold": gold_by_row.get(index),
            }
            for index, row in enumerate(rows)
        ],
        "disagreement": vars(compare.disagreement(by_annotator, order)),
        "difference_counts": compare.difference_counts(rows),
        "gold_source": "adjudication" if adjudication else "majority",
        "adjudication": adjudication_state(adjudication, gold) if adjudication else None,
        "version": adjudication.version if adjudication else 0,
        "speakers": speakers,
    }


def adjudication_claims(adjudication: Adjudication) -> list[dict[str, Any]]:
    """The adjudication's gold claims as plain data, with their source claim ids (2 queries)."""
    claims = list(
        adjudication.gold_claims.order_by("start", "end", "id").values(
            "id",
            *CLAIM_CONTENT_FIELDS,
            speaker_name=F("speaker__name"),
        )
    )
    sources: dict[int, list[int]] = defaultdict(list)
    for gold_id, claim_id in GoldClaim.source_claims.through.objects.filter(
        goldclaim__adjudication=adjudication
    ).values_list("goldclaim_id", "claim_id"):
        sources[gold_id].append(claim_id)
    for claim in claims:
        claim["source_claim_ids"] = sorted(sources[claim["id"]])
    return claims


def adjudication_state(adjudication: Adjudication | None, claims: list[dict[str, Any]]) -> dict[str, Any]:
    """The saved gold version as plain data; also the `current` body of a 409."""
    if adjudication is None:
        return {"version": 0, "claims": []}
    return {
        "id": adjudication.pk,
        "passage": adjudication.passage_id,
        "version": adjudication.version,
        "reviewer": adjudication.reviewer.get_username(),
        "note": adjudication.note,
        "updated_at": adjudication.updated_at.isoformat(),
        "claims": claims,
    }


def current_adjudication(*, passage_id: int) -> dict[str, Any]:
    adjudication = Adjudication.objects.filter(passage_id=passage_id).select_related("reviewer").first()
    return adjudication_state(adjudication, adjudication_claims(adjudication) if adjudication else [])


def gold_claims_for_project(project: Project) -> QuerySet[GoldClaim]:
    """Every gold claim of the project, with `passage_id`, `document_id` and the speaker loaded (1 query).

    Ordered by passage then offsets; `source_claims` are not prefetched (add it when you need them).
    """
    return (
        GoldClaim.objects.filter(adjudication__passage__document__project=project)
        .select_related("adjudication", "speaker")
        .annotate(
            passage_id=F("adjudication__passage_id"), document_id=F("adjudication__passage__document_id")
        )
        .order_by("document_id", "adjudication__passage__position", "start", "end", "id")
    )


def _claim_payload(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "annotator_id": row["assignment__annotator_id"],
        "start": row["start"],
        "end": row["end"],
        "text": row["text"],
        "speaker_id": row["speaker_id"],
        "speaker_name": row["speaker_name"],
        "mention_start": row["mention_start"],
        "mention_end": row["mention_end"],
        "attribution": row["attribution"],
        "perspective": row["perspective"],
        "stance": row["stance"],
        "target": row["target"],
        "confidence": row["confidence"],
        "note": row["note"],
    }
