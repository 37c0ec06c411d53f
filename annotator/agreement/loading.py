"""Load one project's annotations into the arrays `report.project_report` takes, with an exact digest.

Six queries whatever the project size (passages, documents, speakers, submitted assignments, their
claims with whether each came from an accepted suggestion, and adjudications with their gold claims),
each a `values_list` turned into numpy columns, all read from one snapshot. The digest is a sha256 over
every loaded row, ids, versions and claim origins included, plus the run parameters: any submission,
claim edit or deletion, change of origin, adjudication, rename or parameter change gives a different
digest, and an unchanged digest means the figures would come out the same, so the last result can be
reused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q

from annotator.corpus.models import Document, Passage, Project, Speaker
from annotator.labeling.models import Assignment, AssignmentStatus, Claim, ClaimOrigin
from annotator.review.models import Adjudication

# Bump when the stored results change shape or meaning, so no older result is reused for a new run.
RESULTS_FORMAT = 2  # 2: results gain "without_suggestions" when some claims came from suggestions
NO_SPEAKER = -1  # authorial claims (no speaker) as the report expects them
LABEL_DTYPE = object


@dataclass
class ProjectInput:
    """Columns for `report.project_report`, the names to show, how much data there is, and the digest."""

    claims: dict[str, np.ndarray]
    assignments: dict[str, np.ndarray]
    passage_lengths: dict[str, np.ndarray]
    gold: dict[str, np.ndarray] | None
    suggested: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # per claim: from a suggestion
    annotators: dict[int, str] = field(default_factory=dict)
    documents: dict[int, str] = field(default_factory=dict)
    speakers: dict[int, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    digest: str = ""

    def report_arguments(self) -> dict[str, Any]:
        return {
            "claims": self.claims,
            "assignments": self.assignments,
            "passage_lengths": self.passage_lengths,
            "gold": self.gold,
        }


class _Digest:
    """sha256 over tables of rows; each table is framed by its name and row count."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def table(self, name: str, rows: Sequence[Sequence[Any]]) -> None:
        self._hash.update(f"\x1e{name}\x1f{len(rows)}\x1f".encode())
        for row in rows:
            self._hash.update(
                json.dumps(row, default=str, ensure_ascii=False, separators=(",", ":")).encode()
            )
            self._hash.update(b"\n")

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _column(rows: Sequence[Sequence[Any]], index: int, dtype: Any = np.int64) -> np.ndarray:
    if dtype is object:
        return np.array([row[index] for row in rows], dtype=object)
    return np.fromiter((row[index] for row in rows), dtype=dtype, count=len(rows))


def _speakers(rows: Iterable[Sequence[Any]], index: int) -> np.ndarray:
    return np.array([NO_SPEAKER if row[index] is None else row[index] for row in rows], dtype=np.int64)


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of the data for all the queries: a read-only repeatable-read transaction on
    PostgreSQL (one more statement); inside a caller's transaction, that transaction's view."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    else:
        with transaction.atomic(savepoint=False):
            yield


def load_project_input(*, project: Project, parameters: dict[str, Any] | None = None) -> ProjectInput:
    """The project's submitted annotations and gold as report inputs (six queries, one snapshot)."""
    with _snapshot():
        rows = _rows(project)
    return _project_input(rows, parameters)


