"""Load one project's annotations into the arrays `report.project_report` takes, with an exact digest.

Six queries whatever the project size (passages, documents, speakers, submitted assignments, their
claims with whether each came from an accepted suggestion, and adjudications with their gold claims),
all read from one snapshot. Each query's rows come as tuples in one `fetchall` (no model instances, no
per-row Python) and are turned into numpy columns a column at a time. The digest is a sha256 over every
loaded column, ids, versions and claim origins included, plus the run parameters: any submission,
claim edit or deletion, change of origin, adjudication, rename or parameter change gives a different
digest, and an unchanged digest means the figures would come out the same, so the last result can be
reused.

A run on PostgreSQL reads the project's index first (`load_project_index`: each document's revision, the
revision its stored statistics were read at, the names) and then loads only the documents whose input
changed (`document_ids`: the same queries narrowed to those documents, plus their revisions, in one
snapshot).
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import BigIntegerField, BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from annotator.agreement.models import DocumentRevision
from annotator.corpus.models import Document, Passage, Project, Speaker
from annotator.labeling.models import Assignment, AssignmentStatus, Claim, ClaimOrigin
from annotator.review.models import Adjudication

# Bump when the stored results change shape or meaning, so no older result is reused for a new run.
RESULTS_FORMAT = 2  # 2: results gain "without_suggestions" when some claims came from suggestions
NO_SPEAKER = -1  # authorial claims (no speaker) as the report expects them
LABEL_DTYPE = object
ID = BigIntegerField()


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
    # Loaded for some documents only: each one's revision (DocumentRevision, 0 when never counted),
    # read in the same snapshot as the rows.
    revisions: dict[int, int] = field(default_factory=dict)

    def report_arguments(self) -> dict[str, Any]:
        return {
            "claims": self.claims,
            "assignments": self.assignments,
            "passage_lengths": self.passage_lengths,
            "gold": self.gold,
        }


class _Digest:
    """sha256 over tables of columns; each table is framed by its name and row count, each column by its
    kind and length. Numbers go in as int64 bytes, text joined with NUL (which PostgreSQL text cannot hold),
    None as its own marker: a change to any loaded value changes the digest."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def table(self, name: str, rows: Sequence[Sequence[Any]]) -> None:
        """Small tables (the format, the parameters): their rows as JSON."""
        self._hash.update(f"\x1e{name}\x1f{len(rows)}\x1f".encode())
        for row in rows:
            self._hash.update(
                json.dumps(row, default=str, ensure_ascii=False, separators=(",", ":")).encode()
            )
            self._hash.update(b"\n")

    def columns(self, name: str, count: int, columns: Sequence[Sequence[Any]]) -> None:
        self._hash.update(f"\x1e{name}\x1f{count}\x1f{len(columns)}\x1f".encode())
        for values in columns:
            kind, data = _column_bytes(values)
            self._hash.update(b"%s%d\x1f" % (kind, len(data)))
            self._hash.update(data)

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _column_bytes(values: Sequence[Any]) -> tuple[bytes, bytes]:
    """A column as bytes for the digest, in C where the values allow: whole numbers as int64, text joined
    with NUL; anything else (None among them) as text, value by value."""
    if values and isinstance(values[0], int):
        try:
            return b"i", np.asarray(values, dtype=np.int64).tobytes()
        except (TypeError, ValueError, OverflowError):
            pass
    try:
        return b"s", "\x00".join(values).encode()
    except TypeError:
        return b"v", "\x00".join("\x01" if value is None else str(value) for value in values).encode()


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[tuple]:
    """The rows as ``width`` columns (tuples), transposed in C."""
    return list(zip(*rows, strict=True)) if rows else [()] * width


def _ints(values: Sequence[Any]) -> np.ndarray:
    return np.array(values, dtype=np.int64) if len(values) else np.zeros(0, np.int64)


