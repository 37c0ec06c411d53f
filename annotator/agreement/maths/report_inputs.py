"""Turn the project report's plain inputs into dense, validated numpy arrays (no Django).

See `report.project_report` for the input layout. Everything downstream works on dense integer codes:
passages 0..P-1, documents 0..D-1, annotators 0..A-1 (gold, when given, is coder A), labels 0..V-1
with -1 for a missing label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from annotator.agreement.maths.coefficients import as_labels, encode, fast_unique, missing_mask

IntArray = NDArray[np.int64]
ATTRIBUTES = ("perspective", "stance", "speaker")
CLAIM_FIELDS = ("passage_id", "annotator_id", "start", "end", "perspective", "stance", "speaker_id")


def columns(table: Any, required: tuple[str, ...], name: str) -> dict[str, np.ndarray]:
    """A structured array or a mapping of equal-length columns, as a dict of 1-D arrays."""
    if isinstance(table, np.ndarray) and table.dtype.names:
        data = {key: table[key] for key in table.dtype.names}
    elif isinstance(table, Mapping):
        data = {key: np.asarray(value) for key, value in table.items()}
    else:
        raise ValueError(f"{name} must be a numpy structured array or a dict of arrays")
    missing = [key for key in required if key not in data]
    if missing:
        raise ValueError(f"{name} lacks column(s): {', '.join(missing)}")
    lengths = {len(data[key]) for key in required}
    if len(lengths) > 1:
        raise ValueError(f"{name}: columns differ in length")
    return data


def integers(values: np.ndarray, name: str) -> IntArray:
    arr = np.asarray(values)
    if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.array_equal(arr, np.floor(arr)):
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iub":
        raise ValueError(f"{name} must hold integers")
    return arr.astype(np.int64)


@dataclass
class ProjectArrays:
    """Dense view of one project. Claims are only those of submitted assignments."""

    passage_ids: IntArray  # P, sorted
    passage_length: IntArray  # P
    passage_document: IntArray  # P -> 0..D-1
    document_ids: list  # D output ids (None for passages with no known document)
    annotator_ids: IntArray  # A, sorted
    slot_passage: IntArray  # submitted (passage, annotator) assignments
    slot_coder: IntArray
    passage: IntArray  # claims
    coder: IntArray
    start: IntArray
    end: IntArray
    codes: dict[str, IntArray]  # attribute -> label code per claim (-1 = missing)
    labels: dict[str, list]  # attribute -> label names in code order
    claims_total: int = 0
    gold_passage: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))  # gold claims
    gold_start: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    gold_end: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    gold_codes: dict[str, IntArray] = field(default_factory=dict)
    gold_passages: IntArray | None = None  # adjudicated passages (dense), None without gold
    claim_rows: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))  # input row of each claim
    claims_per_passage: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))  # used or not


def _passage_table(passage_lengths: Any) -> tuple[IntArray, IntArray, IntArray | None]:
    if isinstance(passage_lengths, Mapping) and "passage_id" not in passage_lengths:
        ids = np.fromiter(passage_lengths.keys(), np.int64, len(passage_lengths))
        lengths = np.fromiter(passage_lengths.values(), np.int64, len(passage_lengths))
        docs = None
    else:
        table = columns(passage_lengths, ("passage_id", "length"), "passage_lengths")
        ids, lengths = integers(table["passage_id"], "passage_id"), integers(table["length"], "length")
        docs = integers(table["document_id"], "document_id") if "document_id" in table else None
    order = np.argsort(ids, kind="stable")
    ids, lengths = ids[order], lengths[order]
    if len(ids) and np.any(ids[1:] == ids[:-1]):
        raise ValueError("passage_lengths lists a passage twice")
    if np.any(lengths <= 0):
        raise ValueError("every passage length must be positive")
    return ids, lengths, None if docs is None else docs[order]


def _lookup(ids: IntArray, values: IntArray, what: str) -> IntArray:
    pos = np.minimum(np.searchsorted(ids, values), max(len(ids) - 1, 0))
    if len(values) and (len(ids) == 0 or np.any(ids[pos] != values)):
        raise ValueError(f"{what} refers to a passage missing from passage_lengths")
    return pos.astype(np.int64)


def encode_attribute(parts: list[np.ndarray], attribute: str, rows: list) -> tuple[list, list[IntArray]]:
    """Common label codes (-1 = missing) of the selected `rows` of several columns of one attribute:
    (labels, codes per part). Only labels that occur in the selected rows are kept.

    Missing: None/nan/"" and, for integer codes, negative values. For the speaker, a negative id
    (authorial, no speaker) is a label of its own, reported as "none".
    """
    arr = as_labels(parts[0]) if len(parts) == 1 else as_labels(np.concatenate([as_labels(p) for p in parts]))
    if arr.dtype.kind in "iu" or (arr.dtype.kind == "f" and attribute == "speaker"):
        arr = np.maximum(integers(arr, attribute), -1 if attribute == "speaker" else -2)
    elif arr.dtype.kind == "O":  # strings and None (as loaded from a database): to a numpy string array
        absent = missing_mask(arr)
        if all(isinstance(x, str) for x in arr[~absent].tolist()):
            arr = np.where(absent, "", arr).astype(str)
    domain, coded = encode(arr)  # the whole column: cheaper than copying the present labels out first
    missing = missing_mask(domain)
    if domain.dtype.kind in "iuf":
        missing |= domain < (-1 if attribute == "speaker" else 0)
    coded = np.where(missing[coded], -1, coded)
    bounds = np.cumsum([0] + [len(p) for p in parts])
    selected = [coded[bounds[k] : bounds[k + 1]][rows[k]] for k in range(len(parts))]
    seen = np.zeros(len(domain) + 1, bool)  # compact to the labels actually used (index -1 = missing)
    for codes in selected:
        seen[codes] = True
    seen[-1] = False
    remap = np.full(len(domain) + 1, -1, np.int64)
    remap[np.flatnonzero(seen)] = np.arange(int(seen.sum()))
    labels = domain[seen[:-1]].tolist()
    if attribute == "speaker" and domain.dtype.kind in "iu":
        labels = ["none" if v == -1 else v for v in labels]
    return labels, [remap[codes] for codes in selected]


def _check_spans(passage: IntArray, start: IntArray, end: IntArray, lengths: IntArray, what: str) -> None:
    if np.any(start < 0) or np.any(start >= end) or np.any(end > lengths[passage]):
        raise ValueError(f"{what}: every span needs 0 <= start < end <= passage length")


def project_arrays(claims: Any, assignments: Any, passage_lengths: Any, gold: Any = None) -> ProjectArrays:
    """Validate and encode the report inputs (see report.project_report)."""
    ids, lengths, table_docs = _passage_table(passage_lengths)
    c = columns(claims, CLAIM_FIELDS, "claims")
    a = columns(assignments, ("passage_id", "annotator_id", "submitted"), "assignments")
    a_passage = _lookup(ids, integers(a["passage_id"], "passage_id"), "assignments")
    a_coder = integers(a["annotator_id"], "annotator_id")
    submitted = np.asarray(a["submitted"]).astype(bool)
    annotator_ids = fast_unique(a_coder[submitted])
    slot_key = fast_unique(
        a_passage[submitted] * (len(annotator_ids) + 1) + np.searchsorted(annotator_ids, a_coder[submitted])
    )
    slot_passage, slot_coder = slot_key // (len(annotator_ids) + 1), slot_key % (len(annotator_ids) + 1)

    passage = _lookup(ids, integers(c["passage_id"], "passage_id"), "claims")
    start, end = integers(c["start"], "start"), integers(c["end"], "end")
    _check_spans(passage, start, end, lengths, "claims")
    raw_coder = integers(c["annotator_id"], "annotator_id")
    coder = np.minimum(np.searchsorted(annotator_ids, raw_coder), max(len(annotator_ids) - 1, 0))
    known = (annotator_ids[coder] == raw_coder) if len(annotator_ids) else np.zeros(len(coder), bool)
    key = passage * (len(annotator_ids) + 1) + coder
    used = known & np.isin(key, slot_key)  # claims of unsubmitted assignments are missing data

    g = columns(gold, CLAIM_FIELDS[:1] + CLAIM_FIELDS[2:], "gold") if gold is not None else None
    codes, labels, gold_codes = {}, {}, {}
    for attribute in ATTRIBUTES:
        column = "speaker_id" if attribute == "speaker" else attribute
        parts = [np.asarray(c[column])] + ([np.asarray(g[column])] if g is not None else [])
        labels[attribute], coded = encode_attribute(parts, attribute, [used, slice(None)])
        codes[attribute] = coded[0]
        gold_codes[attribute] = coded[1] if g is not None else np.zeros(0, np.int64)

    document, document_ids = _documents(len(ids), table_docs, passage, c.get("document_id"))
    project = ProjectArrays(
        passage_ids=ids,
        passage_length=lengths,
        passage_document=document,
        document_ids=document_ids,
        annotator_ids=annotator_ids,
        slot_passage=slot_passage,
        slot_coder=slot_coder,
        passage=passage[used],
        coder=coder[used],
        start=start[used],
        end=end[used],
        codes=codes,
        labels=labels,
        claims_total=len(passage),
        claim_rows=np.flatnonzero(used),
        claims_per_passage=np.bincount(passage, minlength=len(ids)),
    )
    if g is not None:
        gp = _lookup(ids, integers(g["passage_id"], "passage_id"), "gold")
        gs, ge = integers(g["start"], "start"), integers(g["end"], "end")
        _check_spans(gp, gs, ge, lengths, "gold")
        extra = np.asarray(gold.get("adjudicated_passage_ids", [])) if isinstance(gold, Mapping) else []
        adjudicated = _lookup(ids, integers(np.asarray(extra, np.int64), "adjudicated_passage_ids"), "gold")
        project.gold_passage, project.gold_start, project.gold_end = gp, gs, ge
        project.gold_codes = gold_codes
        project.gold_passages = fast_unique(np.r_[gp, adjudicated])
    return project


def _documents(
    n_passages: int, table_docs: IntArray | None, claim_passage: IntArray, claim_docs: np.ndarray | None
) -> tuple[IntArray, list]:
    """Dense document per passage: from passage_lengths, else from the claims; else one per passage."""
    if table_docs is None:
        table_docs = np.full(n_passages, np.iinfo(np.int64).min, np.int64)
        if claim_docs is not None and len(claim_passage):
            docs = integers(claim_docs, "document_id")
            table_docs[claim_passage] = docs
            if np.any(table_docs[claim_passage] != docs):
                raise ValueError("claims of one passage name different documents")
    unknown = table_docs == np.iinfo(np.int64).min
    known = table_docs[~unknown]
    low = int(known.min()) if len(known) else 0
    span = int(known.max()) - low + 1 if len(known) else 0
    key = np.where(unknown, span + np.arange(n_passages), table_docs - low)  # unknown: a document of its own
    _, first, dense = fast_unique(key, return_index=True, return_inverse=True)
    ids = [None if unknown[i] else int(table_docs[i]) for i in first.tolist()]
    return dense.reshape(-1).astype(np.int64), ids
