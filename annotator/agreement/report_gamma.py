"""γ (Mathet et al. 2015) for the project report: claims as units of their passage, perspectives as their
categories (no Django). See gamma.py for the measure."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from annotator.agreement.gamma import (
    Dissimilarity,
    GammaTerms,
    gamma_from_terms,
    gamma_terms,
    gamma_terms_by_group,
)
from annotator.agreement.report_inputs import ProjectArrays
from annotator.agreement.report_spans import coders_per_passage

GAMMA_SAMPLES = 100  # random continua for the chance disorder
# Above this many passages coded by >= 2 annotators, γ is computed on a seeded sample of them: the best
# alignment of three annotators' claims costs about 0.4 ms per passage (two annotators: 0.03 ms).
GAMMA_MAX_PASSAGES = 20_000
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


def gamma_document_terms(
    pa: ProjectArrays, *, attribute: str = "perspective", dissimilarity: Dissimilarity | None = None
) -> dict[Any, GammaTerms]:
    """γ terms per document (dense document index -> terms), for runs that store and sum them."""
    units = _units(pa, attribute)
    group = dict(enumerate(pa.passage_document.tolist()))
    return gamma_terms_by_group(group, **units, dissimilarity=dissimilarity)


def gamma_section(
    pa: ProjectArrays,
    *,
    samples: int = GAMMA_SAMPLES,
    seed: int = 0,
    max_passages: int = GAMMA_MAX_PASSAGES,
    attribute: str = "perspective",
    dissimilarity: Dissimilarity | None = None,
) -> dict:
    """γ of the project's claims with their `attribute` as category, as a report figure (value, observed and
    expected disorder, γ-cat and γ per label)."""
    d = dissimilarity or Dissimilarity()
    shared = np.flatnonzero(coders_per_passage(pa) >= 2)
    units = _units(pa, attribute)
    sampled = len(shared) > max_passages
    if sampled:
        chosen = np.sort(np.random.default_rng(seed).choice(shared, size=max_passages, replace=False))
        units = _select(units, chosen)
    terms = gamma_terms(**units, dissimilarity=d)
    result = gamma_from_terms(terms, samples=samples, seed=seed)
    used = np.isin(units["slot_continuum"], shared)
    return {
        "value": _number(result.gamma),
        "ci": None,
        "ci_reason": "not computed for γ",
        "n_units": int(terms.units),
        "n_annotators": len(np.unique(units["slot_coder"][used])),
        "observed_disorder": _number(result.observed),
        "expected_disorder": _number(result.expected),
        "expected_stderr": _number(result.expected_stderr),
        "samples": int(samples),
        "seed": int(seed),
        "passages": int(terms.continua),
        "passages_shared": len(shared),
        "sampled": bool(sampled),
        "attribute": attribute,
        "dissimilarity": {"alpha": d.alpha, "beta": d.beta, "delta_empty": d.delta_empty},
        "gamma_cat": _number(result.gamma_cat),
        "per_label": {label: _number(value) for label, value in result.per_label.items()},
        "definition": DEFINITION,
    }