def _labels(values: Sequence[Any]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _speakers(values: Sequence[Any]) -> np.ndarray:
    """Speaker ids, NO_SPEAKER for authorial claims (None)."""
    if None not in values:
        return _ints(values)
    return np.array([NO_SPEAKER if value is None else value for value in values], dtype=np.int64)


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


@contextmanager
def _no_collection() -> Iterator[None]:
    """No cyclic garbage collection meanwhile: millions of row tuples (which hold no cycles) would make
    every collection walk them all, again and again as more arrive."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_project_input(
    *, project: Project, parameters: dict[str, Any] | None = None, document_ids: Sequence[int] | None = None
) -> ProjectInput:
    """The project's submitted annotations and gold as report inputs (six queries, one snapshot); with
    `document_ids`, those documents' only (whole documents, speakers all), with their revisions."""
    with _no_collection():
        with _snapshot():
            rows = _rows(project, None if document_ids is None else sorted(set(document_ids)))
        return _project_input(rows, parameters)


def _fetch(query: QuerySet) -> list[tuple]:
    """All rows of a values_list query as psycopg makes them: one query, one fetchall, no per-row work."""
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _rows(project: Project, document_ids: list[int] | None) -> dict[str, list[tuple]]:
    def of(field: str) -> Q:
        return Q() if document_ids is None else Q(**{f"{field}__in": document_ids})

    def in_project(passage: str) -> Q:
        """The rows of the project; for some documents, reached from their passages only: a filter on the
        rows' own project column would let the planner walk all the project's rows by that index."""
        if document_ids is None:
            return Q(project=project)
        return Q(**{f"{passage}__document_id__in": document_ids, f"{passage}__document__project": project})

    passages = _fetch(
        Passage.objects.filter(of("document_id"), document__project=project)
        .order_by("id")
        .values_list("id", "document_id", "start", "end")
    )
    documents = _fetch(
        Document.objects.filter(of("id"), project=project).order_by("id").values_list("id", "title")
    )
    speakers = _fetch(Speaker.objects.filter(project=project).order_by("id").values_list("id", "name"))
    assignments = _fetch(
        Assignment.objects.filter(in_project("passage"), status=AssignmentStatus.SUBMITTED)
        .order_by("id")
        .values_list("id", "passage_id", "annotator_id", "version", "annotator__username")
    )
    claims = _fetch(
        Claim.objects.filter(in_project("assignment__passage"), assignment__status=AssignmentStatus.SUBMITTED)
        # A boolean rather than the origin string: the same information, a shared object per row.
        .annotate(suggested=ExpressionWrapper(Q(origin=ClaimOrigin.SUGGESTION), output_field=BooleanField()))
        # NO_SPEAKER for authorial claims: a column of whole numbers, turned into an array in C
        .annotate(speaker_key=Coalesce("speaker_id", Value(NO_SPEAKER), output_field=ID))
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
            "speaker_key",
            "suggested",
        )
    )
    # Adjudications LEFT JOIN their gold claims: a passage adjudicated as "no claims here" is gold too.
    adjudicated = _fetch(
        Adjudication.objects.filter(of("passage__document_id"), passage__document__project=project)
        .order_by("passage_id", "gold_claims__id")
        .annotate(
            gold_speaker=Coalesce(
                "gold_claims__speaker_id", Value(NO_SPEAKER), output_field=BigIntegerField()
            )
        )
        .values_list(
            "passage_id",
            "version",
            "gold_claims__id",
            "gold_claims__start",
            "gold_claims__end",
            "gold_claims__perspective",
            "gold_claims__stance",
            "gold_speaker",
        )
    )
    revisions = (
        []
        if document_ids is None
        else _fetch(
            DocumentRevision.objects.filter(document_id__in=document_ids).values_list(
                "document_id", "revision"
            )
        )
    )
    return {
        "passages": passages,
        "documents": documents,
        "speakers": speakers,
        "assignments": assignments,
        "claims": claims,
        "adjudicated": adjudicated,
        "revisions": revisions,
    }


