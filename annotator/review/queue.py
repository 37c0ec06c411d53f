"""Reads for the review queue: passages ranked by their stored disagreement, filtered and paged by key.

The scores are those `review.scoring` stores (kept fresh by the services that change submitted claims),
so a page is an indexed query whatever the size of the project. Only submitted assignments count.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from annotator.corpus.models import Project
from annotator.labeling.models import Assignment, AssignmentStatus
from annotator.review import compare
from annotator.review.models import Adjudication, PassageLabel, PassageScore
from annotator.review.scoring import LABEL_FIELDS

SUBMITTED = AssignmentStatus.SUBMITTED
STATUSES = ("open", "adjudicated", "all")
ANY_FLAG = "any"  # the queue's flag filter: flagged for any reason
SNIPPET_LENGTH = 220
QUEUE_PAGE_SIZE = 50


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
