"""Agreement coefficients: published worked examples, reference implementations, edge cases, properties."""

import itertools
import math
import warnings

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from annotator.agreement.maths import metrics

nan = np.nan
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", section C: 4 observers x 12 units, values
# 1-5, missing data. (The 3 x 15 table below is the `krippendorff` package's documented example.)
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]
PACKAGE_EXAMPLE = [
    [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
    [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
    [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
]
# Fleiss (1971): 30 patients, 6 psychiatrists, 5 diagnoses (raw ratings, as R irr's `diagnoses`)
FLEISS_1971 = [
    [4, 4, 4, 4, 4, 4],
    [2, 2, 2, 5, 5, 5],
    [2, 3, 3, 3, 3, 5],
    [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3],
    [3, 3, 3, 3, 5, 5],
    [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4],
    [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4],
    [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3],
    [1, 4, 4, 4, 4, 4],
    [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5],
    [1, 1, 1, 1, 1, 2],
    [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5],
    [2, 4, 4, 4, 4, 4],
    [2, 2, 4, 5, 5, 5],
    [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4],
    [1, 1, 1, 1, 5, 5],
    [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3],
    [5, 5, 5, 5, 5, 5],
]
# Wikipedia "Fleiss' kappa" worked example: 10 subjects, 14 raters, 5 categories
WIKIPEDIA_FLEISS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def same(a: float, b: float, tol: float = 1e-9) -> bool:
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tol


# --- published worked examples ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "printed"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)]
)
def test_krippendorff_2011_example_with_missing_data_matches_the_printed_alphas(level, printed):
    assert round(metrics.krippendorff_alpha(K2011, level), 3) == printed


def test_krippendorff_2011_two_coder_binary_example_gives_0_095():
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert round(metrics.krippendorff_alpha([a, b], "nominal"), 3) == 0.095


def test_package_documented_example_gives_its_nominal_and_interval_alpha():
    assert round(metrics.krippendorff_alpha(PACKAGE_EXAMPLE, "nominal"), 6) == 0.691358
    assert round(metrics.krippendorff_alpha(PACKAGE_EXAMPLE, "interval"), 6) == 0.810845


def test_string_labels_with_an_ordered_domain_give_the_numeric_ordinal_alpha():
    names = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
    words = [[None if x != x else names[x] for x in row] for row in K2011]
    assert round(metrics.krippendorff_alpha(words, "nominal"), 3) == 0.743
    assert round(metrics.krippendorff_alpha(words, "ordinal", values=list(names.values())), 3) == 0.815
    with pytest.raises(ValueError, match="ordered"):
        metrics.krippendorff_alpha(words, "ordinal")


def test_fleiss_1971_psychiatric_diagnoses_give_kappa_0_430():
    counts = np.array([np.bincount(row, minlength=6)[1:] for row in FLEISS_1971])
    assert round(metrics.fleiss_kappa(counts), 3) == 0.430


def test_wikipedia_fleiss_example_gives_kappa_0_210():
    assert round(metrics.fleiss_kappa(WIKIPEDIA_FLEISS), 3) == 0.210


def test_cohen_1960_table_1_gives_kappa_0_492():
    # Cohen (1960), Table 1 as counts of 200: p_o = .70, p_c = .41
    table = [[88, 14, 18], [10, 40, 10], [2, 6, 12]]
    assert round(metrics.cohen_kappa_from_confusion(table), 2) == 0.49
    assert round(metrics.cohen_kappa_from_confusion(table), 3) == 0.492


def test_textbook_two_by_two_table_gives_kappa_0_4():
    # 50 proposals, yes/yes 20, yes/no 5, no/yes 10, no/no 15: p_o = .7, p_e = .5
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert round(metrics.cohen_kappa(a, b), 3) == 0.4
    labels, matrix = metrics.confusion_matrix(a, b, labels=["yes", "no"])
    assert list(labels) == ["yes", "no"] and matrix.tolist() == [[20, 5], [10, 15]]


# --- against reference implementations ----------------------------------------------------------------

reliability = st.integers(2, 6).flatmap(
    lambda coders: st.lists(
        st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=coders, max_size=coders),
        min_size=1,
        max_size=25,
    )
)


@PROPERTY
@given(reliability, st.sampled_from(metrics.LEVELS))
def test_alpha_equals_the_krippendorff_package_on_random_data_with_missing_values(units, level):
    data = np.array([[nan if v is None else v for v in unit] for unit in units], dtype=float).T
    ours = metrics.krippendorff_alpha(data, level)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))
    except ValueError:  # the package refuses what we call undefined
        assert math.isnan(ours)
        return
    assert same(ours, theirs)


