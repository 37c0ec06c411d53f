"""Per-document sufficient statistics of the agreement report, and the report from their sums (no Django).

`document_statistics` computes, for any set of whole documents, one `DocumentStatistics` per document:
small tables of counts and sums keyed by stable ids (annotator ids, label values), never by positions
that depend on which other documents were loaded. `report_from_statistics` stacks the tables of any
collection of documents in document order, turns the ids into project-wide codes and derives every figure
of the report from the sums; the project report itself is computed this way, so there is one code path.

What is summed per document and what is decided when the documents are put together:
- coincidence matrices (per character; per attribute), Fleiss totals, confusion counts of pairwise and
  gold matches, F1 match counts and u-alpha's per-document sums are sums over documents;
- span matching, the units of matched claims and their rater counts live inside a document (a passage
  belongs to one document), so they are computed per document;
- the set of labels and annotators, the label frequency groups of the speaker matrix, the dense/rare
  label split of the bootstrap rows, and u-alpha's length classes need the whole project: they are
  derived from the summed counts (label marginals, unit and gap length histograms) at reduce time.
Sums are taken in document order (documents by id, then passages without a known document by passage id),
so a report is bit-identical however the documents were grouped when their statistics were computed.
Whatever is summed inside a document is summed in one pass in the order of the document's own passages
and claims, so a document's statistics do not depend on the other documents computed with it.

The shown attribute coincidence matrices are sums of per-document matrices; summed over all units in one
pass (as before) they could differ in the last bit. Every other figure, interval and count is computed
from exactly the same per-document rows as before.

A further summable term (say a per-document agreement term of another coefficient) is one more table in
TABLES (with STATISTICS_FORMAT + 1), filled in `_part_tables`, summed in `_totals` into a field of
`report.ProjectTotals` and shown by `report.build_report`.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from annotator.agreement.maths.coefficients import fast_unique
from annotator.agreement.maths.report import ProjectTotals, build_report, intervals, resampled_statistics
from annotator.agreement.maths.report_attributes import (
    ATTRIBUTE_SUMS,
    attribute_agreement,
    attribute_pieces,
    claim_units,
    count_rows,
    gold_kappa,
)
from annotator.agreement.maths.report_inputs import ATTRIBUTES, ProjectArrays, columns, project_arrays
from annotator.agreement.maths.report_spans import (
    UNITIZING_ROW,
    UnitizingPieces,
    coders_per_passage,
    gold_pieces,
    position_agreement,
    position_coincidences,
    span_agreement,
    span_pieces,
    unitizing_agreement,
    unitizing_pieces,
)
from annotator.agreement.maths.spans import MODES
from annotator.agreement.maths.suggested import DEFINITION, HEADLINE_SECTIONS, comparison, without_claims

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

# Bump on any change of the meaning or layout of the stored statistics.
STATISTICS_FORMAT = 1

DOCUMENT_INTS = (
    "passages",
    "passages_coded",
    "passages_shared",
    "slots",
    "claims_total",
    "claims_used",
    "position_units",
    "span_units",
    "gold_passages",
    "gold_claims",
    "tp_exact",
    "tp_overlap",
    "f1_denominator",
    *(f"{a}.{s}" for a in ATTRIBUTES for s in ATTRIBUTE_SUMS[1:]),
)
DOCUMENT_FLOATS = (
    "u.observed",
    "u.length",
    "u.coder_length",
    "u.pair_length",
    "u.units",
    "u.cubic",
    "u.square",
    *(f"{a}.diag" for a in ATTRIBUTES),
)
ANNOTATOR_INTS = (
    "id",
    "passages",
    "claims",
    "on_shared_passage",
    "claims_on_shared_passage",
    *(f"contributes.{a}" for a in ATTRIBUTES),
    "gold.n_annotator",
    "gold.n_gold",
    "gold.n_passages",
    "gold.tp_exact",
    "gold.tp_overlap",
    "suggested",
)
# (table, integer columns, float columns); per integer column what it refers to: "a" an annotator of the
# document, a label of an attribute, "position" a per-character label, "" a plain number.
TABLES: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("document", ("",) * len(DOCUMENT_INTS), len(DOCUMENT_FLOATS)),
    ("annotator", ("",) * len(ANNOTATOR_INTS), 0),
    ("pair", ("a", "a", "", "", "", "", ""), 0),  # a, b, shared, claims a, claims b, tp exact, tp overlap
    ("position", ("position", "position"), 1),  # row label, column label; coincidence
    ("unit", ("", ""), 0),  # length, count
    ("gap", ("", ""), 0),
    *((f"label.{a}", (a, "", ""), 1) for a in ATTRIBUTES),  # label, marginal, units; diagonal share
    *((f"coincidence.{a}", (a, a), 1) for a in ATTRIBUTES),
    *((f"kappa.{a}", ("a", "a", a, a, ""), 0) for a in ATTRIBUTES),  # a, b, label a, label b, count
    *((f"gold.{a}", ("a", a, a, ""), 0) for a in ATTRIBUTES),  # a, label, gold label, count
)
TABLE_INDEX = {name: t for t, (name, _, _) in enumerate(TABLES)}
INT_WIDTH = np.array([len(kinds) for _, kinds, _ in TABLES], np.int64)
FLOAT_WIDTH = np.array([n for _, _, n in TABLES], np.int64)
_HEADER = struct.Struct("<HBBBqq")  # format, flags, parts, integer item size, document, first passage
_PART = struct.Struct("<III")  # label bytes, integers, floats
_KNOWN = 1  # flag bit 2 once marked statistics computed with gold; it is ignored when read
WITHOUT = "without:"  # prefix of the second report's statistics among the resampled ones


@dataclass(frozen=True, eq=False)
class StatisticsPart:
    """One document's tables for one set of claims: labels per attribute (raw values, sorted), rows per
    table, and the tables' integer and float cells back to back in TABLES order."""

    labels: tuple[tuple, ...]
    layout: IntArray
    ints: IntArray
    floats: FloatArray


