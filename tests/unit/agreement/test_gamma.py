"""γ agreement: pygamma-agreement's reference values and properties of the measure."""

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

from annotator.agreement.maths.gamma import (
    Dissimilarity,
    gamma,
    gamma_from_terms,
    gamma_terms,
    units_from_rows,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "gamma"
DKPRO = json.loads((FIXTURES / "dkpro_pygamma_fixtures.json").read_text())["fixtures"]
FLOAT32 = 1e-6  # pygamma-agreement computes disorders in float32: its values carry ~1e-7 relative error


def aps_rows() -> list[tuple[str, str, float, float]]:
    with open(FIXTURES / "AlexPaulSuzan.csv", newline="") as f:
        return [(r[0], r[1], float(r[2]), float(r[3])) for r in csv.reader(f)]


def fixture_dissimilarity(fixture: dict) -> Dissimilarity:
    p = fixture["params"]
    return Dissimilarity(alpha=p["alpha"], beta=p["beta"], delta_empty=p["deltaEmpty"])


def observed(rows: list, dissimilarity: Dissimilarity | None = None) -> float:
    return gamma_terms(**units_from_rows(rows), dissimilarity=dissimilarity).observed_disorder


def random_project(rng: np.random.Generator, passages: int, annotators: int, agree: float) -> dict:
    """Claims of `annotators` on `passages` passages: with probability `agree` a copy of a reference claim
    nudged by a character or two, otherwise a claim of their own."""
    cont, coder, start, end, category = [], [], [], [], []
    for p in range(passages):
        n = int(rng.integers(2, 8))
        ref_start = np.sort(rng.integers(0, 400, n))
        ref_length = rng.integers(5, 60, n)
        ref_cat = rng.integers(0, 3, n)
        for a in range(annotators):
            for s, length, c in zip(ref_start, ref_length, ref_cat, strict=True):
                if rng.random() < agree:
                    s0 = s + int(rng.integers(-2, 3))
                    e0 = s0 + length + int(rng.integers(-2, 3))
                else:
                    s0 = int(rng.integers(0, 400))
                    e0 = s0 + int(rng.integers(5, 60))
                    c = rng.integers(0, 3)
                cont.append(p)
                coder.append(a)
                start.append(s0)
                end.append(max(e0, s0 + 1))
                category.append(f"c{c}")
    return {
        "continuum": np.array(cont),
        "coder": np.array(coder),
        "start": np.array(start, float),
        "end": np.array(end, float),
        "category": np.array(category, dtype=object),
    }


# --- reference values --------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", DKPRO, ids=[f["name"] for f in DKPRO])
def test_pair_dissimilarities_and_best_alignment_disorders_match_pygamma(fixture):
    d = fixture_dissimilarity(fixture)
    rows = fixture["continuum"]
    assert observed(rows, d) == pytest.approx(fixture["best_alignment_disorder"], rel=FLOAT32, abs=1e-9)
    for sample in fixture["sampled"]:  # random float continua, two and three annotators
        expected = sample["best_alignment_disorder"]
        assert observed(sample["continuum"], d) == pytest.approx(expected, rel=FLOAT32, abs=1e-9)


def test_the_combined_dissimilarity_is_pygammas():
    d = Dissimilarity(alpha=3.0, beta=2.0)
    # ((|1-2| + |5-6|) / (4 + 4))² = 1/16; different categories add β·Δ
    assert d.positional(1, 5, 2, 6) == pytest.approx(0.0625)
    assert d.combined(1, 5, "a", 2, 6, "b") == pytest.approx(3 * 0.0625 + 2)
    assert d.combined([1, 1], [5, 5], ["a", "a"], [1, 9], [5, 14], ["a", "c"]).tolist() == pytest.approx(
        [0.0, 3 * ((8 + 9) / 9) ** 2 + 2]
    )


def test_alex_paul_suzan_disorder_is_pygammas_published_value():
    # pygamma-agreement's tests: alpha=3, beta=1 gives a best-alignment disorder of 0.96 (to 1%)
    assert observed(aps_rows(), Dissimilarity(alpha=3.0)) == pytest.approx(0.960625, abs=1e-12)
    assert observed(aps_rows()) == pytest.approx(0.6535416666666667, abs=1e-12)


def test_a_fractional_linear_relaxation_goes_to_the_integer_programme():
    # Three annotators, three units, every pair at d = 2.5: a triple costs 7.5 / 3, a pair and a single
    # (2.5 + 1 + 1) / 3 + 1, both 2.5; the relaxation takes each pair at one half for 2.25.
    rows = [("a", "x", 0, 10), ("b", "y", 0, 10), ("c", "z", 0, 10)]
    assert observed(rows, Dissimilarity(alpha=0.0, beta=2.5)) == pytest.approx(2.5, abs=1e-12)


@pytest.mark.parametrize("fixture", DKPRO, ids=[f["name"] for f in DKPRO])
def test_gamma_lies_where_pygammas_does(fixture):
    """pygamma's γ (30 samples, its own random stream) against ours with many samples: the chance disorder
    of 30 samples varies by some 2-5% between runs on continua this small (see the live comparison in
    test_gamma_pygamma.py), so the two agree to within 0.1 in γ once γ's scale (observed/expected) is
    taken into account."""
    d = fixture_dissimilarity(fixture)
    result = gamma(**units_from_rows(fixture["continuum"]), samples=300, seed=3, dissimilarity=d)
    reference = fixture["pygamma_gamma"]
    if fixture["best_alignment_disorder"] == 0:
        assert result.gamma == 1.0
        return
    relative_expected = abs(result.expected - reference["expectedDisorder"]) / reference["expectedDisorder"]
    assert relative_expected < 0.15
    assert abs(result.gamma - reference["gamma"]) < 0.15 * (1 - reference["gamma"]) + 0.02


# --- properties --------------------------------------------------------------------------------------


def test_perfect_agreement_is_one():
    units = random_project(np.random.default_rng(1), passages=10, annotators=1, agree=1.0)
    exact = {k: np.concatenate([v] * 3) for k, v in units.items()}  # three annotators mark the same
    exact["coder"] = np.repeat([0, 1, 2], len(units["coder"]))
    result = gamma(**exact, samples=10)
    assert result.observed == 0.0
    assert result.gamma == 1.0 and result.gamma_cat == 1.0
    assert all(v == 1.0 for v in result.per_label.values())


def independent_annotators(rng: np.random.Generator, passages: int, annotators: int) -> dict:
    """Annotators who each mark their own number of claims at their own places, one after another."""
    cont, coder, start, end, category = [], [], [], [], []
    for p in range(passages):
        for a in range(annotators):
            position = 0.0
            for _ in range(int(rng.integers(1, 9))):
                position += rng.uniform(0, 80)
                length = rng.uniform(5, 60)
                cont.append(p)
                coder.append(a)
                start.append(position)
                end.append(position + length)
                category.append(f"c{rng.integers(0, 3)}")
                position += length
    return {
        "continuum": np.array(cont),
        "coder": np.array(coder),
        "start": np.array(start),
        "end": np.array(end),
        "category": np.array(category, dtype=object),
    }


def test_random_annotators_agree_at_chance():
    rng = np.random.default_rng(11)
    result = gamma(**independent_annotators(rng, passages=80, annotators=2), samples=200, seed=2)
    assert abs(result.gamma) < 0.1
    agreeing = gamma(**random_project(rng, passages=60, annotators=2, agree=0.9), samples=100, seed=2)
    assert agreeing.gamma > 0.6


def test_gamma_does_not_depend_on_the_order_or_names_of_annotators():
    units = random_project(np.random.default_rng(3), passages=15, annotators=3, agree=0.6)
    base = gamma(**units, samples=30, seed=4)
    renamed = {**units, "coder": np.array([70, 5, 31])[units["coder"]]}
    shuffled = np.random.default_rng(0).permutation(len(units["coder"]))
    moved = {k: v[shuffled] for k, v in renamed.items()}
    other = gamma(**moved, samples=30, seed=4)
    assert other.observed == pytest.approx(base.observed, rel=1e-12)
    assert other.gamma == pytest.approx(base.gamma, rel=1e-9)


def test_an_annotator_who_marked_nothing_counts_as_disagreeing():
    units = units_from_rows([("a", "x", 0, 10), ("b", "x", 0, 10)])
    assert gamma_terms(**units).observed_disorder == 0.0
    silent = gamma_terms(
        **units, slot_continuum=np.zeros(3, int), slot_coder=np.array([0, 1, 2])
    )  # a third annotator saw the passage and marked nothing: one triple with an empty slot
    assert silent.observed_disorder == pytest.approx((0 + 1 + 1) / 3 / (2 / 3))


def test_continua_with_one_annotator_are_left_out():
    units = units_from_rows([("a", "x", 0, 10), ("a", "x", 20, 30)])
    terms = gamma_terms(**units)
    assert terms.continua == 0 and terms.units == 0
    assert math.isnan(gamma_from_terms(terms).gamma)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"end": np.array([5.0, 10.0])}, "start < end"),
        ({"coder": np.array([0])}, "differ in length"),
        ({"category": np.array(["x"], dtype=object)}, "category differs"),
    ],
)
def test_bad_units_are_refused(change, message):
    units = units_from_rows([("a", "x", 5, 10), ("b", "x", 0, 10)])
    with pytest.raises(ValueError, match=message):
        gamma_terms(**{**units, **change})
