"""γ (Mathet et al. 2015) for the project report: claims as units of their passage, perspectives as their
categories (no Django). See gamma.py for the measure."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from annotator.agreement.maths.gamma import (
    Dissimilarity,
    gamma_from_terms,
    gamma_terms,
)
from annotator.agreement.maths.report_inputs import ProjectArrays
from annotator.agreement.maths.report_spans import coders_per_passage

GAMMA_SAMPLES = 100  # random continua for the chance disorder (fewer when each is costly, see below)
MIN_SAMPLES = 10
# The exact best alignment enumerates up to Π over a passage's annotators of (claims + 1) candidate unitary
# alignments and costs about 4 µs per candidate enumerated (one core, measured on generated projects of
# 3-8 annotators per passage). Above WORK_BUDGET, γ rests on a seeded random sample of passages, which
# keeps it near 1.5 s; the chance disorder gets CHANCE_BUDGET; a passage above MAX_PASSAGE_WORK (e.g.
# 8 annotators with 5 claims each) is left out, as its exact alignment takes seconds and much memory;
# chance continua are bounded alike.
WORK_BUDGET = 400_000
CHANCE_BUDGET = 100_000
MAX_PASSAGE_WORK = 1 << 19
NO_CATEGORY = "(none)"  # the category of a claim without a perspective
DEFINITION = (
    "γ (Mathet, Widlöcher & Métivier 2015): claims are aligned across annotators within each passage so "
    "that the summed disorder is least (position: ((|Δstart| + |Δend|) / (sum of lengths))², plus 1 for a "
    "different perspective, 1 for a claim nobody else marked); γ = 1 − observed / chance disorder, the "
    "chance disorder from random passages drawn with the project's claim counts, lengths, gaps and "
    "perspectives. 1 = perfect, 0 = chance."
)


def _number(value: float) -> float | None:
    return None if value is None or math.isnan(value) or math.isinf(value) else float(value)


def _units(pa: ProjectArrays, attribute: str) -> dict[str, Any]:
    codes = pa.codes[attribute]
    names = np.array([str(x) for x in pa.labels[attribute]] + [NO_CATEGORY], dtype=object)
    return {
        "continuum": pa.passage,
        "coder": pa.coder,
        "start": pa.start,
        "end": pa.end,
        "category": names[np.where(codes >= 0, codes, len(names) - 1)],
        "slot_continuum": pa.slot_passage,
        "slot_coder": pa.slot_coder,
    }


def _select(units: dict[str, Any], passages: np.ndarray) -> dict[str, Any]:
    claim = np.isin(units["continuum"], passages)
    slot = np.isin(units["slot_continuum"], passages)
    out = {key: value[claim] for key, value in units.items() if not key.startswith("slot_")}
    out.update(slot_continuum=units["slot_continuum"][slot], slot_coder=units["slot_coder"][slot])
    return out


def passage_work(pa: ProjectArrays) -> np.ndarray:
    """Per passage, Π over its annotators of (their claims there + 1): the size of the alignment search."""
    n_ann = max(len(pa.annotator_ids), 1)
    claims = np.bincount(pa.passage * n_ann + pa.coder, minlength=len(pa.passage_ids) * n_ann)
    per_slot = np.log1p(claims[pa.slot_passage * n_ann + pa.slot_coder])
    return np.exp(np.bincount(pa.slot_passage, weights=per_slot, minlength=len(pa.passage_ids)))


def gamma_section(
    pa: ProjectArrays,
    *,
    samples: int = GAMMA_SAMPLES,
    seed: int = 0,
    work_budget: float = WORK_BUDGET,
    attribute: str = "perspective",
    dissimilarity: Dissimilarity | None = None,
) -> dict:
    """γ of the project's claims with their `attribute` as category, as a report figure (value, observed and
    expected disorder, γ-cat and γ per label), on a seeded sample of passages above `work_budget`."""
    d = dissimilarity or Dissimilarity()
    shared = np.flatnonzero(coders_per_passage(pa) >= 2)
    work = passage_work(pa)[shared]
    too_large = work > MAX_PASSAGE_WORK
    eligible, work = shared[~too_large], work[~too_large]
    order = np.random.default_rng(seed).permutation(len(eligible))
    taken = max(int(np.searchsorted(np.cumsum(work[order]), work_budget, side="right")), min(1, len(order)))
    chosen = np.sort(eligible[order[:taken]])
    sampled = taken < len(eligible)
    units = _units(pa, attribute)
    if sampled or too_large.any():
        units = _select(units, chosen)
    mean_work = float(work[order[:taken]].mean()) if taken else 1.0
    samples_used = int(min(samples, max(MIN_SAMPLES, CHANCE_BUDGET // max(mean_work, 1.0))))
    terms = gamma_terms(**units, dissimilarity=d)
    result = gamma_from_terms(terms, samples=samples_used, seed=seed, max_work=MAX_PASSAGE_WORK)
    used = np.isin(units["slot_continuum"], chosen)
    return {
        "value": _number(result.gamma),
        "ci": None,
        "ci_reason": "not computed for γ",
        "n_units": int(terms.units),
        "n_annotators": len(np.unique(units["slot_coder"][used])),
        "observed_disorder": _number(result.observed),
        "expected_disorder": _number(result.expected),
        "expected_stderr": _number(result.expected_stderr),
        "samples": samples_used,
        "seed": int(seed),
        "passages": int(terms.continua),
        "passages_shared": len(shared),
        "passages_too_large": int(too_large.sum()),
        "sampled": bool(sampled),
        "attribute": attribute,
        "dissimilarity": {"alpha": d.alpha, "beta": d.beta, "delta_empty": d.delta_empty},
        "gamma_cat": _number(result.gamma_cat),
        "per_label": {label: _number(value) for label, value in result.per_label.items()},
        "definition": DEFINITION,
    }