@PROPERTY
@given(st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("abcd")), min_size=1, max_size=60))
def test_cohen_kappa_equals_sklearn(pairs):
    a, b = zip(*pairs, strict=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = float(cohen_kappa_score(a, b))
    assert same(metrics.cohen_kappa(a, b), theirs)


@PROPERTY
@given(
    st.lists(
        st.tuples(st.one_of(st.none(), st.integers(0, 3)), st.one_of(st.none(), st.integers(0, 3))),
        min_size=1,
        max_size=60,
    )
)
def test_cohen_kappa_drops_pairs_with_a_missing_label(pairs):
    a, b = zip(*pairs, strict=True)
    complete = [(x, y) for x, y in pairs if x is not None and y is not None]
    if not complete:
        assert math.isnan(metrics.cohen_kappa(a, b))
        return
    x, y = zip(*complete, strict=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert same(metrics.cohen_kappa(a, b), float(cohen_kappa_score(x, y)))


@PROPERTY
@given(st.integers(2, 8), st.integers(2, 5), st.lists(st.integers(0, 10**6), min_size=1, max_size=30))
def test_fleiss_kappa_equals_statsmodels(raters, categories, seeds):
    table = np.array(
        [
            np.bincount(np.random.default_rng(s).integers(0, categories, raters), minlength=categories)
            for s in seeds
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = float(sm_fleiss_kappa(table))
    ours = metrics.fleiss_kappa(table)
    assert same(ours, theirs) if math.isfinite(theirs) else math.isnan(ours)


# --- additivity -------------------------------------------------------------------------------------


def test_coincidence_matrices_of_parts_sum_to_the_matrix_of_the_whole():
    rng = np.random.default_rng(7)
    data = rng.integers(1, 5, (4, 60)).astype(float)
    data[rng.random(data.shape) < 0.3] = nan
    values = [1.0, 2.0, 3.0, 4.0]
    parts = [metrics.coincidence_matrix(data[:, i : i + 20], values)[1] for i in (0, 20, 40)]
    whole = metrics.coincidence_matrix(data, values)[1]
    np.testing.assert_allclose(sum(parts), whole, atol=1e-12)
    for level in metrics.LEVELS:
        assert same(
            metrics.alpha_from_coincidences(sum(parts), values, level),
            metrics.krippendorff_alpha(data, level),
        )


def test_confusion_matrices_of_parts_sum_to_the_kappa_of_the_whole():
    a = list("aabbcabcab" * 3)
    b = list("abbbcaccab" * 3)
    labels = ["a", "b", "c"]
    summed = (
        metrics.confusion_matrix(a[:12], b[:12], labels)[1]
        + metrics.confusion_matrix(a[12:], b[12:], labels)[1]
    )
    assert same(metrics.cohen_kappa_from_confusion(summed), metrics.cohen_kappa(a, b))


def test_fleiss_kappa_from_totals_matches_the_table_form():
    table = np.array(WIKIPEDIA_FLEISS)
    agreeing = float((table * (table - 1)).sum())
    assert same(
        metrics.fleiss_kappa_from_totals(table.sum(axis=0), agreeing, 10, 14), metrics.fleiss_kappa(table)
    )


# --- undefined agreement and malformed input ------------------------------------------------------


def test_perfect_agreement_is_one_for_every_coefficient():
    data = [[1, 2, 3, 1], [1, 2, 3, 1], [1, 2, 3, nan]]
    assert all(metrics.krippendorff_alpha(data, level) == 1.0 for level in metrics.LEVELS)
    assert metrics.cohen_kappa("abca", "abca") == 1.0
    assert metrics.fleiss_kappa([[3, 0], [0, 3], [3, 0]]) == 1.0


@pytest.mark.parametrize(
    "data",
    [
        [[2, 2, 2], [2, 2, nan]],  # one category only
        [[1, 2, 3, 4]],  # one coder
        [[nan, nan], [nan, nan]],  # all missing
        [[1, nan, 3], [nan, 2, nan]],  # no unit with two values
    ],
)
def test_undefined_alpha_is_nan_not_an_error(data):
    assert all(math.isnan(metrics.krippendorff_alpha(data, level)) for level in metrics.LEVELS)


def test_undefined_kappas_are_nan():
    assert math.isnan(metrics.cohen_kappa(["a", "a"], ["a", "a"]))
    assert math.isnan(metrics.cohen_kappa([None, "a"], ["b", None]))
    assert math.isnan(metrics.fleiss_kappa([[4, 0], [4, 0]]))
    assert math.isnan(metrics.fleiss_kappa(np.zeros((0, 3))))
    assert math.isnan(metrics.fleiss_kappa([[1, 0], [0, 1]]))  # a single rater per unit


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: metrics.krippendorff_alpha([1, 2, 3]), "2-D"),
        (lambda: metrics.krippendorff_alpha([[1, 2], [1, 2]], "cardinal"), "unknown level"),
        (lambda: metrics.krippendorff_alpha([[1, 2], [1, 2]], values=[1]), "not in values"),
        (lambda: metrics.alpha_from_coincidences([[1, -1], [-1, 1]], [0, 1]), "non-negative"),
        (lambda: metrics.cohen_kappa([1, 2], [1]), "same length"),
        (lambda: metrics.cohen_kappa_from_confusion([[1, 2, 3]]), "square"),
        (lambda: metrics.fleiss_kappa([[2, 1], [1, 1]]), "same number of raters"),
        (lambda: metrics.fleiss_kappa([[3, -1], [1, 1]]), "non-negative"),
        (lambda: metrics.fleiss_kappa([1, 2]), "2-D"),
    ],
)
def test_malformed_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- unitizing -----------------------------------------------------------------------------------------

# Krippendorff (2004: 254), two observers on the continuum [150, 450), categories c and k, as reproduced in
# DKPro Agreement's tests (uDo_c = .0144, uDe_c = .0532, u-alpha_c = .7286, u-alpha_k = 1). Shifted to 0.
K2004_I = [(75, 145, "c"), (220, 250, "c"), (30, 90, "k"), (150, 200, "k")]
K2004_J = [(70, 150, "c"), (205, 225, "c"), (250, 270, "c"), (30, 90, "k"), (150, 200, "k")]


def test_unitizing_alpha_reproduces_krippendorff_2004_example_per_category():
    by_category = metrics.unitizing_alpha_by_category([K2004_I, K2004_J], 300)
    assert round(by_category["c"], 4) == 0.7286
    assert by_category["k"] == 1.0
    # overall = 1 - sum uDo / sum uDe; uDo_c by hand: pairs (225,70)-(220,80): 5^2 + 5^2 = 50,
    # (370,30)-(355,20): 15^2 + 25^2 = 850, unit (400,20) inside a gap of i: 20^2 = 400,
    # both orders of the pair: 2 * 1300 / (m (m - 1) L^2) = 2 * 1300 / (2 * 300^2)
    d_o = 2 * 1300 / (2 * 300**2)
    d_e_c = d_o / (1 - by_category["c"])
    assert round(d_o, 4) == 0.0144 and round(d_e_c, 4) == 0.0532
    assert abs(metrics.unitizing_alpha([K2004_I, K2004_J], 300) - 0.8591) < 0.0005  # DKPro's tolerance


def test_unitizing_alpha_hand_worked_binary_example():
    # L = 10; coder A unit [2,6), coder B unit [3,6).
    # uDo: overlapping units, (2-3)^2 + (6-6)^2 = 1, counted for both ordered pairs: 2 / (2 * 1 * 10^2) = 0.01
    # uDe: units 4 and 3 (N = 2); gaps A: 2, 4; B: 3, 4.
    #   (N-1)/3 * sum(2l^3 - 3l^2 + l) = (84 + 30) / 3 = 38
    #   sum l^2 * sum_{gaps >= l} (g - l + 1) = 16 * (1 + 1) + 9 * (2 + 1 + 2) = 77
    #   2/L * (38 + 77) / (mL(mL-1) - sum l(l-1)) = 23 / (380 - 18) = 23 / 362
    expected = 1 - 0.01 / (23 / 362)
    assert abs(metrics.unitizing_alpha([[(2, 6)], [(3, 6)]], 10) - expected) < 1e-12
    assert round(expected, 4) == 0.8426


unitizations = st.integers(2, 4).flatmap(
    lambda coders: st.lists(
        st.lists(st.tuples(st.integers(0, 28), st.integers(1, 8), st.sampled_from("xy")), max_size=4),
        min_size=coders,
        max_size=coders,
    )
)


def _clean(coders: list, length: int = 36) -> list:
    """Per coder and category, non-overlapping units (the 1995 formulation's assumption)."""
    result = []
    for units in coders:
        kept: list = []
        for start, size, cat in units:
            end = min(start + size, length)
            if not any(c == cat and s < end and start < e for s, e, c in kept):
                kept.append((start, end, cat))
        result.append(kept)
    return result


def _reference_unitizing(coders: list, length: int) -> float:
    """Straightforward sections-based u-alpha (Krippendorff 2004, as DKPro codes it), loops everywhere."""
    m = len(coders)
    total_o = total_e = 0.0
    for cat in sorted({c for units in coders for *_, c in units}):
        sections = []
        for units in coders:
            marks = sorted((s, e) for s, e, c in units if c == cat)
            secs, pos = [], 0
            for s, e in marks:
                if s > pos:
                    secs.append((pos, s - pos, False))
                secs.append((s, e - s, True))
                pos = e
            if pos < length:
                secs.append((pos, length - pos, False))
            sections.append(secs)
        d_o = 0.0
        for i, j in itertools.permutations(range(m), 2):
            for b1, l1, u1 in sections[i]:
                for b2, l2, u2 in sections[j]:
                    if u1 and u2 and -l1 < b1 - b2 < l2:
                        d_o += (b1 - b2) ** 2 + (b1 + l1 - b2 - l2) ** 2
                    elif u1 and not u2 and b2 <= b1 and b1 + l1 <= b2 + l2:
                        d_o += l1**2
                    elif u2 and not u1 and b1 <= b2 and b2 + l2 <= b1 + l1:
                        d_o += l2**2
        units = [size for secs in sections for _, size, u in secs if u]
        gaps = [size for secs in sections for _, size, u in secs if not u]
        n = len(units)
        top = sum(
            (n - 1) / 3 * (2 * x**3 - 3 * x**2 + x) + x**2 * sum(g - x + 1 for g in gaps if g >= x)
            for x in units
        )
        total_o += d_o / (m * (m - 1) * length**2)
        total_e += 2 / length * top / (m * length * (m * length - 1) - sum(x * (x - 1) for x in units))
    return 1 - total_o / total_e if total_e > 0 else nan


@PROPERTY
@given(unitizations)
def test_unitizing_alpha_equals_a_loop_by_loop_reference(coders):
    coders = _clean(coders)
    assert same(metrics.unitizing_alpha(coders, 36), _reference_unitizing(coders, 36), 1e-9)


@PROPERTY
@given(unitizations, st.randoms())
def test_unitizing_alpha_is_invariant_to_coder_order_and_perfect_for_copies(coders, rnd):
    coders = _clean(coders)
    shuffled = coders[:]
    rnd.shuffle(shuffled)
    assert same(metrics.unitizing_alpha(coders, 36), metrics.unitizing_alpha(shuffled, 36))
    if any(coders[0]):
        assert metrics.unitizing_alpha([coders[0]] * 3, 36) == 1.0


def test_overlapping_units_of_one_coder_count_as_their_union():
    overlapping = [[(2, 8, "x"), (5, 12, "x"), (20, 25, "y")], [(3, 12, "x"), (20, 24, "y")]]
    merged = [[(2, 12, "x"), (20, 25, "y")], [(3, 12, "x"), (20, 24, "y")]]
    assert metrics.unitizing_alpha(overlapping, 30) == metrics.unitizing_alpha(merged, 30)


def test_unitizing_alpha_is_nan_when_undefined_and_rejects_bad_units():
    assert math.isnan(metrics.unitizing_alpha([[(1, 3)]], 10))  # one coder
    assert math.isnan(metrics.unitizing_alpha([[], []], 10))  # nobody marked anything
    with pytest.raises(ValueError, match="start < end"):
        metrics.unitizing_alpha([[(3, 3)], [(1, 2)]], 10)
    with pytest.raises(ValueError, match="start < end"):
        metrics.unitizing_alpha([[(3, 12)], [(1, 2)]], 10)
    with pytest.raises(ValueError, match="positive"):
        metrics.unitizing_alpha([[(1, 2)], [(1, 2)]], 0)


@PROPERTY
@given(unitizations)
def test_positional_alpha_is_nominal_alpha_over_characters_with_the_shortest_unit_winning(coders):
    length = 36
    table = np.full((len(coders), length), "gap", dtype=object)
    for c, units in enumerate(coders):
        for pos in range(length):
            covering = [
                (min(s + size, length) - s, s, k, cat)
                for k, (s, size, cat) in enumerate(units)
                if s <= pos < min(s + size, length)
            ]
            if covering:
                table[c, pos] = min(covering)[3]
    given_units = [[(s, min(s + size, length), cat) for s, size, cat in units] for units in coders]
    assert same(metrics.positional_alpha(given_units, length), metrics.krippendorff_alpha(table, "nominal"))


# --- spans -------------------------------------------------------------------------------------------


def test_exact_span_f1_counts_identical_spans_once_each():
    scores = metrics.span_f1([(0, 5), (10, 20), (10, 20)], [(0, 5), (10, 20), (30, 40)], "exact")
    assert (scores.tp, scores.precision, scores.recall) == (2, 2 / 3, 2 / 3)
    assert metrics.match_spans([(0, 5), (10, 20)], [(10, 20), (0, 6)], "exact") == [(1, 0)]


def test_exact_matching_respects_labels():
    assert metrics.match_spans([(0, 5, "a")], [(0, 5, "b")], "exact") == []
    assert metrics.match_spans([(0, 5, "a")], [(0, 5, "a")], "exact") == [(0, 0)]


def test_two_spans_overlapping_one_count_once_and_the_larger_overlap_wins():
    pairs = metrics.match_spans([(0, 10), (12, 20)], [(0, 20)], "overlap")
    assert pairs == [(0, 0)]  # Jaccard 10/20 beats 8/20
    scores = metrics.span_f1([(0, 10), (12, 20)], [(0, 20)], "overlap")
    assert (scores.tp, scores.precision, scores.recall) == (1, 0.5, 1.0)
    assert abs(scores.f1 - 2 / 3) < 1e-12


def test_overlap_matching_is_one_to_one_for_nested_spans():
    # A: outer claim and a nested one; B: the same outer claim and the nested one shifted by a character
    pairs = metrics.match_spans([(0, 30), (5, 10)], [(6, 10), (0, 30)], "overlap")
    assert pairs == [(0, 1), (1, 0)]


def test_overlap_needs_shared_positions_not_just_touching_ends():
    assert metrics.match_spans([(0, 5)], [(5, 9)], "overlap") == []


def test_span_f1_of_two_empty_lists_is_undefined_and_of_one_empty_list_zero():
    both = metrics.span_f1([], [], "overlap")
    assert math.isnan(both.f1) and math.isnan(both.precision) and math.isnan(both.recall)
    one = metrics.span_f1([(1, 2)], [], "exact")
    assert one.f1 == 0.0 and one.precision == 0.0 and math.isnan(one.recall)


@pytest.mark.parametrize("spans", [[(3, 3)], [(5, 2)], [(-1, 2)], [(1, 2.5)], [(1, 2), (1, 2, "x")]])
def test_malformed_spans_raise_value_error(spans):
    with pytest.raises(ValueError):
        metrics.span_f1(spans, [(0, 1)], "overlap")


def test_unknown_matching_mode_raises_value_error():
    with pytest.raises(ValueError, match="mode"):
        metrics.match_spans([(0, 1)], [(0, 1)], "fuzzy")


spans_lists = st.lists(st.tuples(st.integers(0, 40), st.integers(1, 15)), max_size=8).map(
    lambda xs: [(s, s + size) for s, size in xs]
)


@PROPERTY
@given(spans_lists, spans_lists)
def test_overlap_matching_reaches_the_maximum_total_jaccard(a, b):
    pairs = metrics.match_spans(a, b, "overlap")

    def jaccard(x, y):
        return max(0, min(x[1], y[1]) - max(x[0], y[0])) / (max(x[1], y[1]) - min(x[0], y[0]))

    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})
    assert all(jaccard(a[i], b[j]) > 0 for i, j in pairs)
    best = 0.0
    if a and b:
        matrix = np.array([[jaccard(x, y) for y in b] for x in a])
        rows, cols = linear_sum_assignment(matrix, maximize=True)
        best = matrix[rows, cols].sum()
    assert abs(sum(jaccard(a[i], b[j]) for i, j in pairs) - best) < 1e-9


