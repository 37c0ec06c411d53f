"""Reads for review: the disagreement queue, one passage's comparison, and the project's gold claims.

Only submitted assignments count. The queue is computed from the current rows on every request, in a
fixed number of queries (claims are loaded with values(), scored in `compare`), so it is always fresh:
no cache to invalidate when an annotator resubmits, a claim changes or a speaker is merged.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr

from annotator.corpus.models import Passage, Project, Speaker
from annotator.labeling.models import CLAIM_CONTENT_FIELDS, Assignment, AssignmentStatus, Claim
from annotator.review import compare
from annotator.review.models import Adjudication, GoldClaim

SUBMITTED = AssignmentStatus.SUBMITTED
STATUSES = ("open", "adjudicated", "all")
ANY_FLAG = "any"  # the queue's flag filter: flagged for any reason
LABEL_FIELDS = ("attribution", "perspective", "stance")
SNIPPET_LENGTH = 220
CLAIM_VALUES = (
    "id",
    "assignment__annotator_id",
    "start",
    "end",
    "speaker_id",
    "attribution",
    "perspective",
    "stance",
    "target",
    "mention_start",
    "mention_end",
)


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


@dataclass
class ReviewQueue:
    """Entries of the chosen status, most disagreement first; counts over every status."""

    entries: list[QueueEntry]
    counts: dict[str, int] = field(default_factory=dict)


def review_queue(
    *,
    project: Project,
    status: str = "open",
    document_id: int | None = None,
    annotator_id: int | None = None,
    label: str | None = None,
    flag: str | None = None,
) -> ReviewQueue:
    """Passages with two or more submitted annotations, ranked by disagreement (4 queries).

    `label` is "field:value" (e.g. "stance:against") or a bare value matched against attribution,
    perspective and stance; a passage qualifies when any submitted claim on it carries the label.
    `flag` is ANY_FLAG or a flag reason; a passage qualifies when an annotator flagged it so (whether
    they submitted or skipped it: a skip with a reason is a reviewer's business too).
    Counts: passages reviewable, disagreeing (score > 0), adjudicated, and open (not adjudicated).
    """
    scope = {"document__project": project}
    if document_id is not None:
        scope["document_id"] = document_id
    in_scope = {f"passage__{key}": value for key, value in scope.items()}
    passages = {
        row["id"]: row
        for row in Passage.objects.filter(**scope)
        .annotate(submitted=Count("assignments", filter=Q(assignments__status=SUBMITTED)))
        .filter(submitted__gte=2)
        .values(
            "id",
            "document_id",
            "position",
            title=F("document__title"),
            snippet=Substr("text", 1, SNIPPET_LENGTH),
        )
    }
    annotators: dict[int, list[tuple[int, str, datetime]]] = defaultdict(list)
    flags: dict[int, list[str]] = defaultdict(list)
    for passage_id, user_id, username, submitted_at, status_, flag_reason in (
        Assignment.objects.filter(Q(status=SUBMITTED) | ~Q(flag_reason=""), **in_scope)
        .order_by("annotator__username")
        .values_list(
            "passage_id", "annotator_id", "annotator__username", "submitted_at", "status", "flag_reason"
        )
    ):
        if passage_id not in passages:
            continue
        if status_ == SUBMITTED:
            annotators[passage_id].append((user_id, username, submitted_at))
        if flag_reason:
            flags[passage_id].append(flag_reason)
    claims: dict[int, dict[int, list[compare.ClaimLabel]]] = defaultdict(lambda: defaultdict(list))
    for row in (
        Claim.objects.filter(
            **{f"assignment__{key}": value for key, value in in_scope.items()}, assignment__status=SUBMITTED
        )
        .order_by("start", "end", "id")
        .values("assignment__passage_id", *CLAIM_VALUES)
    ):
        label_ = _claim_label(row)
        claims[row["assignment__passage_id"]][label_.annotator_id].append(label_)
    adjudications = {
        row[0]: row[1:]
        for row in Adjudication.objects.filter(**in_scope).values_list(
            "passage_id", "version", "reviewer__username", "updated_at"
        )
    }
    wanted_label = _label_predicate(label)
    kept = [
        passage_id
        for passage_id in passages
        if (annotator_id is None or any(user_id == annotator_id for user_id, _, _ in annotators[passage_id]))
        and (wanted_label is None or any(wanted_label(c) for cs in claims[passage_id].values() for c in cs))
        and (not flag or (flags[passage_id] if flag == ANY_FLAG else flag in flags[passage_id]))
    ]
    scores = compare.disagreements(
        {p: claims[p] for p in kept}, {p: [user_id for user_id, _, _ in annotators[p]] for p in kept}
    )
    entries = []
    for passage_id in kept:
        passage, people = passages[passage_id], annotators[passage_id]
        entry = QueueEntry(
            passage_id=passage_id,
            document_id=passage["document_id"],
            document_title=passage["title"],
            position=passage["position"],
            snippet=passage["snippet"],
            annotators=[username for _, username, _ in people],
            disagreement=scores[passage_id],
            flags=flags[passage_id],
        )
        if passage_id in adjudications:
            version, reviewer, updated_at = adjudications[passage_id]
            entry.adjudicated, entry.adjudication_version, entry.adjudicated_by = True, version, reviewer
            entry.changed_since_adjudication = max(at for _, _, at in people) > updated_at
        entries.append(entry)
    entries.sort(key=lambda e: (-e.score, e.document_id, e.position))
    counts = {
        "reviewable": len(entries),
        "disagree": sum(1 for e in entries if e.score > 0),
        "adjudicated": sum(1 for e in entries if e.adjudicated),
        "open": sum(1 for e in entries if not e.adjudicated),
    }
    if status == "open":
        entries = [e for e in entries if not e.adjudicated]
    elif status == "adjudicated":
        entries = [e for e in entries if e.adjudicated]
    return ReviewQueue(entries=entries, counts=counts)


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


def _label_predicate(label: str | None) -> Callable[[compare.ClaimLabel], bool] | None:
    if not label:
        return None
    name, _, value = label.partition(":") if ":" in label else ("", "", label)
    if name:
        if name not in LABEL_FIELDS:
            return lambda claim: False
        return lambda claim: getattr(claim, name) == value
    return lambda claim: value in (claim.attribution, claim.perspective, claim.stance)


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
