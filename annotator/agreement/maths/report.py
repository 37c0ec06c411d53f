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

The report is computed from per-document sufficient statistics (`sufficient.document_statistics`) summed
into `ProjectTotals` (`sufficient.report_from_statistics`); this module turns the totals into the report.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from annotator.agreement.maths.bootstrap import Reweighted, degenerate_interval_reason, reweighted_intervals
from annotator.agreement.maths.coefficients import alpha_batch
from annotator.agreement.maths.report_attributes import AttributeAgreement
from annotator.agreement.maths.report_gamma import gamma_section
from annotator.agreement.maths.report_inputs import ATTRIBUTES, project_arrays
from annotator.agreement.maths.report_spans import PositionAgreement, SpanMatches
from annotator.agreement.maths.spans import MODES

IntArray = NDArray[np.int64]
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
    """The full agreement report of one project (layout in the module docstring); n_boot=0 skips CIs.

    Computed as the report of the project's per-document sufficient statistics (see `sufficient`)."""
    from annotator.agreement.maths import sufficient  # it builds on this module

    step = progress or (lambda fraction, stage: None)
    step(0.05, "statistics per document")
    statistics = sufficient.document_statistics(claims, assignments, passage_lengths, gold)
    report, _ = sufficient.report_from_statistics(
        statistics.values(),
        n_boot=n_boot,
        seed=seed,
        confidence=confidence,
        gamma=gamma_section(project_arrays(claims, assignments, passage_lengths, gold), seed=seed),
        progress=lambda fraction, stage: step(0.35 + 0.65 * fraction, stage),
    )
    return report


@dataclass
class ProjectTotals:
    """Everything the report shows, summed over the documents (annotators and labels as project codes)."""

    document_ids: list
    annotator_ids: IntArray
    labels: dict[str, list]
    counts: dict
    positions: PositionAgreement
    unitizing: tuple[float, Reweighted]
    spans: SpanMatches
    attributes: dict[str, AttributeAgreement]
    gold_scores: dict | None  # per annotator vs. gold; None without gold
    gold_counts: tuple[int, int]  # adjudicated passages, gold claims
    shared: np.ndarray  # (A, A) shared passages; the diagonal: each annotator's passages
    annotator_passages: np.ndarray
    annotator_claims: np.ndarray
    document_passages: np.ndarray
    document_annotators: np.ndarray
    document_positions: np.ndarray  # characters on shared passages
    document_claims: np.ndarray  # claims on shared passages


def resampled_statistics(totals: ProjectTotals) -> dict[str, Reweighted]:
    """The figures that get bootstrap intervals, by the key `build_report` looks their interval up with."""
    spans = totals.spans
    statistics: dict[str, Reweighted] = {
        "position": totals.positions.statistic,
        "unitizing": totals.unitizing[1],
    }
    statistics.update({f"f1.{mode}": spans.statistics[mode] for mode in MODES})
    for name, agreement in totals.attributes.items():
        statistics[f"{name}.alpha"] = agreement.alpha
        if agreement.fleiss is not None:
            statistics[f"{name}.fleiss"] = agreement.fleiss
        statistics.update({f"{name}.label.{label}": s for label, s in agreement.per_label.items()})
    return statistics


def intervals(
    statistics: dict[str, Reweighted], n_docs: int, *, n_boot: int, seed: int, confidence: float
) -> dict[str, Any]:
    """Percentile intervals over documents from one shared set of resamples (none when n_boot is 0);
    a collapsed interval is replaced by the reason (a str), which _figure reports as ci_reason."""
    ci = reweighted_intervals(statistics, n_docs, n_boot, seed, confidence) if n_boot > 0 else {}
    return {key: degenerate_interval_reason(interval, n_docs) or interval for key, interval in ci.items()}


