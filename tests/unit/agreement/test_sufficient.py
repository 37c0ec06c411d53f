"""Per-document sufficient statistics: the report from their sums is the report, however the documents are
grouped, and the statistics survive their byte encoding."""

import json

import numpy as np
import pytest

from annotator.agreement.maths import sufficient
from annotator.agreement.maths.suggested import report_with_and_without
from tests.unit.agreement.reference import generated_project, reference
from tests.unit.agreement.test_report import (
    LENGTHS,
    _noisy_rows,
    assignments_table,
    claims_table,
    copies,
)
from tests.unit.agreement.test_suggested import accepted_suggestions, interleaved, noisy_copies

N_BOOT = 100


def text(result: tuple) -> str:
    return json.dumps(result, sort_keys=True, allow_nan=False)


def settle_coincidence_matrices(actual: tuple, expected: tuple) -> None:
    """The shown attribute coincidence matrices: the reference summed every unit in the order of the
    claims, the statistics sum per document, then over documents, so they may differ in the last bit.
    Check them to 1e-12 and then take the reference's, so that everything else compares exactly."""
    for mine, theirs in zip(actual, expected, strict=True):
        if theirs is None:
            continue
        for name, section in theirs["attributes"].items():
            matrix, expected_matrix = mine["attributes"][name]["coincidence"], section["coincidence"]
            if expected_matrix is None:
                assert matrix is None
                continue
            assert matrix["labels"] == expected_matrix["labels"]
            assert np.allclose(matrix["matrix"], expected_matrix["matrix"], rtol=1e-12, atol=0)
            mine["attributes"][name]["coincidence"] = expected_matrix


def assert_as_reference(inputs: dict, n_boot: int = N_BOOT, seed: int = 3) -> tuple:
    expected = reference().report_with_and_without(**inputs, n_boot=n_boot, seed=seed)
    actual = report_with_and_without(**inputs, n_boot=n_boot, seed=seed)
    # γ is computed from the claims, not from the per-document statistics, and is newer than the reference
    for report in (r for r in actual if r is not None):
        assert "value" in report["span"].pop("gamma")
    settle_coincidence_matrices(actual, expected)
    assert text(actual) == text(expected)
    return actual


def small_inputs(rows: list, annotators: list, suggested=None, **kwargs) -> dict:
    claims = claims_table(rows)
    return {
        "claims": claims,
        "assignments": assignments_table(annotators, unsubmitted=kwargs.pop("unsubmitted", ())),
        "passage_lengths": LENGTHS,
        "suggested": np.zeros(len(rows), bool) if suggested is None else suggested,
        **kwargs,
    }


def test_the_existing_test_projects_report_as_before():
    gold = claims_table(copies([0]))
    gold.pop("annotator_id")
    mixed, flags = interleaved(noisy_copies(), accepted_suggestions())
    cases = [
        small_inputs(copies([1, 2, 3]), [1, 2, 3]),
        small_inputs(_noisy_rows(4, [1, 2, 3, 4]), [1, 2, 3, 4], unsubmitted={(2, 3), (4, 1)}),
        small_inputs(_noisy_rows(5, [1, 2]), [1, 2], gold=gold),
        small_inputs([], [1, 2]),
        small_inputs(mixed, [1, 2, 3], flags),
    ]
    for inputs in cases:
        assert_as_reference(inputs)


@pytest.mark.parametrize("seed", [0, 1])
def test_generated_projects_report_as_before(seed):
    report, without = assert_as_reference(generated_project(seed))
    assert without is not None and report["gold"]["passages"] > 0
    assert any(label.startswith("local") for label in report["attributes"]["perspective"]["labels"])
    assert any(d["overlap_f1"]["value"] is None for d in report["documents"])  # documents without claims


def test_a_generated_project_with_many_labels_and_no_gold_reports_as_before():
    inputs = generated_project(5, n_docs=120, own_labels=40)
    inputs["gold"] = None
    report, _ = assert_as_reference(inputs)
    assert len(report["attributes"]["perspective"]["labels"]) > 20  # no matrices, no per-label alphas
    assert report["attributes"]["perspective"]["per_label"] == {} and report["gold"] is None


def chunk(inputs: dict, documents: set) -> dict:
    """The inputs restricted to whole documents."""
    lengths = inputs["passage_lengths"]
    mine = np.isin(lengths["document_id"], list(documents))
    passages = lengths["passage_id"][mine]
    claims = np.isin(inputs["claims"]["passage_id"], passages)
    gold = inputs["gold"]
    on_gold = np.isin(gold["passage_id"], passages)
    assigned = np.isin(inputs["assignments"]["passage_id"], passages)
    return {
        "claims": {k: v[claims] for k, v in inputs["claims"].items()},
        "assignments": {k: v[assigned] for k, v in inputs["assignments"].items()},
        "passage_lengths": {k: v[mine] for k, v in lengths.items()},
        "gold": {
            **{k: v[on_gold] for k, v in gold.items() if k != "adjudicated_passage_ids"},
            "adjudicated_passage_ids": gold["adjudicated_passage_ids"][
                np.isin(gold["adjudicated_passage_ids"], passages)
            ],
        },
        "suggested": inputs["suggested"][claims],
    }


