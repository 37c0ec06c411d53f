"""The project agreement report: plain numpy arrays in, a JSON-serialisable dict out (no Django).

Inputs (numpy structured arrays, or dicts of equal-length 1-D arrays):
- claims: passage_id, annotator_id, start, end (half-open character offsets into the passage),
  perspective and stance (string labels or integer codes; None, "", nan or a negative code = not set),
  speaker_id (int; negative = authorial, reported as the speaker label "none"), document_id.
- assignments: passage_id, annotator_id, submitted (bool). Only submitted assignments count: their
  annotators are the coders of the passage (one who marked nothing agrees on "no claim here"); everything
  else is missing data, and claims without a submitted assignment are ignored.
- passage_lengths: {passage_id: length}, or a table passage_id, length[, document_id] (the document of a
  passage without claims is known only from such a table; otherwise it is a document of its own).
- gold (optional): claims-like table without annotator_id; the adjudicated passages are those with gold
  claims plus, when gold is a dict, its optional "adjudicated_passage_ids".

Result (nan is None everywhere; every figure is {"value", "ci", "n_units", "n_annotators", ...}):
- parameters, counts, notes
- span: position_alpha, unitizing_alpha, exact_f1, overlap_f1 (pooled over annotator pairs, + macro_mean)
- attributes.{perspective,stance,speaker}: alpha, fleiss_kappa (or a reason), cohen_kappa_mean,
  per_label (one-vs-rest alpha), coincidence {labels, matrix}, ambiguous_claims
- pairs: per annotator pair: shared passages, exact/overlap F1, kappa per attribute, confusion matrices;
  pair_matrix: the same as annotator x annotator matrices
- annotators: per annotator vs. the others (F1, kappa) and vs. gold (precision/recall/F1, kappa)
- documents: per document position alpha, overlap F1, attribute alphas
- gold: adjudicated passage and claim counts, confusion (annotator rows x gold columns) per attribute
95% intervals are percentile bootstrap intervals over documents, each replicate reweighting the stored
per-document statistics (see bootstrap.Reweighted).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import sparse

from annotator.agreement.bootstrap import Reweighted, degenerate_interval_reason, reweighted_intervals
from annotator.agreement.coefficients import alpha_batch, fast_unique
from annotator.agreement.report_attributes import attribute_agreement, claim_units, gold_kappa
from annotator.agreement.report_gamma import gamma_section
from annotator.agreement.report_inputs import ATTRIBUTES, ProjectArrays, project_arrays
from annotator.agreement.report_spans import (
    coders_per_passage,
    gold_span_scores,
    position_agreement,
    span_matches,
    unitizing_agreement,
)
from annotator.agreement.spans import MODES

NOTES = [
    "position_alpha: nominal Krippendorff's alpha over characters; label none / claim / claim:<perspective>;"
    " where one annotator's claims overlap, the shortest covering claim decides.",
    "unitizing_alpha: Krippendorff's (1995, 2004) u-alpha for claim vs. no claim over all passages as one"
    " continuum; overlapping claims of one annotator are merged.",
    "exact_f1 / overlap_f1: 2*matched / (claims of a + claims of b) pooled over annotator pairs on their"
    " shared passages; overlap matching maximises summed Jaccard overlap one-to-one.",
    "attributes: units are groups of claims linked by overlap matches; Cohen's kappa per pair uses the"
    " pairwise matches; cohen_kappa_mean is the mean over pairs (Light's kappa).",
    "ci: 95% percentile bootstrap over documents by reweighting per-document statistics.",
]


def _number(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def _interval(ci: tuple[float, float] | str | None) -> list | None:
    if ci is None or isinstance(ci, str) or any(_number(x) is None for x in ci):
        return None
    return [float(ci[0]), float(ci[1])]


def _figure(value: Any, ci: Any, n_units: int, n_annotators: int, **extra: Any) -> dict:
    return {
        "value": _number(value),
        "ci": _interval(ci),
        "n_units": int(n_units),
        "n_annotators": int(n_annotators),
        **({"ci_reason": ci} if isinstance(ci, str) else {}),
        **extra,
    }


def _matrix(matrix: np.ndarray | None, labels: list) -> dict | None:
    if matrix is None:
        return None
    return {"labels": [str(x) for x in labels], "matrix": np.asarray(matrix, dtype=float).tolist()}


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(bottom > 0, top / bottom, np.nan)


def project_report(
    claims: Any,
    assignments: Any,
    *,
    passage_lengths: Any,
    gold: Any = None,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    progress: Callable[[float, str], None] | None = None,
) -> dict:
    """The full agreement report of one project (layout in the module docstring); n_boot=0 skips CIs."""
    step = progress or (lambda fraction, stage: None)
    pa = project_arrays(claims, assignments, passage_lengths, gold)
    step(0.05, "span agreement")
    positions = position_agreement(pa)
    u_value, u_statistic = unitizing_agreement(pa)
    spans = span_matches(pa)
    step(0.35, "attribute agreement")
    unit, ambiguous = claim_units(pa, *spans.pairs["overlap"])
    attributes = {a: attribute_agreement(pa, a, unit, ambiguous, spans.pairs["overlap"]) for a in ATTRIBUTES}
    gold_scores = gold_span_scores(pa) if pa.gold_passages is not None else None
    if gold_scores is not None:
        for name in ATTRIBUTES:
            gold_scores[f"kappa.{name}"] = gold_kappa(
                pa, name, gold_scores["pairs_overlap"], len(pa.annotator_ids)
            )

    step(0.55, "bootstrap intervals")
    statistics: dict[str, Reweighted] = {"position": positions.statistic, "unitizing": u_statistic}
    statistics.update({f"f1.{mode}": spans.statistics[mode] for mode in MODES})
    for name, agreement in attributes.items():
        statistics[f"{name}.alpha"] = agreement.alpha
        if agreement.fleiss is not None:
            statistics[f"{name}.fleiss"] = agreement.fleiss
        statistics.update({f"{name}.label.{label}": s for label, s in agreement.per_label.items()})
    n_docs = len(pa.document_ids)
    ci = reweighted_intervals(statistics, n_docs, n_boot, seed, confidence) if n_boot > 0 else {}
    # A collapsed interval is replaced by the reason (a str), which _figure reports as ci_reason.
    ci = {key: degenerate_interval_reason(interval, n_docs) or interval for key, interval in ci.items()}

    step(0.9, "writing the report")
    n_ann = len(pa.annotator_ids)
    f1 = {}
    for mode in MODES:
        pair_f1 = _pair_f1(spans.pair_tp[mode], spans.pair_claims)
        f1[f"{mode}_f1"] = _figure(
            spans.statistics[mode].value(),
            ci.get(f"f1.{mode}"),
            spans.n_units,
            spans.n_annotators,
            n_pairs=int(np.isfinite(pair_f1).sum()),
            macro_mean=_number(_nanmean(pair_f1)),
        )
    report = {
        "version": 1,
        "parameters": {
            "n_boot": int(n_boot),
            "seed": int(seed),
            "confidence": float(confidence),
            "resampling_unit": "document",
        },
        "counts": _counts(pa),
        "notes": NOTES,
        "span": {
            "position_alpha": _figure(
                positions.statistic.value(),
                ci.get("position"),
                positions.n_units,
                positions.n_annotators,
                labels=positions.labels,
            ),
            "unitizing_alpha": _figure(u_value, ci.get("unitizing"), spans.n_units, positions.n_annotators),
            "gamma": gamma_section(pa, seed=seed),
            **f1,
        },
        "attributes": {name: _attribute_section(name, a, ci) for name, a in attributes.items()},
    }
    shared = _shared_passages(pa)
    report["pairs"], report["pair_matrix"] = _pairs(pa, spans, attributes, shared)
    report["annotators"] = _annotators(pa, spans, attributes, gold_scores, n_ann)
    report["documents"] = _documents(pa, positions, spans, attributes)
    report["gold"] = _gold_section(pa, gold_scores) if gold_scores is not None else None
    step(1.0, "done")
    return report


def _nanmean(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if len(finite) else float("nan")


def _pair_f1(tp: np.ndarray, pair_claims: np.ndarray) -> np.ndarray:
    """(A, A) F1 per annotator pair, upper triangle only (nan elsewhere and where undefined)."""
    result = _ratio(2.0 * tp, pair_claims + pair_claims.T)
    return np.where(np.triu(np.ones_like(tp, dtype=bool), k=1), result, np.nan)


def _shared_passages(pa: ProjectArrays) -> np.ndarray:
    shape = (len(pa.passage_ids), len(pa.annotator_ids))
    slots = sparse.csr_matrix((np.ones(len(pa.slot_passage)), (pa.slot_passage, pa.slot_coder)), shape=shape)
    return np.asarray((slots.T @ slots).todense())


def _counts(pa: ProjectArrays) -> dict:
    m = coders_per_passage(pa)
    return {
        "passages": len(pa.passage_ids),
        "passages_coded": int((m >= 1).sum()),
        "passages_shared": int((m >= 2).sum()),
        "documents": len(pa.document_ids),
        "annotators": len(pa.annotator_ids),
        "submitted_assignments": len(pa.slot_passage),
        "claims_total": int(pa.claims_total),
        "claims_used": len(pa.passage),
        "claims_ignored": int(pa.claims_total - len(pa.passage)),
    }


def _attribute_section(name: str, a: Any, ci: dict) -> dict:
    if a.fleiss is not None:
        fleiss = _figure(a.fleiss.value(), ci.get(f"{name}.fleiss"), a.n_units, a.n_annotators)
    else:
        fleiss = _figure(float("nan"), None, a.n_units, a.n_annotators, reason=a.fleiss_reason)
    pair_kappa = np.where(a.pair_n > 0, a.pair_kappa, np.nan)
    return {
        "labels": [str(x) for x in a.labels],
        "alpha": _figure(a.alpha.value(), ci.get(f"{name}.alpha"), a.n_units, a.n_annotators),
        "fleiss_kappa": fleiss,
        "cohen_kappa_mean": _figure(
            _nanmean(pair_kappa),
            None,
            int(a.pair_n.sum()),
            a.n_annotators,
            n_pairs=int(np.isfinite(pair_kappa).sum()),
        ),
        "per_label": {
            # n: the units where some annotator gave this label, not every unit of the attribute.
            label: _figure(
                s.value(), ci.get(f"{name}.label.{label}"), a.per_label_units[label], a.n_annotators
            )
            for label, s in a.per_label.items()
        },
        "coincidence": _matrix(a.coincidence, a.coincidence_labels),
        "ambiguous_claims": a.ambiguous,
    }


def _pairs(pa: ProjectArrays, spans: Any, attributes: dict, shared: np.ndarray) -> tuple[list, dict]:
    ids = pa.annotator_ids.tolist()
    f1 = {mode: _pair_f1(spans.pair_tp[mode], spans.pair_claims) for mode in MODES}
    pairs = []
    for a, b in zip(*np.nonzero(np.triu(shared, k=1)), strict=True):
        entry = {"annotators": [ids[a], ids[b]], "shared_passages": int(shared[a, b])}
        for mode in MODES:
            n_a, n_b = int(spans.pair_claims[a, b]), int(spans.pair_claims[b, a])
            tp = int(spans.pair_tp[mode][a, b])
            entry[f"{mode}_f1"] = _figure(f1[mode][a, b], None, n_a + n_b, 2, tp=tp, n_a=n_a, n_b=n_b)
        for name, att in attributes.items():
            entry[f"{name}_kappa"] = _figure(att.pair_kappa[a, b], None, att.pair_n[a, b], 2)
        entry["confusion"] = {
            name: _matrix(None if att.pair_confusion is None else att.pair_confusion[a, b], att.labels)
            for name, att in attributes.items()
        }
        pairs.append(entry)

    def symmetric(values: np.ndarray) -> list:
        full = np.where(np.isfinite(values), values, values.T)
        return [[_number(x) for x in row] for row in full]

    matrix = {"annotators": ids, "shared_passages": shared.astype(int).tolist()}
    matrix.update({f"{mode}_f1": symmetric(f1[mode]) for mode in MODES})
    for name, att in attributes.items():
        upper = np.where(np.triu(np.ones_like(att.pair_n, dtype=bool), k=1), att.pair_kappa, np.nan)
        matrix[f"{name}_kappa"] = symmetric(upper)
    return pairs, matrix


def _annotators(pa: ProjectArrays, spans: Any, attributes: dict, gold: dict | None, n_ann: int) -> list:
    passages = np.bincount(pa.slot_coder, minlength=n_ann)
    claims = np.bincount(pa.coder, minlength=n_ann)
    denominator = spans.pair_claims + spans.pair_claims.T
    np.fill_diagonal(denominator, 0)
    partners = (denominator > 0).sum(axis=1)
    result = []
    for a, annotator in enumerate(pa.annotator_ids.tolist()):
        others, group = {}, 1 + int(partners[a])
        for mode in MODES:
            tp = spans.pair_tp[mode][a].sum() + spans.pair_tp[mode][:, a].sum()
            others[f"{mode}_f1"] = _figure(
                _ratio(2.0 * tp, denominator[a].sum()), None, denominator[a].sum(), group
            )
        for name, att in attributes.items():
            others[f"{name}_kappa"] = _figure(att.annotator_kappa[a], None, att.annotator_n[a], group)
        entry = {
            "annotator": annotator,
            "passages": int(passages[a]),
            "claims": int(claims[a]),
            "vs_others": others,
            "vs_gold": None,
        }
        if gold is not None and gold["n_passages"][a] > 0:
            entry["vs_gold"] = _vs_gold(pa, gold, a, attributes)
        result.append(entry)
    return result


def _vs_gold(pa: ProjectArrays, gold: dict, a: int, attributes: dict) -> dict:
    n_mine, n_gold = gold["n_annotator"][a], gold["n_gold"][a]
    entry: dict[str, Any] = {"passages": int(gold["n_passages"][a])}
    for mode in MODES:
        tp = gold[f"tp_{mode}"][a]
        entry[f"{mode}"] = {
            "precision": _number(_ratio(tp, n_mine)),
            "recall": _number(_ratio(tp, n_gold)),
            "f1": _number(_ratio(2.0 * tp, n_mine + n_gold)),
            "tp": int(tp),
            "n_annotator": int(n_mine),
            "n_gold": int(n_gold),
        }
    for name in attributes:
        k = gold[f"kappa.{name}"]
        entry[f"{name}_kappa"] = _figure(k["kappa"][a], None, k["n"][a], 2)
    return entry


def _gold_section(pa: ProjectArrays, gold: dict) -> dict:
    return {
        "passages": len(pa.gold_passages),
        "claims": len(pa.gold_passage),
        "confusion": {
            name: _matrix(gold[f"kappa.{name}"]["confusion"], pa.labels[name]) for name in ATTRIBUTES
        },
        "confusion_axes": {"rows": "annotator", "columns": "gold"},
    }


def _documents(pa: ProjectArrays, positions: Any, spans: Any, attributes: dict) -> list:
    n_docs = len(pa.document_ids)
    values = np.arange(len(positions.labels))
    position = alpha_batch(positions.per_document, values, "nominal")
    f1_rows = spans.statistics["overlap"].rows
    overlap = _ratio(2.0 * f1_rows[:, 0], f1_rows[:, 1])
    passages = np.bincount(pa.passage_document, minlength=n_docs)
    slot_doc = pa.passage_document[pa.slot_passage]
    annotators = np.bincount(
        fast_unique(slot_doc * (len(pa.annotator_ids) + 1) + pa.slot_coder) // (len(pa.annotator_ids) + 1),
        minlength=n_docs,
    )
    shared = coders_per_passage(pa) >= 2
    positions_n = np.bincount(pa.passage_document, weights=pa.passage_length * shared, minlength=n_docs)
    claims_n = np.bincount(pa.passage_document[pa.passage], weights=shared[pa.passage], minlength=n_docs)
    result = []
    for d, document in enumerate(pa.document_ids):
        group = int(annotators[d])
        entry = {
            "document": document,
            "passages": int(passages[d]),
            "annotators": group,
            "position_alpha": _figure(position[d], None, positions_n[d], group),
            "overlap_f1": _figure(overlap[d], None, claims_n[d], group),
        }
        for name, att in attributes.items():
            entry[f"{name}_alpha"] = _figure(att.per_document[d], None, att.per_document_units[d], group)
        result.append(entry)
    return result
