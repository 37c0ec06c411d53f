"""γ in the project report: claims as units of their passage, perspectives as categories."""

import json

import numpy as np

from annotator.agreement.maths.report import project_report
from annotator.agreement.maths.report_gamma import (
    NO_CATEGORY,
    gamma_section,
    passage_work,
)
from annotator.agreement.maths.report_inputs import project_arrays

LENGTHS = {1: 60, 2: 50, 3: 40, 4: 70}
# (passage, start, end, perspective)
REFERENCE = [
    (1, 0, 20, "chinese"),
    (1, 30, 55, "us"),
    (2, 5, 25, ""),
    (3, 0, 15, "chinese"),
    (4, 10, 40, "us"),
]


def inputs(rows_by_annotator: dict[int, list]) -> tuple[dict, dict, dict]:
    rows = [(a, *r) for a, claims in rows_by_annotator.items() for r in claims]
    annotator, passage, start, end, perspective = (np.array(c) for c in zip(*rows, strict=True))
    claims = {
        "passage_id": passage.astype(int),
        "annotator_id": annotator.astype(int),
        "start": start.astype(int),
        "end": end.astype(int),
        "perspective": perspective.astype(str),
        "stance": np.full(len(rows), "favor"),
        "speaker_id": np.full(len(rows), -1),
        "document_id": np.array([10 * (p > 2) for p in passage]),
    }
    pairs = [(p, a) for a in rows_by_annotator for p in LENGTHS]
    assignments = {
        "passage_id": np.array([p for p, _ in pairs]),
        "annotator_id": np.array([a for _, a in pairs]),
        "submitted": np.ones(len(pairs), bool),
    }
    return claims, assignments, LENGTHS


def test_identical_annotators_have_gamma_one_and_the_section_is_json():
    pa = project_arrays(*inputs({1: REFERENCE, 2: REFERENCE, 3: REFERENCE}))
    section = gamma_section(pa, samples=20)
    assert section["value"] == 1.0 and section["observed_disorder"] == 0.0
    assert section["expected_disorder"] > 0
    assert section["n_units"] == 15 and section["n_annotators"] == 3 and section["passages"] == 4
    assert sorted(section["per_label"]) == sorted(["chinese", "us", NO_CATEGORY])
    assert section["sampled"] is False and section["samples"] == 20
    json.dumps(section, allow_nan=False)


def test_disagreement_lowers_gamma_and_the_report_carries_it():
    moved = [(p, s + 4, e + 4, "us" if k == 0 else c) for k, (p, s, e, c) in enumerate(REFERENCE[:-1])]
    claims, assignments, lengths = inputs({1: REFERENCE, 2: moved})
    report = project_report(claims, assignments, passage_lengths=lengths, n_boot=0, seed=3)
    section = report["span"]["gamma"]
    assert section["value"] < 0.9 and section["observed_disorder"] > 0
    assert section["seed"] == 3
    assert section["per_label"]["chinese"] < 1.0
    json.dumps(report, allow_nan=False)


def test_above_the_work_budget_a_seeded_sample_of_passages_is_used():
    pa = project_arrays(*inputs({1: REFERENCE, 2: REFERENCE[1:]}))
    # passage 1: (2 + 1)(1 + 1) = 6 candidate alignments to search, passages 2-4: 4 each
    assert passage_work(pa).tolist() == [6.0, 4.0, 4.0, 4.0]
    section = gamma_section(pa, samples=10, work_budget=10, seed=1)
    assert section["sampled"] is True
    assert section["passages"] == 2 and section["passages_shared"] == 4
    assert section == gamma_section(pa, samples=10, work_budget=10, seed=1)
    assert gamma_section(pa, samples=10, work_budget=18)["passages"] == 4