def _rows(project: Project) -> dict[str, list[tuple]]:
    passages = list(
        Passage.objects.filter(document__project=project)
        .order_by("id")
        .values_list("id", "document_id", "start", "end")
    )
    documents = list(Document.objects.filter(project=project).order_by("id").values_list("id", "title"))
    speakers = list(Speaker.objects.filter(project=project).order_by("id").values_list("id", "name"))
    assignments = list(
        Assignment.objects.filter(project=project, status=AssignmentStatus.SUBMITTED)
        .order_by("id")
        .values_list("id", "passage_id", "annotator_id", "version", "annotator__username")
    )
    claims = list(
        Claim.objects.filter(project=project, assignment__status=AssignmentStatus.SUBMITTED)
        # A boolean rather than the origin string: the same information, a shared object per row.
        .annotate(suggested=ExpressionWrapper(Q(origin=ClaimOrigin.SUGGESTION), output_field=BooleanField()))
        .order_by("id")
        .values_list(
            "id",
            "version",
            "assignment__passage_id",
            "assignment__annotator_id",
            "start",
            "end",
            "perspective",
            "stance",
            "speaker_id",
            "suggested",
        )
    )
    # Adjudications LEFT JOIN their gold claims: a passage adjudicated as "no claims here" is gold too.
    adjudicated = list(
        Adjudication.objects.filter(passage__document__project=project)
        .order_by("passage_id", "gold_claims__id")
        .values_list(
            "passage_id",
            "version",
            "gold_claims__id",
            "gold_claims__start",
            "gold_claims__end",
            "gold_claims__perspective",
            "gold_claims__stance",
            "gold_claims__speaker_id",
        )
    )
    return {
        "passages": passages,
        "documents": documents,
        "speakers": speakers,
        "assignments": assignments,
        "claims": claims,
        "adjudicated": adjudicated,
    }


def _project_input(rows: dict[str, list[tuple]], parameters: dict[str, Any] | None) -> ProjectInput:
    passages, documents, speakers = rows["passages"], rows["documents"], rows["speakers"]
    assignments, claims, adjudicated = rows["assignments"], rows["claims"], rows["adjudicated"]
    gold_rows = [row for row in adjudicated if row[2] is not None]

    digest = _Digest()
    digest.table("format", [[RESULTS_FORMAT]])
    digest.table("parameters", [sorted((parameters or {}).items())])
    digest.table("passages", passages)
    digest.table("documents", documents)
    digest.table("speakers", speakers)
    digest.table("assignments", assignments)
    digest.table("claims", claims)
    digest.table("adjudications", adjudicated)

    passage_lengths = {
        "passage_id": _column(passages, 0),
        "document_id": _column(passages, 1),
        "length": np.fromiter((end - start for _, _, start, end in passages), np.int64, len(passages)),
    }
    assignment_columns = {
        "passage_id": _column(assignments, 1),
        "annotator_id": _column(assignments, 2),
        "submitted": np.ones(len(assignments), dtype=bool),
    }
    claim_columns = {
        "passage_id": _column(claims, 2),
        "annotator_id": _column(claims, 3),
        "start": _column(claims, 4),
        "end": _column(claims, 5),
        "perspective": _column(claims, 6, LABEL_DTYPE),
        "stance": _column(claims, 7, LABEL_DTYPE),
        "speaker_id": _speakers(claims, 8),
    }
    suggested = _column(claims, 9, bool)
    gold = None
    if adjudicated:
        gold = {
            "passage_id": _column(gold_rows, 0),
            "start": _column(gold_rows, 3),
            "end": _column(gold_rows, 4),
            "perspective": _column(gold_rows, 5, LABEL_DTYPE),
            "stance": _column(gold_rows, 6, LABEL_DTYPE),
            "speaker_id": _speakers(gold_rows, 7),
            "adjudicated_passage_ids": np.unique(_column(adjudicated, 0)),
        }
    return ProjectInput(
        claims=claim_columns,
        assignments=assignment_columns,
        passage_lengths=passage_lengths,
        gold=gold,
        suggested=suggested,
        annotators={row[2]: row[4] for row in assignments},
        documents=dict(documents),
        speakers=dict(speakers),
        counts={
            "passages": len(passages),
            "documents": len(documents),
            "submitted_assignments": len(assignments),
            "claims": len(claims),
            "suggested_claims": int(suggested.sum()),
            "annotators": len({row[2] for row in assignments}),
            "adjudicated_passages": len({row[0] for row in adjudicated}),
            "gold_claims": len(gold_rows),
        },
        digest=digest.hexdigest(),
    )