def _project_input(rows: dict[str, list[tuple]], parameters: dict[str, Any] | None) -> ProjectInput:
    passages, documents, speakers = rows["passages"], rows["documents"], rows["speakers"]
    assignments, claims, adjudicated = rows["assignments"], rows["claims"], rows["adjudicated"]
    passage_id, passage_document, passage_start, passage_end = _columns(passages, 4)
    assignment_columns = _columns(assignments, 5)
    claim_columns = _columns(claims, 10)
    (
        _,
        _,
        claim_passage,
        claim_annotator,
        claim_start,
        claim_end,
        perspective,
        stance,
        speaker,
        from_suggestion,
    ) = claim_columns
    adjudicated_columns = _columns(adjudicated, 8)
    # An adjudication without gold claims (LEFT JOINed: a row of None) has none to give.
    gold_rows = [row for row in adjudicated if row[2] is not None]
    gold_columns = _columns(gold_rows, 8)

    digest = _Digest()
    digest.table("format", [[RESULTS_FORMAT]])
    digest.table("parameters", [sorted((parameters or {}).items())])
    digest.columns("passages", len(passages), [passage_id, passage_document, passage_start, passage_end])
    digest.columns("documents", len(documents), _columns(documents, 2))
    digest.columns("speakers", len(speakers), _columns(speakers, 2))
    digest.columns("assignments", len(assignments), assignment_columns)
    digest.columns("claims", len(claims), claim_columns)
    digest.columns("adjudications", len(adjudicated), adjudicated_columns)

    passage_lengths = {
        "passage_id": _ints(passage_id),
        "document_id": _ints(passage_document),
        "length": _ints(passage_end) - _ints(passage_start),
    }
    assignment_arrays = {
        "passage_id": _ints(assignment_columns[1]),
        "annotator_id": _ints(assignment_columns[2]),
        "submitted": np.ones(len(assignments), dtype=bool),
    }
    claim_arrays = {
        "passage_id": _ints(claim_passage),
        "annotator_id": _ints(claim_annotator),
        "start": _ints(claim_start),
        "end": _ints(claim_end),
        "perspective": _labels(perspective),
        "stance": _labels(stance),
        "speaker_id": _speakers(speaker),
    }
    suggested = np.array(from_suggestion, dtype=bool) if claims else np.zeros(0, bool)
    gold = None
    if adjudicated:
        gold = {
            "passage_id": _ints(gold_columns[0]),
            "start": _ints(gold_columns[3]),
            "end": _ints(gold_columns[4]),
            "perspective": _labels(gold_columns[5]),
            "stance": _labels(gold_columns[6]),
            "speaker_id": _speakers(gold_columns[7]),
            "adjudicated_passage_ids": np.unique(_ints(adjudicated_columns[0])),
        }
    annotator_ids, usernames = assignment_columns[2], assignment_columns[4]
    return ProjectInput(
        claims=claim_arrays,
        assignments=assignment_arrays,
        passage_lengths=passage_lengths,
        gold=gold,
        suggested=suggested,
        annotators=dict(zip(annotator_ids, usernames, strict=True)),
        documents=dict(documents),
        speakers=dict(speakers),
        counts={
            "passages": len(passages),
            "documents": len(documents),
            "submitted_assignments": len(assignments),
            "claims": len(claims),
            "suggested_claims": int(suggested.sum()),
            "annotators": len(set(annotator_ids)),
            "adjudicated_passages": len(set(adjudicated_columns[0])),
            "gold_claims": len(gold_rows),
        },
        digest=digest.hexdigest(),
        revisions={document_id: 0 for document_id, _ in documents} | dict(rows["revisions"]),
    )


COUNTED = (
    "passages",
    "submitted_assignments",
    "claims",
    "suggested_claims",
    "adjudicated_passages",
    "gold_claims",
)