# --- bootstrap -----------------------------------------------------------------------------------------


def _noisy_table(units: int, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, units)
    data = np.where(rng.random((3, units)) < 0.8, truth, rng.integers(0, 3, (3, units))).astype(float)
    data[rng.random(data.shape) < 0.15] = nan
    return data


def test_bootstrap_ci_is_deterministic_for_a_seed_and_contains_the_estimate():
    data = _noisy_table(150)
    first = metrics.bootstrap_ci(metrics.krippendorff_alpha, data, n=300, seed=11)
    assert first == metrics.bootstrap_ci(metrics.krippendorff_alpha, data, n=300, seed=11)
    assert first != metrics.bootstrap_ci(metrics.krippendorff_alpha, data, n=300, seed=12)
    assert first[0] < metrics.krippendorff_alpha(data) < first[1]


def test_bootstrap_ci_narrows_with_more_units():
    small = metrics.bootstrap_ci(metrics.krippendorff_alpha, _noisy_table(60), n=400)
    large = metrics.bootstrap_ci(metrics.krippendorff_alpha, _noisy_table(1500), n=400)
    assert large[1] - large[0] < (small[1] - small[0]) / 2


def test_bootstrap_ci_drops_nan_replicates_and_gives_nan_when_all_are():
    assert all(math.isnan(x) for x in metrics.bootstrap_ci(lambda sample: nan, [1, 2, 3], n=20))
    low, high = metrics.bootstrap_ci(lambda s: nan if 3 in s else float(np.mean(s)), [1, 2, 3, 4], n=200)
    assert 1 <= low <= high <= 4