@dataclass(frozen=True, eq=False)
class DocumentStatistics:
    """One document's sufficient statistics: parts[0] on all claims, parts[1] (when present) without the
    claims that came from accepted suggestions."""

    document: int | None  # None: a passage whose document is unknown (a document of its own)
    first_passage: int
    parts: tuple[StatisticsPart, ...]

    @property
    def key(self) -> int:
        """The document id; minus one minus the passage id for a passage without a known document."""
        return self.document if self.document is not None else -1 - self.first_passage


# ---------------------------------------------------------------------------------------------------
# map: one set of whole documents -> per-document tables


@dataclass
class _Rows:
    """The rows of one table for many documents: document per row (sorted), integer and float cells."""

    document: IntArray
    ints: IntArray
    floats: FloatArray


def _rows(document: IntArray, ints: list, floats: list | None = None) -> _Rows:
    document = np.asarray(document, np.int64)
    order = np.argsort(document, kind="stable")
    n, floats = len(document), floats or []
    int_cells = np.zeros((n, len(ints)), np.int64)
    for k, column in enumerate(ints):
        int_cells[:, k] = np.asarray(column)[order]
    float_cells = np.zeros((n, len(floats)))
    for k, column in enumerate(floats):
        float_cells[:, k] = np.asarray(column, np.float64)[order]
    return _Rows(document[order], int_cells, float_cells)


def _label_keys(pa: ProjectArrays, attribute: str) -> IntArray:
    """Sorted (document, label code) keys of the labels each document uses (its claims and gold)."""
    n_labels = max(len(pa.labels[attribute]), 1)
    code = pa.codes[attribute]
    keys = [pa.passage_document[pa.passage[code >= 0]] * n_labels + code[code >= 0]]
    if pa.gold_passages is not None:
        gold = pa.gold_codes[attribute]
        keys.append(pa.passage_document[pa.gold_passage[gold >= 0]] * n_labels + gold[gold >= 0])
    return fast_unique(np.concatenate(keys))