def document_counts(loaded: ProjectInput) -> dict[int, dict[str, int]]:
    """Per loaded document, the amounts `counts` adds up over the project (those that are sums)."""
    passage_ids = loaded.passage_lengths["passage_id"]  # in id order
    passage_documents = loaded.passage_lengths["document_id"]

    def per_document(passages: np.ndarray) -> dict[int, int]:
        documents = passage_documents[np.searchsorted(passage_ids, np.asarray(passages, dtype=np.int64))]
        found, counts = np.unique(documents, return_counts=True)
        return dict(zip(found.tolist(), counts.tolist(), strict=True))

    gold = loaded.gold or {}
    tallies = {
        "passages": per_document(passage_ids),
        "submitted_assignments": per_document(loaded.assignments["passage_id"]),
        "claims": per_document(loaded.claims["passage_id"]),
        "suggested_claims": per_document(loaded.claims["passage_id"][loaded.suggested]),
        "adjudicated_passages": per_document(gold.get("adjudicated_passage_ids", np.zeros(0, np.int64))),
        "gold_claims": per_document(gold.get("passage_id", np.zeros(0, np.int64))),
    }
    return {
        document_id: {name: tallies[name].get(document_id, 0) for name in COUNTED}
        for document_id in loaded.documents
    }


@dataclass(frozen=True)
class ProjectIndex:
    """A project's documents with the revision of each one's agreement input and of its stored statistics,
    and the names the results show: what a run reads before deciding which documents to compute."""

    revisions: dict[int, int]  # every document: the revision of its input now
    stored: dict[int, int]  # documents with statistics of the wanted format: the revision they were read at
    documents: dict[int, str]
    speakers: dict[int, str]
    annotators: dict[int, str]

    def stale(self) -> list[int]:
        """The documents whose stored statistics are missing or older than their input, in id order."""
        return [d for d, revision in self.revisions.items() if self.stored.get(d, -1) < revision]

    def digest(self, parameters: dict[str, Any], revisions: dict[int, int], statistics_format: int) -> str:
        """What the results rest on: the revisions of the documents summed, the names, the parameters."""
        digest = _Digest()
        digest.table("format", [[RESULTS_FORMAT, statistics_format]])
        digest.table("parameters", [sorted(parameters.items())])
        ordered = sorted(revisions.items())
        digest.columns("revisions", len(ordered), _columns(ordered, 2))
        for name in ("documents", "speakers", "annotators"):
            names = sorted(getattr(self, name).items())
            digest.columns(name, len(names), _columns(names, 2))
        return digest.hexdigest()


def load_project_index(*, project: Project, statistics_format: int) -> ProjectIndex:
    """The project's index (three queries, one snapshot): its documents with their revisions, joined to
    their stored statistics; its speakers; the annotators of its submitted assignments."""
    # Table names written out: the query joins three tables Django has no relation between.
    documents_sql = (
        "SELECT d.id, d.title, COALESCE(r.revision, 0), s.revision FROM corpus_document d "
        "LEFT JOIN agreement_documentrevision r ON r.document_id = d.id "
        "LEFT JOIN agreement_documentstatisticsrecord s ON s.document_id = d.id AND s.statistics_format = %s "
        "WHERE d.project_id = %s ORDER BY d.id"
    )
    with _snapshot():
        with connection.cursor() as cursor:
            cursor.execute(documents_sql, [statistics_format, project.pk])
            documents = cursor.fetchall()
        speakers = _fetch(Speaker.objects.filter(project=project).order_by("id").values_list("id", "name"))
        annotators = _fetch(
            Assignment.objects.filter(project=project, status=AssignmentStatus.SUBMITTED)
            .order_by("annotator_id")
            .values_list("annotator_id", "annotator__username")
            .distinct()
        )
    return ProjectIndex(
        revisions={row[0]: row[2] for row in documents},
        stored={row[0]: row[3] for row in documents if row[3] is not None},
        documents={row[0]: row[1] for row in documents},
        speakers=dict(speakers),
        annotators=dict(annotators),
    )
