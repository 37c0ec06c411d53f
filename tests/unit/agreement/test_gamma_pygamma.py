"""γ against pygamma-agreement itself, run live on the same continua."""

import csv
import json
import logging
from pathlib import Path

import numpy as np
import pytest

from annotator.agreement.maths.gamma import Dissimilarity, gamma, gamma_terms, units_from_rows

pygamma = pytest.importorskip("pygamma_agreement")
from pyannote.core import Segment  # noqa: E402  (installed with pygamma-agreement)
from pygamma_agreement.sampler import StatisticalContinuumSampler  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "gamma"


@pytest.fixture(autouse=True)
def _quiet_solver_fallback():
    logging.disable(logging.WARNING)  # pygamma warns on every alignment that it falls back to GLPK
    yield
    logging.disable(logging.NOTSET)


def aps_rows() -> list[tuple[str, str, float, float]]:
    with open(FIXTURES / "AlexPaulSuzan.csv", newline="") as f:
        return [(r[0], r[1], float(r[2]), float(r[3])) for r in csv.reader(f)]


def continuum_of(rows):
    continuum = pygamma.Continuum()
    for annotator, category, start, end in rows:
        continuum.add(annotator, Segment(start, end), category)
    return continuum


def pygamma_dissimilarity(d: Dissimilarity):
    return pygamma.CombinedCategoricalDissimilarity(alpha=d.alpha, beta=d.beta, delta_empty=d.delta_empty)


def disorder_in_float64(alignment, continuum, d: Dissimilarity) -> float:
    """pygamma's chosen best alignment, its disorder recomputed in float64 (pygamma sums in float32)."""
    total = 0.0
    for unitary in alignment.unitary_alignments:
        units = [u for _, u in unitary.n_tuple]
        pairs = [(a, b) for i, a in enumerate(units) for b in units[i + 1 :]]
        cost = 0.0
        for a, b in pairs:
            if a is None or b is None:
                cost += d.delta_empty
            else:
                s = (
                    a.segment.start,
                    a.segment.end,
                    a.annotation,
                    b.segment.start,
                    b.segment.end,
                    b.annotation,
                )
                cost += float(d.combined(*s))
        total += cost / len(pairs)
    return total / continuum.avg_num_annotations_per_annotator


def random_rows(rng: np.random.Generator, annotators: int) -> list:
    rows = []
    for a in range(annotators):
        position = 0
        for _ in range(int(rng.integers(2, 6))):
            position += int(rng.integers(-5, 15))
            length = int(rng.integers(3, 20))
            rows.append(
                (f"ann{a}", str(rng.integers(0, 2)), float(max(position, 0)), float(position + length))
            )
            position += length
    return [r for r in rows if r[3] > r[2]]


@pytest.mark.parametrize("alpha", [1.0, 3.0])
def test_best_alignment_disorder_equals_pygammas(alpha):
    d = Dissimilarity(alpha=alpha)
    cases = [aps_rows()] + [random_rows(np.random.default_rng(s), 2 + s % 2) for s in range(4)]
    for rows in cases:
        continuum = continuum_of(rows)
        best = continuum.get_best_alignment(pygamma_dissimilarity(d))
        mine = gamma_terms(**units_from_rows(rows), dissimilarity=d).observed_disorder
        assert mine == pytest.approx(disorder_in_float64(best, continuum, d), abs=1e-9)
        assert mine == pytest.approx(float(best.disorder), rel=1e-6)


def test_gamma_cat_and_gamma_k_disorders_equal_pygammas_on_the_same_alignment():
    rows = aps_rows()  # with alpha = 1 the best alignment is unique
    d = Dissimilarity()
    terms = gamma_terms(**units_from_rows(rows), dissimilarity=d)
    dissimilarity = pygamma_dissimilarity(d)
    best = continuum_of(rows).get_best_alignment(dissimilarity)
    assert terms.cat_disorder / terms.cat_weight == pytest.approx(
        best.gamma_k_disorder(dissimilarity, None), rel=1e-6
    )
    for label in ("2", "6", "7"):
        reference = best.gamma_k_disorder(dissimilarity, label)
        assert terms.label_disorder[label] / terms.label_weight[label] == pytest.approx(reference, rel=1e-6)


def test_gamma_agrees_with_pygammas_within_its_sampling_spread():
    """pygamma's γ with its default (statistical) sampler, 5 runs of 30 samples, against ours with 1000:
    the runs' spread (sd ≈ 0.01 here) is pygamma's sampling error; three of it bounds the difference."""
    rows = aps_rows()
    continuum = continuum_of(rows)
    dissimilarity = pygamma_dissimilarity(Dissimilarity())
    runs = []
    for seed in range(5):
        np.random.seed(seed)  # pygamma samples from numpy's global generator
        runs.append(continuum.compute_gamma(dissimilarity, n_samples=30).gamma)
    mine = gamma(**units_from_rows(rows), samples=1000, seed=0)
    assert abs(mine.gamma - np.mean(runs)) <= max(3 * np.std(runs), 0.02)


def test_our_chance_continua_are_distributed_as_pygammas_statistical_samplers():
    """The mean best-alignment disorder of continua drawn by pygamma's StatisticalContinuumSampler (aligned
    here) against ours: equal within sampling error, plus 3% for the zero gap pygamma adds per continuum."""
    fixtures = json.loads((FIXTURES / "dkpro_pygamma_fixtures.json").read_text())["fixtures"]
    rows = next(f for f in fixtures if f["name"] == "fixture_05_larger_two_annotators")["continuum"]
    sampler = StatisticalContinuumSampler()
    sampler.init_sampling(continuum_of(rows))
    np.random.seed(0)
    theirs = []
    for _ in range(300):
        sample = sampler.sample_from_continuum
        drawn = [(a, u.annotation, u.segment.start, u.segment.end) for a, u in sample]
        theirs.append(gamma_terms(**units_from_rows(drawn)).observed_disorder)
    mine = gamma(**units_from_rows(rows), samples=1000, seed=0)
    error = np.hypot(np.std(theirs) / np.sqrt(len(theirs)), mine.expected_stderr)
    assert abs(mine.expected - np.mean(theirs)) <= 4 * error + 0.03 * mine.expected
