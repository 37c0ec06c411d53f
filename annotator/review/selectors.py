"""Reads for review: the disagreement queue, one passage's comparison, and the project's gold claims.

Only submitted assignments count. The queue reads the scores stored by `review.scoring` (kept fresh by
the services that change submitted claims); one passage's comparison is computed from its current rows.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from annotator.corpus.models import Passage, Project, Speaker
from annotator.labeling.models import CLAIM_CONTENT_FIELDS, Assignment, AssignmentStatus, Claim
from annotator.review import compare
from annotator.review.models import Adjudication, GoldClaim, PassageLabel, PassageScore
from annotator.review.scoring import CLAIM_FIELDS, LABEL_FIELDS

SUBMITTED = AssignmentStatus.SUBMITTED
STATUSES = ("open", "adjudicated", "all")
ANY_FLAG = "any"  # the queue's flag filter: flagged for any reason
SNIPPET_LENGTH = 220
QUEUE_PAGE_SIZE = 50
CLAIM_VALUES = ("assignment__annotator_id", *CLAIM_FIELDS)


@dataclass
class QueueEntry:
    passage_id: int
    document_id: int
    document_title: str
    position: int
    snippet: str
    annotators: list[str]
    disagreement: compare.Disagreement
    flags: list[str] = field(default_factory=list)  # the flag reasons annotators gave, any status
    adjudicated: bool = False
    adjudication_version: int = 0
    adjudicated_by: str = ""
    changed_since_adjudication: bool = False

    @property
    def score(self) -> float:
        return self.disagreement.score

    @property
    def differences(self) -> tuple[str, ...]:
        return self.disagreement.kinds


@dataclass(frozen=True)
class QueueCursor:
    """Where a page of the queue ends: the last entry's sort key, and its rank (for numbering)."""

    score: float
    document_id: int
    position: int
    rank: int

    def encode(self) -> str:
        return f"{self.score!r}_{self.document_id}_{self.position}_{self.rank}"

    @classmethod
    def decode(cls, text: str | None) -> "QueueCursor | None":
        """The cursor `encode` wrote, or None for a missing or malformed one (the first page)."""
        try:
            score, document_id, position, rank = (text or "").split("_")
            return cls(float(score), int(document_id), int(position), int(rank))
        except ValueError:
            return None


@dataclass
class ReviewQueue:
    """One page of entries of the chosen status, most disagreement first; counts over every status."""

    entries: list[QueueEntry]
    counts: dict[str, int] = field(default_factory=dict)
    first_rank: int = 1
    next_cursor: QueueCursor | None = None


def review_queue(
    *,
    project: Project,
    status: str = "open",
    document_id: int | None = None,
    annotator_id: int | None = None,
    label: str | None = None,
    flag: str | None = None,
    after: QueueCursor | None = None,
    limit: int = QUEUE_PAGE_SIZE,
) -> ReviewQueue:
    """A page of passages with two or more submitted annotations, ranked by disagreement (4 queries).

    Reads the stored scores (`review.scoring`): an indexed query and keyset pages (`after` the cursor of
    the previous page), whatever the project size.
    `label` is "field:value" (e.g. "stance:against") or a bare value matched against attribution,
    perspective and stance; a passage qualifies when any submitted claim on it carries the label.
    `flag` is ANY_FLAG or a flag reason; a passage qualifies when an annotator flagged it so (whether
    they submitted or skipped it: a skip with a reason is a reviewer's business too).
    Counts, under the same filters: passages reviewable, disagreeing (score > 0), adjudicated, and open.
    """
    scores = _filtered_scores(project, document_id, annotator_id, label, flag)
    adjudicated = Exists(Adjudication.objects.filter(passage_id=OuterRef("passage_id")))
    counts = scores.aggregate(
        reviewable=Count("pk"),
        disagree=Count("pk", filter=Q(score__gt=0)),
        adjudicated=Count("pk", filter=Q(adjudicated)),
    )
    counts["open"] = counts["reviewable"] - counts["adjudicated"]
    scores = scores.annotate(adjudicated=adjudicated)
    if status == "open":
        scores = scores.filter(adjudicated=False)
    elif status == "adjudicated":
        scores = scores.filter(adjudicated=True)
    if after is not None:
        scores = scores.filter(score__lte=after.score).filter(
            Q(score__lt=after.score)
            | Q(document_id__gt=after.document_id)
            | Q(document_id=after.document_id, position__gt=after.position)
        )
    rows = list(
        scores.order_by("-score", "document_id", "position").values(
            "passage_id",
            "document_id",
            "position",
            "score",
            "span",
            "attributes",
            "boundary",
            "differences",
            "adjudicated",
            title=F("document__title"),
            snippet=Substr("passage__text", 1, SNIPPET_LENGTH),
        )[: limit + 1]
    )
    more, rows = len(rows) > limit, rows[:limit]
    entries = _entries(rows)
    first_rank = after.rank + 1 if after else 1
    next_cursor = None
    if more and entries:
        last = entries[-1]
        next_cursor = QueueCursor(last.score, last.document_id, last.position, first_rank + len(entries) - 1)
    return ReviewQueue(entries=entries, counts=counts, first_rank=first_rank, next_cursor=next_cursor)