def test_bootstrap_ci_resamples_list_items_and_rejects_bad_arguments():
    low, high = metrics.bootstrap_ci(np.mean, [10.0] * 5 + [20.0] * 5, n=500, level=0.9)
    assert 10 < low < 15 < high < 20
    with pytest.raises(ValueError):
        metrics.bootstrap_ci(np.mean, [], n=10)
    with pytest.raises(ValueError):
        metrics.bootstrap_ci(np.mean, [1.0], n=10, level=1.5)


def test_reweighting_stored_coincidences_equals_resampling_units():
    data = _noisy_table(120)
    values = [0.0, 1.0, 2.0]
    per_unit = np.stack([metrics.coincidence_matrix(data[:, [u]], values)[1] for u in range(data.shape[1])])
    resampled = metrics.bootstrap_ci(lambda d: metrics.krippendorff_alpha(d), data, n=300, seed=5)
    reweighted = metrics.bootstrap_alpha_ci(per_unit, values, "nominal", n=300, seed=5)
    np.testing.assert_allclose(reweighted, resampled, atol=1e-12)


def test_bootstrap_alpha_ci_rejects_mismatched_shapes():
    with pytest.raises(ValueError):
        metrics.bootstrap_alpha_ci(np.zeros((3, 2, 2)), [0, 1, 2])