def build_report(
    totals: ProjectTotals,
    *,
    n_boot: int,
    seed: int,
    confidence: float,
    ci: dict[str, Any] | None = None,
    headline_only: bool = False,
    gamma: dict | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> dict:
    """The report (layout in the module docstring) from the summed statistics; `ci` the intervals when
    they were drawn already (see `intervals`); `headline_only` stops after the counts, span and
    attribute sections; `gamma` the γ section (`report_gamma.gamma_section`), computed from claims rather
    than from the summed statistics."""
    step = progress or (lambda fraction, stage: None)
    positions, spans, attributes = totals.positions, totals.spans, totals.attributes
    u_value = totals.unitizing[0]
    if ci is None:
        step(0.1, "bootstrap intervals")
        options = {"n_boot": n_boot, "seed": seed, "confidence": confidence}
        ci = intervals(resampled_statistics(totals), len(totals.document_ids), **options)

    step(0.9, "writing the report")
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
        "counts": totals.counts,
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
            **({"gamma": gamma} if gamma is not None else {}),
            **f1,
        },
        "attributes": {name: _attribute_section(name, a, ci) for name, a in attributes.items()},
    }
    if headline_only:
        step(1.0, "done")
        return report
    n_ann = len(totals.annotator_ids)
    report["pairs"], report["pair_matrix"] = _pairs(totals, spans, attributes, totals.shared)
    report["annotators"] = _annotators(totals, spans, attributes, totals.gold_scores, n_ann)
    report["documents"] = _documents(totals, positions, spans, attributes)
    report["gold"] = _gold_section(totals, totals.gold_scores) if totals.gold_scores is not None else None
    step(1.0, "done")
    return report


def _nanmean(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if len(finite) else float("nan")


def _pair_f1(tp: np.ndarray, pair_claims: np.ndarray) -> np.ndarray:
    """(A, A) F1 per annotator pair, upper triangle only (nan elsewhere and where undefined)."""
    result = _ratio(2.0 * tp, pair_claims + pair_claims.T)
    return np.where(np.triu(np.ones_like(tp, dtype=bool), k=1), result, np.nan)


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


def _pairs(totals: ProjectTotals, spans: Any, attributes: dict, shared: np.ndarray) -> tuple[list, dict]:
    ids = totals.annotator_ids.tolist()
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


def _annotators(totals: ProjectTotals, spans: Any, attributes: dict, gold: dict | None, n_ann: int) -> list:
    passages, claims = totals.annotator_passages, totals.annotator_claims
    denominator = spans.pair_claims + spans.pair_claims.T
    np.fill_diagonal(denominator, 0)
    partners = (denominator > 0).sum(axis=1)
    result = []
    for a, annotator in enumerate(totals.annotator_ids.tolist()):
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
            entry["vs_gold"] = _vs_gold(gold, a, attributes)
        result.append(entry)
    return result


def _vs_gold(gold: dict, a: int, attributes: dict) -> dict:
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


def _gold_section(totals: ProjectTotals, gold: dict) -> dict:
    return {
        "passages": totals.gold_counts[0],
        "claims": totals.gold_counts[1],
        "confusion": {
            name: _matrix(gold[f"kappa.{name}"]["confusion"], totals.labels[name]) for name in ATTRIBUTES
        },
        "confusion_axes": {"rows": "annotator", "columns": "gold"},
    }


def _documents(totals: ProjectTotals, positions: Any, spans: Any, attributes: dict) -> list:
    values = np.arange(len(positions.labels))
    position = alpha_batch(positions.per_document, values, "nominal") if totals.document_ids else []
    f1_rows = spans.statistics["overlap"].rows
    overlap = _ratio(2.0 * f1_rows[:, 0], f1_rows[:, 1])
    result = []
    for d, document in enumerate(totals.document_ids):
        group = int(totals.document_annotators[d])
        entry = {
            "document": document,
            "passages": int(totals.document_passages[d]),
            "annotators": group,
            "position_alpha": _figure(position[d], None, totals.document_positions[d], group),
            "overlap_f1": _figure(overlap[d], None, totals.document_claims[d], group),
        }
        for name, att in attributes.items():
            entry[f"{name}_alpha"] = _figure(att.per_document[d], None, att.per_document_units[d], group)
        result.append(entry)
    return result