def _filtered_scores(
    project: Project, document_id: int | None, annotator_id: int | None, label: str | None, flag: str | None
) -> QuerySet[PassageScore]:
    scores = PassageScore.objects.filter(project=project)
    if document_id is not None:
        scores = scores.filter(document_id=document_id)
    at_passage = {"passage_id": OuterRef("passage_id")}
    if annotator_id is not None:
        scores = scores.filter(
            Exists(Assignment.objects.filter(**at_passage, annotator_id=annotator_id, status=SUBMITTED))
        )
    if label:
        scores = scores.filter(
            Exists(
                PassageLabel.objects.filter(
                    project=project, label__in=_labels_meant(label), passage_id=OuterRef("passage_id")
                )
            )
        )
    if flag:
        flagged = ~Q(flag_reason="") if flag == ANY_FLAG else Q(flag_reason=flag)
        scores = scores.filter(Exists(Assignment.objects.filter(flagged, **at_passage)))
    return scores


def _entries(rows: list[dict[str, Any]]) -> list[QueueEntry]:
    """Queue entries for one page of score rows, with annotators, flags and adjudications (2 queries)."""
    ids = [row["passage_id"] for row in rows]
    annotators: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    flags: dict[int, list[str]] = defaultdict(list)
    for passage_id, username, submitted_at, status_, flag_reason in (
        Assignment.objects.filter(Q(status=SUBMITTED) | ~Q(flag_reason=""), passage_id__in=ids)
        .order_by("annotator__username")
        .values_list("passage_id", "annotator__username", "submitted_at", "status", "flag_reason")
    ):
        if status_ == SUBMITTED:
            annotators[passage_id].append((username, submitted_at))
        if flag_reason:
            flags[passage_id].append(flag_reason)
    adjudications = (
        {
            row[0]: row[1:]
            for row in Adjudication.objects.filter(passage_id__in=ids).values_list(
                "passage_id", "version", "reviewer__username", "updated_at"
            )
        }
        if ids
        else {}
    )
    entries = []
    for row in rows:
        passage_id, people = row["passage_id"], annotators[row["passage_id"]]
        entry = QueueEntry(
            passage_id=passage_id,
            document_id=row["document_id"],
            document_title=row["title"],
            position=row["position"],
            snippet=row["snippet"],
            annotators=[username for username, _ in people],
            disagreement=compare.Disagreement(
                score=row["score"],
                span=row["span"],
                attributes=row["attributes"],
                boundary=row["boundary"],
                kinds=tuple(row["differences"]),
            ),
            flags=flags[passage_id],
        )
        if passage_id in adjudications:
            version, reviewer, updated_at = adjudications[passage_id]
            entry.adjudicated, entry.adjudication_version, entry.adjudicated_by = True, version, reviewer
            entry.changed_since_adjudication = any(at > updated_at for _, at in people)
        entries.append(entry)
    return entries


def queue_labels(*, project: Project) -> list[dict[str, Any]]:
    """The labels a queue can be filtered by, per field: {"field", "options": [{"key", "label"}]}."""
    return [
        {
            "field": name,
            "options": [
                {"key": f"{name}:{item['value']}", "label": item.get("label") or item["value"]}
                for item in project.schema.get(f"{name}s", [])
            ],
        }
        for name in LABEL_FIELDS
    ]


def _labels_meant(label: str) -> list[str]:
    """The stored labels a filter matches: "field:value" itself, or a bare value in any label field."""
    if ":" in label:
        return [label] if label.partition(":")[0] in LABEL_FIELDS else []
    return [f"{name}:{label}" for name in LABEL_FIELDS]


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
