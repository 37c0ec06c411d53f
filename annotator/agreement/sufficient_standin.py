"""Per-document agreement input in the shape of `sufficient`, holding each document's raw report columns.

`DocumentStatistics` here keeps the document's rows of the report's input tables; `report_from_statistics`
puts the documents back together in document-id order and calls the report. It follows the interface of
`annotator.agreement.sufficient` (keyed by document id, `to_bytes`/`from_bytes`, the same report), so that
the runs can store and combine documents before the matrices themselves are stored.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from annotator.agreement.suggested import report_with_and_without

STATISTICS_FORMAT = 0  # below any format of `sufficient`: rows stored here are never read as its own
CLAIM_COLUMNS = ("passage_id", "annotator_id", "start", "end", "perspective", "stance", "speaker_id")
GOLD_COLUMNS = ("passage_id", "start", "end", "perspective", "stance", "speaker_id")
LABEL_COLUMNS = ("perspective", "stance")


@dataclass(frozen=True)
class DocumentStatistics:
    """One document's rows of the report's tables (claims with `suggested`, assignments, passages, gold)."""

    document_id: int
    claims: dict[str, np.ndarray]
    suggested: np.ndarray
    assignments: dict[str, np.ndarray]
    passages: dict[str, np.ndarray]
    gold: dict[str, np.ndarray]
    adjudicated_passage_ids: np.ndarray


def document_statistics(
    claims: Mapping[str, Any],
    assignments: Mapping[str, Any],
    passage_lengths: Mapping[str, Any],
    gold: Mapping[str, Any] | None = None,
    suggested: np.ndarray | None = None,
) -> dict[int, DocumentStatistics]:
    """One entry per document of `passage_lengths`, holding that document's rows of every table."""
    passage_ids = np.asarray(passage_lengths["passage_id"], dtype=np.int64)
    passage_document = np.asarray(passage_lengths["document_id"], dtype=np.int64)
    document_of = dict(zip(passage_ids.tolist(), passage_document.tolist(), strict=True))

    def documents(column: Any) -> np.ndarray:
        return np.array([document_of[p] for p in np.asarray(column).tolist()], dtype=np.int64)

    claim_document = documents(claims["passage_id"])
    assignment_document = documents(assignments["passage_id"])
    suggested_column = (
        np.zeros(len(claim_document), bool) if suggested is None else np.asarray(suggested, dtype=bool)
    )
    gold_document = documents(gold["passage_id"]) if gold is not None else np.zeros(0, np.int64)
    adjudicated = (
        np.asarray(gold.get("adjudicated_passage_ids", np.unique(gold["passage_id"])), dtype=np.int64)
        if gold is not None
        else np.zeros(0, np.int64)
    )
    adjudicated_document = documents(adjudicated)
    result: dict[int, DocumentStatistics] = {}
    for document_id in np.unique(passage_document).tolist():
        claim_rows = claim_document == document_id
        gold_rows = gold_document == document_id
        result[document_id] = DocumentStatistics(
            document_id=document_id,
            claims={name: np.asarray(claims[name])[claim_rows] for name in CLAIM_COLUMNS},
            suggested=suggested_column[claim_rows],
            assignments={
                name: np.asarray(assignments[name])[assignment_document == document_id]
                for name in ("passage_id", "annotator_id", "submitted")
            },
            passages={
                name: np.asarray(passage_lengths[name])[passage_document == document_id]
                for name in ("passage_id", "document_id", "length")
            },
            gold={
                name: (np.asarray(gold[name])[gold_rows] if gold is not None else _empty(name))
                for name in GOLD_COLUMNS
            },
            adjudicated_passage_ids=adjudicated[adjudicated_document == document_id],
        )
    return result


def _empty(name: str) -> np.ndarray:
    return np.empty(0, dtype=object) if name in LABEL_COLUMNS else np.zeros(0, np.int64)


def to_bytes(statistics: DocumentStatistics) -> bytes:
    arrays = {"document_id": np.array([statistics.document_id], np.int64)}
    arrays["suggested"] = statistics.suggested
    arrays["adjudicated_passage_ids"] = statistics.adjudicated_passage_ids
    for table in ("claims", "assignments", "passages", "gold"):
        for name, column in getattr(statistics, table).items():
            arrays[f"{table}.{name}"] = (
                np.array([str(v) for v in column], dtype=str) if name in LABEL_COLUMNS else column
            )
    buffer = io.BytesIO()
    np.savez(buffer, format=np.array([STATISTICS_FORMAT]), **arrays)
    return buffer.getvalue()


def from_bytes(data: bytes) -> DocumentStatistics:
    with np.load(io.BytesIO(data), allow_pickle=False) as stored:
        if int(stored["format"][0]) != STATISTICS_FORMAT:
            raise ValueError(f"statistics of format {int(stored['format'][0])}, expected {STATISTICS_FORMAT}")
        tables: dict[str, dict[str, np.ndarray]] = {
            name: {} for name in ("claims", "assignments", "passages", "gold")
        }
        for key in stored.files:
            if "." in key:
                table, name = key.split(".", 1)
                column = stored[key]
                if name in LABEL_COLUMNS:
                    labels = np.empty(len(column), dtype=object)
                    labels[:] = column.tolist()
                    column = labels
                tables[table][name] = column
        return DocumentStatistics(
            document_id=int(stored["document_id"][0]),
            suggested=stored["suggested"].astype(bool),
            adjudicated_passage_ids=stored["adjudicated_passage_ids"].astype(np.int64),
            **tables,
        )


def report_from_statistics(
    statistics: Iterable[DocumentStatistics],
    *,
    n_boot: int,
    seed: int,
    confidence: float = 0.95,
    progress: Callable[..., None] | None = None,
) -> tuple[dict, dict | None]:
    if confidence != 0.95:
        raise ValueError("the report's intervals are 95% intervals")
    documents = sorted(statistics, key=lambda s: s.document_id)

    def joined(table: str, name: str) -> np.ndarray:
        columns = [getattr(s, table)[name] for s in documents]
        if not columns:
            return _empty(name)
        return np.concatenate(columns) if name not in LABEL_COLUMNS else _labels(columns)

    claims = {name: joined("claims", name) for name in CLAIM_COLUMNS}
    assignments = {name: joined("assignments", name) for name in ("passage_id", "annotator_id")}
    assignments["submitted"] = np.concatenate([s.assignments["submitted"] for s in documents] or [[]]).astype(
        bool
    )
    passages = {name: joined("passages", name) for name in ("passage_id", "document_id", "length")}
    adjudicated = np.concatenate([s.adjudicated_passage_ids for s in documents] or [np.zeros(0, np.int64)])
    gold = None
    if len(adjudicated):
        gold = {name: joined("gold", name) for name in GOLD_COLUMNS}
        gold["adjudicated_passage_ids"] = np.unique(adjudicated)
    suggested = np.concatenate([s.suggested for s in documents] or [np.zeros(0, bool)]).astype(bool)
    return report_with_and_without(
        claims=claims,
        assignments=assignments,
        passage_lengths=passages,
        gold=gold,
        suggested=suggested,
        n_boot=n_boot,
        seed=seed,
        progress=progress,
    )


def _labels(columns: list[np.ndarray]) -> np.ndarray:
    values = [value for column in columns for value in column.tolist()]
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array