def _part_tables(pa: ProjectArrays, suggested_rows: NDArray[np.bool_] | None) -> dict[str, _Rows]:
    """Every table of every document of `pa`, in the chunk's own codes (turned local by `_pack`)."""
    n_docs, n_ann = len(pa.document_ids), len(pa.annotator_ids)
    m = coders_per_passage(pa)
    doc_of_passage = pa.passage_document

    def per_doc(passage: IntArray, weights: Any = None) -> FloatArray:
        return np.bincount(doc_of_passage[passage], weights=weights, minlength=n_docs)

    every = np.arange(len(pa.passage_ids))
    shared_passage = m >= 2
    spans = span_pieces(pa)
    unit, ambiguous = claim_units(pa, *spans.pairs["overlap"])
    gold = gold_pieces(pa) if pa.gold_passages is not None else None
    attributes = {
        a: attribute_pieces(pa, a, unit, ambiguous, spans.pairs["overlap"], gold and gold.pairs_overlap)
        for a in ATTRIBUTES
    }
    u = unitizing_pieces(pa)
    gold_passages = np.zeros(n_docs)
    gold_claims = np.zeros(n_docs)
    if pa.gold_passages is not None:
        gold_passages = per_doc(pa.gold_passages)
        gold_claims = per_doc(pa.gold_passage)
    document = [
        per_doc(every),
        per_doc(every, m >= 1),
        per_doc(every, shared_passage),
        per_doc(pa.slot_passage),
        per_doc(every, pa.claims_per_passage),
        per_doc(pa.passage),
        per_doc(every, pa.passage_length * shared_passage),
        per_doc(pa.passage, shared_passage[pa.passage]),
        gold_passages,
        gold_claims,
        spans.tp["exact"],
        spans.tp["overlap"],
        spans.denominator,
        *(attributes[a].sums[:, k] for a in ATTRIBUTES for k in range(1, len(ATTRIBUTE_SUMS))),
    ]
    tables = {
        "document": _rows(
            np.arange(n_docs),
            document,
            [*(u.rows[:, k] for k in range(UNITIZING_ROW)), *(attributes[a].sums[:, 0] for a in ATTRIBUTES)],
        )
    }

    # annotators of each document: every submitted assignment's annotator
    width = max(n_ann, 1)
    slot_key = doc_of_passage[pa.slot_passage] * width + pa.slot_coder
    ann_keys = fast_unique(slot_key)

    def per_annotator(key: IntArray, weights: Any = None) -> IntArray:
        at = np.searchsorted(ann_keys, key)
        return np.bincount(at, weights=weights, minlength=len(ann_keys)).astype(np.int64)

    def has(key: IntArray) -> IntArray:
        return per_annotator(key) > 0

    claim_key = doc_of_passage[pa.passage] * width + pa.coder
    suggested = np.zeros(len(pa.passage)) if suggested_rows is None else suggested_rows[pa.claim_rows]
    gold_columns = [np.zeros(len(ann_keys), np.int64)] * 5
    if gold is not None:
        at = np.searchsorted(ann_keys, gold.document * width + gold.coder)
        gold_columns = []
        for values in (gold.n_annotator, gold.n_gold, gold.n_passages, gold.tp["exact"], gold.tp["overlap"]):
            column = np.zeros(len(ann_keys), np.int64)
            column[at] = values
            gold_columns.append(column)
    tables["annotator"] = _rows(
        ann_keys // width,
        [
            pa.annotator_ids[ann_keys % width] if n_ann else ann_keys,
            per_annotator(slot_key),
            per_annotator(claim_key),
            has(slot_key[shared_passage[pa.slot_passage]]),
            has(claim_key[shared_passage[pa.passage]]),
            *(
                has(attributes[a].contributing_document * width + attributes[a].contributing_coder)
                for a in ATTRIBUTES
            ),
            *gold_columns,
            per_annotator(claim_key, suggested),
        ],
    )
    tables["pair"] = _rows(
        spans.pair_document,
        [
            spans.pair_a,
            spans.pair_b,
            spans.pair_shared,
            spans.pair_claims_ab,
            spans.pair_claims_ba,
            spans.pair_tp["exact"],
            spans.pair_tp["overlap"],
        ],
    )
    position = position_coincidences(pa)
    g, i, k = np.nonzero(position)
    tables["position"] = _rows(g, [i, k], [position[g, i, k]])
    for name, lengths, doc in (
        ("unit", u.unit_length, u.unit_document),
        ("gap", u.gap_length, u.gap_document),
    ):
        d, length, count = count_rows(doc, lengths.astype(np.int64))
        tables[name] = _rows(d, [length, count])
    for a, pieces in attributes.items():
        tables[f"label.{a}"] = _rows(
            pieces.label_document,
            [pieces.label_code, pieces.label_marginal, pieces.label_units],
            [pieces.label_diag],
        )
        tables[f"coincidence.{a}"] = _rows(
            pieces.coincidence_document,
            [pieces.coincidence_row, pieces.coincidence_column],
            [pieces.coincidence_value],
        )
        tables[f"kappa.{a}"] = _rows(pieces.kappa[0], list(pieces.kappa[1:]))
        tables[f"gold.{a}"] = _rows(pieces.gold[0], list(pieces.gold[1:]))
    return tables


