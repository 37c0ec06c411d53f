"""Per-document agreement input in the shape of `sufficient`, holding each document's raw report columns.

`DocumentStatistics` here keeps the document's rows of the report's input tables; `report_from_statistics`
puts the documents back together in document-id order and calls the report. It follows the interface of
`annotator.agreement.sufficient` (keyed by document id, `to_bytes`/`from_bytes`, the same report), so that
the runs can store and combine documents before the matrices themselves are stored.
"""

from __future__ import annotations

import json
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
    order = np.argsort(passage_ids, kind="stable")
    sorted_passages, sorted_documents = passage_ids[order], passage_document[order]
    document_ids = np.unique(passage_document)

    def groups(passages: Any) -> list[np.ndarray]:
        """Per document of `document_ids`, the positions of the rows whose passage is in it (in order)."""
        passages = np.asarray(passages, dtype=np.int64)
        documents = (
            sorted_documents[np.searchsorted(sorted_passages, passages)] if len(passages) else passages
        )
        rows = np.argsort(documents, kind="stable")
        bounds = np.searchsorted(documents[rows], document_ids, side="left").tolist() + [len(rows)]
        return [rows[bounds[i] : bounds[i + 1]] for i in range(len(document_ids))]

    suggested_column = (
        np.zeros(len(claims["passage_id"]), bool) if suggested is None else np.asarray(suggested, dtype=bool)
    )
    adjudicated = (
        np.asarray(gold.get("adjudicated_passage_ids", np.unique(gold["passage_id"])), dtype=np.int64)
        if gold is not None
        else np.zeros(0, np.int64)
    )
    claim_columns = {name: np.asarray(claims[name]) for name in CLAIM_COLUMNS}
    assignment_columns = {
        name: np.asarray(assignments[name]) for name in ("passage_id", "annotator_id", "submitted")
    }
    passage_columns = {
        name: np.asarray(passage_lengths[name]) for name in ("passage_id", "document_id", "length")
    }
    gold_columns = {name: np.asarray(gold[name]) for name in GOLD_COLUMNS} if gold is not None else None
    per_claim, per_assignment = groups(claims["passage_id"]), groups(assignments["passage_id"])
    per_passage, per_adjudicated = groups(passage_ids), groups(adjudicated)
    per_gold = groups(gold["passage_id"]) if gold is not None else None
    result: dict[int, DocumentStatistics] = {}
    for at, document_id in enumerate(document_ids.tolist()):
        result[document_id] = DocumentStatistics(
            document_id=document_id,
            claims={name: column[per_claim[at]] for name, column in claim_columns.items()},
            suggested=suggested_column[per_claim[at]],
            assignments={name: column[per_assignment[at]] for name, column in assignment_columns.items()},
            passages={name: column[per_passage[at]] for name, column in passage_columns.items()},
            gold={
                name: (gold_columns[name][per_gold[at]] if gold_columns is not None else _empty(name))
                for name in GOLD_COLUMNS
            },
            adjudicated_passage_ids=adjudicated[per_adjudicated[at]],
        )
    return result


def _empty(name: str) -> np.ndarray:
    return np.empty(0, dtype=object) if name in LABEL_COLUMNS else np.zeros(0, np.int64)


def _columns_of(statistics: DocumentStatistics) -> dict[str, np.ndarray]:
    columns = {
        "suggested": statistics.suggested,
        "adjudicated_passage_ids": statistics.adjudicated_passage_ids,
    }
    for table in ("claims", "assignments", "passages", "gold"):
        for name, column in getattr(statistics, table).items():
            columns[f"{table}.{name}"] = column
    return columns


def to_bytes(statistics: DocumentStatistics) -> bytes:
    """A JSON header (format, document, each column's name, kind and byte length), then the columns:
    numbers as int64, flags as bytes, labels as UTF-8 joined with NUL."""
    header: list[list] = []
    parts: list[bytes] = []
    for key, column in _columns_of(statistics).items():
        name = key.split(".", 1)[-1]
        if name in LABEL_COLUMNS:
            data, kind = "\x00".join(str(v) for v in column.tolist()).encode(), "s"
        elif column.dtype == bool:
            data, kind = np.asarray(column, dtype=np.uint8).tobytes(), "b"
        else:
            data, kind = np.asarray(column, dtype=np.int64).tobytes(), "i"
        header.append([key, kind, len(column), len(data)])
        parts.append(data)
    head = json.dumps([STATISTICS_FORMAT, statistics.document_id, header]).encode()
    return len(head).to_bytes(4, "little") + head + b"".join(parts)


def from_bytes(data: bytes) -> DocumentStatistics:
    size = int.from_bytes(data[:4], "little")
    stored_format, document_id, header = json.loads(data[4 : 4 + size])
    if stored_format != STATISTICS_FORMAT:
        raise ValueError(f"statistics of format {stored_format}, expected {STATISTICS_FORMAT}")
    at = 4 + size
    columns: dict[str, np.ndarray] = {}
    for key, kind, count, length in header:
        chunk = data[at : at + length]
        at += length
        if kind == "s":
            column = np.empty(count, dtype=object)
            column[:] = chunk.decode().split("\x00") if count else []
        elif kind == "b":
            column = np.frombuffer(chunk, dtype=np.uint8).astype(bool)
        else:
            column = np.frombuffer(chunk, dtype=np.int64).copy()
        columns[key] = column
    tables: dict[str, dict[str, np.ndarray]] = {
        name: {} for name in ("claims", "assignments", "passages", "gold")
    }
    for key, column in columns.items():
        if "." in key:
            table, name = key.split(".", 1)
            tables[table][name] = column
    return DocumentStatistics(
        document_id=document_id,
        suggested=columns["suggested"],
        adjudicated_passage_ids=columns["adjudicated_passage_ids"],
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