def test_statistics_of_documents_computed_in_any_grouping_give_the_same_report_bit_for_bit():
    inputs = generated_project(2, n_docs=150)
    whole = sufficient.document_statistics(**inputs)
    expected = text(sufficient.report_from_statistics(whole.values(), n_boot=N_BOOT, seed=5))
    documents = np.unique(inputs["passage_lengths"]["document_id"])
    rng = np.random.default_rng(0)
    for n_chunks in (2, 7, len(documents)):
        label = rng.integers(0, n_chunks, len(documents))
        parts: dict = {}
        for c in range(n_chunks):
            if (label == c).any():
                parts.update(sufficient.document_statistics(**chunk(inputs, set(documents[label == c]))))
        assert sorted(parts) == sorted(whole)
        assert all(sufficient.to_bytes(parts[k]) == sufficient.to_bytes(whole[k]) for k in whole)
        shuffled = [parts[k] for k in rng.permutation(list(parts))]
        assert text(sufficient.report_from_statistics(shuffled, n_boot=N_BOOT, seed=5)) == expected


def test_statistics_round_trip_through_bytes():
    inputs = generated_project(3, n_docs=60)
    statistics = sufficient.document_statistics(**inputs)
    decoded = [sufficient.from_bytes(sufficient.to_bytes(s)) for s in statistics.values()]
    assert [sufficient.to_bytes(s) for s in decoded] == [sufficient.to_bytes(s) for s in statistics.values()]
    assert [s.key for s in decoded] == list(statistics)
    assert text(sufficient.report_from_statistics(decoded, n_boot=50, seed=1)) == text(
        sufficient.report_from_statistics(statistics.values(), n_boot=50, seed=1)
    )
    assert any(len(s.parts) == 2 for s in decoded) and any(len(s.parts) == 1 for s in decoded)


def test_another_format_version_is_refused():
    statistics = next(iter(sufficient.document_statistics(**generated_project(4, n_docs=3)).values()))
    data = bytearray(sufficient.to_bytes(statistics))
    data[0] ^= 0xFF
    with pytest.raises(ValueError, match="format"):
        sufficient.from_bytes(bytes(data))


def test_every_document_gets_statistics_those_without_claims_and_passages_of_unknown_documents_too():
    claims = claims_table(copies([1, 2], lambda a, k, c: c if c[0] in (1, 2) else None))
    claims.pop("document_id")  # documents known from claims only: passages 3 and 4 have none
    statistics = sufficient.document_statistics(claims, assignments_table([1, 2]), LENGTHS)
    assert sorted(statistics) == [-5, -4, -3, -2]  # minus one minus the passage id
    assert [s.document for s in statistics.values()] == [None] * 4
    report, without = sufficient.report_from_statistics(statistics.values(), n_boot=0, seed=0)
    assert without is None and [d["document"] for d in report["documents"]] == [None] * 4
    assert report["counts"]["documents"] == 4 and report["counts"]["claims_used"] == 2 * 3


def typical_document(seed: int) -> dict:
    """Ten passages of 400 characters, three annotators, three claims a passage each, boundaries and
    labels varying a little between annotators, no gold."""
    rng = np.random.default_rng(seed)
    rows = []
    for passage in range(1, 11):
        for k in range(3):
            start, perspective, speaker = 120 * k + int(rng.integers(0, 20)), int(rng.integers(0, 3)), 40 + k
            for annotator in (1, 2, 3):
                s, e = start + int(rng.integers(0, 4)), start + 60 + int(rng.integers(0, 4))
                stance = ("favor", "against", "neutral")[int(rng.integers(0, 3))]
                rows.append(
                    (
                        annotator,
                        passage,
                        s,
                        e,
                        ("chinese", "russian", "us_western")[perspective],
                        stance,
                        speaker,
                    )
                )
    table = claims_table([(a, 1, s, e, *rest) for a, _, s, e, *rest in rows])
    table["passage_id"] = np.array([r[1] for r in rows])
    lengths = {p: 400 for p in range(1, 11)}
    return {
        "claims": table,
        "assignments": assignments_table([1, 2, 3], passages=lengths),
        "passage_lengths": lengths,
    }


def test_a_typical_document_stays_small():
    (only,) = sufficient.document_statistics(**typical_document(0)).values()
    size = len(sufficient.to_bytes(only))
    assert size < 3000, size
    report, _ = sufficient.report_from_statistics([only], n_boot=0, seed=0)
    assert report["counts"]["claims_used"] == 90 and report["span"]["overlap_f1"]["value"] == 1.0


def test_no_documents_give_a_report_of_undefined_figures():
    report, without = sufficient.report_from_statistics([], n_boot=10, seed=0)
    assert without is None and report["documents"] == [] and report["counts"]["documents"] == 0
    assert report["span"]["position_alpha"]["value"] is None
    assert report["span"]["overlap_f1"]["ci_reason"] == "needs ≥ 2 documents"