def _raw_labels(attribute: str, labels: list) -> list:
    """Labels as sortable values: the speaker label "none" of integer speaker ids back to -1."""
    if attribute == "speaker" and all(isinstance(x, int) or x == "none" for x in labels):
        return [-1 if x == "none" else x for x in labels]
    return list(labels)


def _document_keys(pa: ProjectArrays) -> list[tuple[int | None, int]]:
    first_index = np.full(len(pa.document_ids), len(pa.passage_ids), np.int64)
    np.minimum.at(first_index, pa.passage_document, np.arange(len(pa.passage_ids)))
    return list(zip(pa.document_ids, pa.passage_ids[first_index].tolist(), strict=True))


def _pack(pa: ProjectArrays, tables: dict[str, _Rows]) -> list[StatisticsPart]:
    """Split the tables into per-document parts, references turned local to each document."""
    n_docs = len(pa.document_ids)
    width = max(len(pa.annotator_ids), 1)
    annotators = tables["annotator"]
    ann_keys = annotators.document * width + (
        np.searchsorted(pa.annotator_ids, annotators.ints[:, 0]) if len(pa.annotator_ids) else 0
    )
    ann_first = np.searchsorted(annotators.document, np.arange(n_docs))
    label_keys, label_first, label_size, labels = {}, {}, {}, {}
    for a in ATTRIBUTES:
        size = max(len(pa.labels[a]), 1)
        keys = _label_keys(pa, a)
        label_keys[a], label_size[a] = keys, size
        label_first[a] = np.searchsorted(keys // size, np.arange(n_docs))
        raw = np.array(_raw_labels(a, pa.labels[a]) or [0], dtype=object)
        bounds = np.r_[label_first[a], len(keys)]
        values = raw[keys % size].tolist()
        labels[a] = [tuple(values[bounds[d] : bounds[d + 1]]) for d in range(n_docs)]

    def local(kind: str, doc: IntArray, code: IntArray) -> IntArray:
        if kind == "a":
            return np.searchsorted(ann_keys, doc * width + code) - ann_first[doc]
        if kind == "position":
            p = code - 2
            inside = np.searchsorted(
                label_keys["perspective"], doc * label_size["perspective"] + np.maximum(p, 0)
            )
            return np.where(p >= 0, 2 + inside - label_first["perspective"][doc], code)
        return np.searchsorted(label_keys[kind], doc * label_size[kind] + code) - label_first[kind][doc]

    int_docs, int_cells, float_docs, float_cells = [], [], [], []
    layout = np.zeros((n_docs, len(TABLES)), np.int64)
    for t, (name, kinds, n_floats) in enumerate(TABLES):
        rows = tables[name]
        cells = rows.ints.copy()
        for c, kind in enumerate(kinds):
            if kind and len(cells):
                cells[:, c] = local(kind, rows.document, cells[:, c])
        layout[:, t] = np.bincount(rows.document, minlength=n_docs)
        int_docs.append(np.repeat(rows.document, len(kinds)))
        int_cells.append(cells.reshape(-1))
        float_docs.append(np.repeat(rows.document, n_floats))
        float_cells.append(rows.floats.reshape(-1))
    split = []
    for docs, cells in ((int_docs, int_cells), (float_docs, float_cells)):
        doc = np.concatenate(docs)
        order = np.argsort(doc, kind="stable")  # tables stay in order within a document
        values = np.concatenate(cells)[order]
        split.append(np.split(values, np.cumsum(np.bincount(doc, minlength=n_docs))[:-1]))
    return [
        StatisticsPart(
            labels=tuple(labels[a][d] for a in ATTRIBUTES),
            layout=layout[d],
            ints=split[0][d].astype(np.int64),
            floats=split[1][d].astype(np.float64),
        )
        for d in range(n_docs)
    ]


def _same(a: StatisticsPart, b: StatisticsPart) -> bool:
    return (
        a.labels == b.labels
        and np.array_equal(a.layout, b.layout)
        and np.array_equal(a.ints, b.ints)
        and np.array_equal(a.floats, b.floats)
    )


def document_statistics(
    claims: Any,
    assignments: Any,
    passage_lengths: Any,
    gold: Any = None,
    suggested: Any = None,
) -> dict[int, DocumentStatistics]:
    """One entry per document of the inputs (the columns `report.project_report` takes), keyed by
    DocumentStatistics.key; the inputs must hold whole documents. `suggested` flags the claims that came
    from accepted suggestions (see `suggested`): then each document also gets its statistics without them."""
    pa = project_arrays(claims, assignments, passage_lengths, gold)
    flags = None
    if suggested is not None:
        flags = np.asarray(suggested, dtype=bool)
        if len(flags) != pa.claims_total:
            raise ValueError("suggested must hold one flag per claim")
    parts = _pack(pa, _part_tables(pa, flags))
    keys = _document_keys(pa)
    without: dict = {}
    if flags is not None and flags.any():
        kept = without_claims(columns(claims, (), "claims"), flags)
        pa_without = project_arrays(kept, assignments, passage_lengths, gold)
        without = dict(
            zip(_document_keys(pa_without), _pack(pa_without, _part_tables(pa_without, None)), strict=True)
        )
    result = {}
    for (document, first), part in zip(keys, parts, strict=True):
        other = without.get((document, first))
        both = (part,) if other is None or _same(part, other) else (part, other)
        statistics = DocumentStatistics(document, int(first), both)
        result[statistics.key] = statistics
    return result


# ---------------------------------------------------------------------------------------------------
# storage


def _int_dtype(values: IntArray) -> np.dtype:
    if not len(values):
        return np.dtype("<i1")
    low, high = int(values.min()), int(values.max())
    for dtype in ("<i1", "<i2", "<i4"):
        info = np.iinfo(dtype)
        if info.min <= low and high <= info.max:
            return np.dtype(dtype)
    return np.dtype("<i8")


def to_bytes(statistics: DocumentStatistics) -> bytes:
    """A compact, versioned encoding: header, then per part its labels (JSON), layout, integers in the
    narrowest integer type that holds them all, and floats."""
    s = statistics
    dtype = _int_dtype(np.concatenate([p.ints for p in s.parts]))
    flags = _KNOWN if s.document is not None else 0
    chunks = [
        _HEADER.pack(STATISTICS_FORMAT, flags, len(s.parts), dtype.itemsize, s.document or 0, s.first_passage)
    ]
    for part in s.parts:
        labels = json.dumps(part.labels, separators=(",", ":")).encode()
        chunks.append(_PART.pack(len(labels), len(part.ints), len(part.floats)))
        chunks.append(np.asarray(part.layout, "<u4").tobytes())
        chunks.append(labels)
        chunks.append(part.ints.astype(dtype).tobytes())
        chunks.append(np.asarray(part.floats, "<f8").tobytes())
    return b"".join(chunks)


@lru_cache(maxsize=1 << 14)
def _labels_from_json(text: bytes) -> tuple[tuple, ...]:
    return tuple(tuple(x) for x in json.loads(text))


_INT_TYPES = {1: np.dtype("<i1"), 2: np.dtype("<i2"), 4: np.dtype("<i4"), 8: np.dtype("<i8")}


def from_bytes(data: bytes) -> DocumentStatistics:
    """The statistics `to_bytes` encoded; ValueError for another format version."""
    version, flags, n_parts, itemsize, document, first = _HEADER.unpack_from(data, 0)
    if version != STATISTICS_FORMAT:
        raise ValueError(f"statistics of format {version}, expected {STATISTICS_FORMAT}")
    offset, parts = _HEADER.size, []
    dtype = _INT_TYPES[itemsize]
    for _ in range(n_parts):
        n_labels, n_ints, n_floats = _PART.unpack_from(data, offset)
        offset += _PART.size
        layout = np.frombuffer(data, "<u4", len(TABLES), offset)
        offset += 4 * len(TABLES)
        labels = _labels_from_json(bytes(data[offset : offset + n_labels]))
        offset += n_labels
        ints = np.frombuffer(data, dtype, n_ints, offset)
        offset += itemsize * n_ints
        floats = np.frombuffer(data, "<f8", n_floats, offset)
        offset += 8 * n_floats
        parts.append(StatisticsPart(labels, layout, ints, floats))
    return DocumentStatistics(document if flags & _KNOWN else None, first, tuple(parts))


# ---------------------------------------------------------------------------------------------------
# reduce: the tables of many documents -> the report


def _ranges(starts: IntArray, counts: IntArray) -> IntArray:
    """The indices start[i] .. start[i] + counts[i] - 1 of every i, back to back."""
    total = int(counts.sum())
    shift = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return np.arange(total, dtype=np.int64) + shift


@dataclass
class _Stacked:
    """All documents' rows of every table, references turned to project-wide codes."""

    tables: dict[str, _Rows]
    labels: dict[str, list]
    annotator_ids: IntArray


def _global_labels(attribute: str, per_doc: list[tuple]) -> tuple[list, IntArray, IntArray]:
    """(project labels in code order, each document's labels as codes back to back, per-document start)."""
    distinct = set().union(*set(per_doc)) if per_doc else set()
    try:
        ordered = sorted(distinct)
    except TypeError:  # unorderable mixed labels: a fixed order all the same
        ordered = sorted(distinct, key=lambda x: (type(x).__name__, str(x)))
    code = {x: k for k, x in enumerate(ordered)}
    memo: dict[tuple, list] = {}
    flat: list = []
    sizes = np.fromiter((len(t) for t in per_doc), np.int64, len(per_doc))
    for labels in per_doc:
        codes = memo.get(labels)
        if codes is None:
            codes = memo[labels] = [code[x] for x in labels]
        flat.extend(codes)
    if attribute == "speaker" and all(isinstance(x, int) for x in ordered):
        ordered = ["none" if x == -1 else x for x in ordered]
    return ordered, np.array(flat, np.int64), np.cumsum(sizes) - sizes


def _stack(parts: list[StatisticsPart]) -> _Stacked:
    n_docs = len(parts)
    layout = np.array([p.layout for p in parts], np.int64).reshape(n_docs, len(TABLES))
    ints = np.concatenate([p.ints for p in parts]).astype(np.int64) if parts else np.zeros(0, np.int64)
    floats = np.concatenate([p.floats for p in parts]) if parts else np.zeros(0)
    documents = np.arange(n_docs)
    raw: dict[str, _Rows] = {}
    for cells, widths in ((ints, INT_WIDTH), (floats, FLOAT_WIDTH)):
        per_table = layout * widths
        doc_start = np.cumsum(per_table.sum(axis=1)) - per_table.sum(axis=1)
        table_start = doc_start[:, None] + np.cumsum(per_table, axis=1) - per_table
        for t, (table, _, _) in enumerate(TABLES):
            values = cells[_ranges(table_start[:, t], per_table[:, t])].reshape(layout[:, t].sum(), widths[t])
            if table not in raw:
                raw[table] = _Rows(np.repeat(documents, layout[:, t]), values, np.zeros((0, 0)))
            else:
                raw[table].floats = values
    annotators = raw["annotator"]
    annotator_ids, annotator_code = np.unique(annotators.ints[:, 0], return_inverse=True)
    ann_start = np.cumsum(layout[:, TABLE_INDEX["annotator"]]) - layout[:, TABLE_INDEX["annotator"]]
    labels, label_codes, label_start = {}, {}, {}
    for k, a in enumerate(ATTRIBUTES):
        labels[a], label_codes[a], label_start[a] = _global_labels(a, [p.labels[k] for p in parts])
    for table, kinds, _ in TABLES:
        rows = raw[table]
        for c, kind in enumerate(kinds):
            if not kind or not len(rows.document):
                continue
            local = rows.ints[:, c]
            if kind == "a":
                rows.ints[:, c] = annotator_code[ann_start[rows.document] + local]
            elif kind == "position":
                at = label_start["perspective"][rows.document] + np.maximum(local - 2, 0)
                padded = np.r_[label_codes["perspective"], 0]  # per-character labels 0, 1 need none
                rows.ints[:, c] = np.where(local >= 2, 2 + padded[np.where(local >= 2, at, -1)], local)
            else:
                rows.ints[:, c] = label_codes[kind][label_start[kind][rows.document] + local]
    return _Stacked(raw, labels, annotator_ids.astype(np.int64))


def _column(rows: _Rows, names: tuple[str, ...], name: str) -> IntArray:
    return rows.ints[:, names.index(name)]


def _totals(stacked: _Stacked, documents: list[DocumentStatistics]) -> ProjectTotals:
    """Sum the stacked tables into the figures' statistics (see report.ProjectTotals)."""
    tables, labels, annotator_ids = stacked.tables, stacked.labels, stacked.annotator_ids
    n_docs, n_ann = len(documents), len(annotator_ids)
    doc = tables["document"]

    def d(name: str) -> IntArray:
        return _column(doc, DOCUMENT_INTS, name)

    def f(name: str) -> FloatArray:
        return doc.floats[:, DOCUMENT_FLOATS.index(name)]

    annotators = tables["annotator"]

    def a(name: str) -> IntArray:
        return _column(annotators, ANNOTATOR_INTS, name)

    coder = np.searchsorted(annotator_ids, a("id"))

    def per_annotator(values: IntArray) -> FloatArray:
        return np.bincount(coder, weights=values, minlength=n_ann)

    def n_flagged(name: str) -> int:
        return int((per_annotator(a(name)) > 0).sum())

    counts = {
        "passages": int(d("passages").sum()),
        "passages_coded": int(d("passages_coded").sum()),
        "passages_shared": int(d("passages_shared").sum()),
        "documents": n_docs,
        "annotators": n_ann,
        "submitted_assignments": int(d("slots").sum()),
        "claims_total": int(d("claims_total").sum()),
        "claims_used": int(d("claims_used").sum()),
        "claims_ignored": int(d("claims_total").sum() - d("claims_used").sum()),
    }
    n_position = len(labels["perspective"]) + 2
    per_doc = np.zeros((n_docs, n_position, n_position))
    position = tables["position"]
    per_doc[position.document, position.ints[:, 0], position.ints[:, 1]] = position.floats[:, 0]
    positions = position_agreement(
        per_doc, labels["perspective"], int(d("position_units").sum()), n_flagged("on_shared_passage")
    )
    units, gaps = tables["unit"], tables["gap"]
    pieces = UnitizingPieces(
        rows=doc.floats[:, :UNITIZING_ROW],
        unit_document=np.repeat(units.document, units.ints[:, 1]),
        unit_length=np.repeat(units.ints[:, 0], units.ints[:, 1]).astype(np.float64),
        gap_document=np.repeat(gaps.document, gaps.ints[:, 1]),
        gap_length=np.repeat(gaps.ints[:, 0], gaps.ints[:, 1]).astype(np.float64),
    )
    pairs = tables["pair"]
    pa_, pb = pairs.ints[:, 0], pairs.ints[:, 1]

    def square(first: IntArray, second: IntArray, values: IntArray) -> FloatArray:
        flat = np.bincount(first * n_ann + second, weights=values, minlength=n_ann * n_ann)
        return flat.reshape(n_ann, n_ann).astype(np.float64)

    pair_claims = square(pa_, pb, pairs.ints[:, 3]) + square(pb, pa_, pairs.ints[:, 4])
    spans = span_agreement(
        {mode: d(f"tp_{mode}").astype(np.float64) for mode in MODES},
        d("f1_denominator").astype(np.float64),
        {mode: square(pa_, pb, pairs.ints[:, 5 + k]) for k, mode in enumerate(MODES)},
        pair_claims,
        int(d("span_units").sum()),
        n_flagged("claims_on_shared_passage"),
    )
    shared = square(pa_, pb, pairs.ints[:, 2])
    shared = shared + shared.T + np.diag(per_annotator(a("passages")))
    attributes = {}
    for name in ATTRIBUTES:
        sums = np.column_stack([f(f"{name}.diag"), *(d(f"{name}.{s}") for s in ATTRIBUTE_SUMS[1:])]).astype(
            np.float64
        )
        label_rows, coincidence = tables[f"label.{name}"], tables[f"coincidence.{name}"]
        kappa = tables[f"kappa.{name}"].ints
        attributes[name] = attribute_agreement(
            name,
            labels[name],
            n_ann,
            sums.reshape(n_docs, len(ATTRIBUTE_SUMS)),
            label_rows.document,
            label_rows.ints[:, 0],
            label_rows.ints[:, 1].astype(np.float64),
            label_rows.ints[:, 2],
            label_rows.floats[:, 0] if len(label_rows.floats) else np.zeros(0),
            (coincidence.ints[:, 0], coincidence.ints[:, 1], coincidence.floats.reshape(-1)),
            tuple(kappa[:, k] for k in range(5)),
            n_flagged(f"contributes.{name}"),
        )
    gold_counts = (int(d("gold_passages").sum()), int(d("gold_claims").sum()))
    gold_scores = None
    # Gold is shown when some document has an adjudicated passage (one adjudicated "no claims here" too);
    # a document computed with no gold in its batch adds nothing to the gold tables, as with it.
    if gold_counts[0] > 0:
        gold_scores = {
            "n_annotator": per_annotator(a("gold.n_annotator")),
            "n_gold": per_annotator(a("gold.n_gold")),
            "n_passages": per_annotator(a("gold.n_passages")).astype(np.int64),
            "tp_exact": per_annotator(a("gold.tp_exact")),
            "tp_overlap": per_annotator(a("gold.tp_overlap")),
        }
        for name in ATTRIBUTES:
            g = tables[f"gold.{name}"].ints
            gold_scores[f"kappa.{name}"] = gold_kappa(
                tuple(g[:, k] for k in range(4)), n_ann, len(labels[name])
            )
    return ProjectTotals(
        document_ids=[s.document for s in documents],
        annotator_ids=annotator_ids,
        labels=labels,
        counts=counts,
        positions=positions,
        unitizing=unitizing_agreement(pieces),
        spans=spans,
        attributes=attributes,
        gold_scores=gold_scores,
        gold_counts=gold_counts,
        shared=shared,
        annotator_passages=per_annotator(a("passages")).astype(np.int64),
        annotator_claims=per_annotator(a("claims")).astype(np.int64),
        document_passages=d("passages"),
        document_annotators=np.bincount(annotators.document, minlength=n_docs),
        document_positions=d("position_units"),
        document_claims=d("span_units"),
    )


def _suggestion_counts(stacked: _Stacked) -> dict[str, Any]:
    """How many of the claims the report uses came from suggestions, in all and per annotator."""
    annotators = stacked.tables["annotator"]
    coder = np.searchsorted(stacked.annotator_ids, annotators.ints[:, 0])
    n_ann = len(stacked.annotator_ids)
    marked = np.bincount(coder, weights=_column(annotators, ANNOTATOR_INTS, "claims"), minlength=n_ann)
    suggested = np.bincount(coder, weights=_column(annotators, ANNOTATOR_INTS, "suggested"), minlength=n_ann)

    def share(claims: int, from_suggestions: int) -> dict[str, Any]:
        return {
            "claims": claims,
            "suggested": from_suggestions,
            "share": from_suggestions / claims if claims else None,
        }

    return {
        **share(int(marked.sum()), int(suggested.sum())),
        "annotators": [
            {"annotator": int(annotator), **share(int(n), int(s))}
            for annotator, n, s in zip(
                stacked.annotator_ids.tolist(), marked.tolist(), suggested.tolist(), strict=True
            )
        ],
    }


def report_from_statistics(
    statistics: Iterable[DocumentStatistics],
    *,
    n_boot: int,
    seed: int,
    confidence: float = 0.95,
    gamma: dict | None = None,
    gamma_without: dict | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> tuple[dict, dict | None]:
    """(the report on all claims, the "without suggestions" section or None) of the documents whose
    statistics are given, the same as `suggested.report_with_and_without` on the union of their inputs;
    `gamma` and `gamma_without`, the γ sections of both (computed from claims), are shown in them."""
    step = progress or (lambda fraction, stage: None)
    documents = list(statistics)
    known = np.array([s.document is not None for s in documents], bool)
    key = np.array([s.first_passage if s.document is None else s.document for s in documents], np.int64)
    documents = [documents[k] for k in np.lexsort((key, ~known)).tolist()]
    step(0.0, "summing statistics")
    stacked = _stack([s.parts[0] for s in documents])
    counts = _suggestion_counts(stacked)
    totals = _totals(stacked, documents)
    options = {"n_boot": n_boot, "seed": seed, "confidence": confidence}
    if counts["suggested"] == 0:
        return build_report(totals, **options, gamma=gamma, progress=step), None
    step(0.05, "without suggestions: summing statistics")
    without_totals = _totals(_stack([s.parts[-1] for s in documents]), documents)
    # both reports' intervals from one set of resamples: each set of weights is drawn once
    statistics = resampled_statistics(totals)
    statistics.update({f"{WITHOUT}{k}": v for k, v in resampled_statistics(without_totals).items()})
    step(0.1, "bootstrap intervals of both reports")
    ci = intervals(statistics, len(documents), **options)
    step(0.9, "writing the reports")
    report = build_report(
        totals, **options, gamma=gamma, ci={k: v for k, v in ci.items() if not k.startswith(WITHOUT)}
    )
    without = build_report(
        without_totals,
        **options,
        ci={k[len(WITHOUT) :]: v for k, v in ci.items() if k.startswith(WITHOUT)},
        headline_only=True,
        gamma=gamma_without,
    )
    step(1.0, "done")
    section = {name: without[name] for name in HEADLINE_SECTIONS}
    return report, {
        **section,
        "definition": DEFINITION,
        "suggested_claims": counts,
        "comparison": comparison(report, section),
    }
