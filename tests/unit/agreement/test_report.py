"""The project report on small constructed projects whose answers are known or computable another way."""

import json
import math

import numpy as np
import pytest

from annotator.agreement.maths import metrics, report_spans, spans
from annotator.agreement.maths.report import project_report
from annotator.agreement.maths.report_attributes import claim_units, top_label_groups
from annotator.agreement.maths.report_inputs import project_arrays
from annotator.agreement.maths.report_spans import unitizing_agreement, unitizing_pieces
from annotator.agreement.maths.spans import match_claims

LENGTHS = {1: 60, 2: 50, 3: 40, 4: 70}
DOCUMENT = {1: 100, 2: 100, 3: 200, 4: 200}
# (passage, start, end, perspective, stance, speaker): the claims every careful annotator finds
REFERENCE = [
    (1, 0, 20, "chinese", "favor", 7),
    (1, 30, 55, "us_western", "against", -1),
    (2, 5, 25, "russian", "neutral", 8),
    (3, 0, 15, "chinese", "against", 7),
    (3, 20, 38, "us_western", "favor", 9),
    (4, 10, 40, "russian", "favor", 8),
    (4, 45, 65, "chinese", "neutral", -1),
]


def claims_table(rows: list) -> dict:
    """rows: (annotator, passage, start, end, perspective, stance, speaker)."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * 7
    annotator, passage, start, end, perspective, stance, speaker = (np.array(c) for c in columns)
    return {
        "passage_id": passage.astype(int),
        "annotator_id": annotator.astype(int),
        "start": start.astype(int),
        "end": end.astype(int),
        "perspective": perspective.astype(str),
        "stance": stance.astype(str),
        "speaker_id": speaker.astype(int),
        "document_id": np.array([DOCUMENT[p] for p in passage], dtype=int),
    }


def assignments_table(annotators: list, passages=LENGTHS, unsubmitted=()) -> dict:
    pairs = [(p, a) for a in annotators for p in passages]
    return {
        "passage_id": np.array([p for p, _ in pairs]),
        "annotator_id": np.array([a for _, a in pairs]),
        "submitted": np.array([(p, a) not in unsubmitted for p, a in pairs]),
    }


def copies(annotators: list, change=None) -> list:
    rows = []
    for a in annotators:
        for k, claim in enumerate(REFERENCE):
            claim = change(a, k, claim) if change else claim
            if claim is not None:
                rows.append((a, *claim))
    return rows


def report(rows: list, annotators: list, **kwargs) -> dict:
    unsubmitted = kwargs.pop("unsubmitted", ())
    return project_report(
        claims_table(rows),
        assignments_table(annotators, unsubmitted=unsubmitted),
        passage_lengths=LENGTHS,
        n_boot=kwargs.pop("n_boot", 200),
        **kwargs,
    )


def test_identical_annotators_agree_perfectly_on_every_figure():
    result = report(copies([1, 2, 3]), [1, 2, 3])
    span = result["span"]
    for key in ("position_alpha", "unitizing_alpha", "exact_f1", "overlap_f1"):
        assert span[key]["value"] == pytest.approx(1.0), key
    for name in ("perspective", "stance", "speaker"):
        section = result["attributes"][name]
        assert section["alpha"]["value"] == pytest.approx(1.0)
        assert section["fleiss_kappa"]["value"] == pytest.approx(1.0)
        assert section["cohen_kappa_mean"]["value"] == pytest.approx(1.0)
        assert section["alpha"]["n_units"] == len(REFERENCE) and section["alpha"]["n_annotators"] == 3
    assert [p["annotators"] for p in result["pairs"]] == [[1, 2], [1, 3], [2, 3]]
    assert all(d["position_alpha"]["value"] == pytest.approx(1.0) for d in result["documents"])
    assert [d["document"] for d in result["documents"]] == [100, 200]


def test_object_columns_with_none_read_like_string_columns():
    rows = _noisy_rows(2, [1, 2, 3])
    as_strings = claims_table(rows)
    as_objects = dict(as_strings)
    for column in ("perspective", "stance"):
        as_objects[column] = np.array(
            [None if k % 5 == 0 else x for k, x in enumerate(as_strings[column])], object
        )
        as_strings[column] = np.array(["" if k % 5 == 0 else x for k, x in enumerate(as_strings[column])])
    options = {"passage_lengths": LENGTHS, "n_boot": 50}
    assert project_report(as_objects, assignments_table([1, 2, 3]), **options) == project_report(
        as_strings, assignments_table([1, 2, 3]), **options
    )


def test_report_is_json_serialisable_without_nan():
    # a project with undefined figures (a single stance value, no gold) must still serialise strictly
    result = report(copies([1, 2], lambda a, k, c: (*c[:4], "favor", c[5])), [1, 2])
    assert result["attributes"]["stance"]["alpha"]["value"] is None
    text = json.dumps(result, allow_nan=False)
    assert "NaN" not in text and json.loads(text) == result


def test_a_flipped_stance_lowers_stance_agreement_only():
    flip = {"favor": "against", "against": "favor", "neutral": "favor"}
    rows = copies([1, 2], lambda a, k, c: (*c[:4], flip[c[4]], c[5]) if a == 2 and k == 0 else c)
    result = report(rows, [1, 2])
    stance = result["attributes"]["stance"]
    assert stance["alpha"]["value"] < 1.0
    pair = result["pairs"][0]
    a_labels = [c[4] for c in REFERENCE]
    b_labels = [flip[c[4]] if k == 0 else c[4] for k, c in enumerate(REFERENCE)]
    assert pair["stance_kappa"]["value"] == pytest.approx(metrics.cohen_kappa(a_labels, b_labels))
    assert pair["stance_kappa"]["value"] < 1.0
    units = np.array([a_labels, b_labels], dtype=object)
    assert stance["alpha"]["value"] == pytest.approx(metrics.krippendorff_alpha(units, "nominal"))
    assert result["attributes"]["perspective"]["alpha"]["value"] == pytest.approx(1.0)
    assert result["span"]["exact_f1"]["value"] == pytest.approx(1.0)


def test_an_unsubmitted_assignment_is_missing_data_not_disagreement():
    base = report(copies([1, 2]), [1, 2])
    # annotator 3 marked something wild on passage 1 but never submitted it
    wild = copies([1, 2]) + [(3, 1, 2, 58, "russian", "neutral", 9)]
    result = report(wild, [1, 2, 3], unsubmitted={(p, 3) for p in LENGTHS})
    assert result["span"] == base["span"] and result["attributes"] == base["attributes"]
    assert result["counts"]["claims_ignored"] == 1 and result["counts"]["annotators"] == 2


def test_claims_of_one_unsubmitted_assignment_are_ignored_while_the_rest_counts():
    # annotator 3 submitted passages 2-4 (faithful copies) but not passage 1, where a draft is wild
    faithful = copies([1, 2, 3], lambda a, k, c: None if a == 3 and c[0] == 1 else c)
    drafted = faithful + [(3, 1, 2, 58, "russian", "neutral", 9)]
    unsubmitted = {(1, 3)}
    result = report(drafted, [1, 2, 3], unsubmitted=unsubmitted)
    assert result == report(faithful, [1, 2, 3], unsubmitted=unsubmitted) | {"counts": result["counts"]}
    assert result["span"]["position_alpha"]["value"] == pytest.approx(1.0)
    assert result["counts"]["claims_ignored"] == 1


def test_a_submitted_assignment_without_claims_is_disagreement():
    # the same annotator 3, now submitted on passage 1 with nothing marked: that is a "no claim" vote
    rows = copies([1, 2])
    result = report(rows, [1, 2, 3], unsubmitted={(p, 3) for p in (2, 3, 4)})
    assert result["span"]["position_alpha"]["value"] < 1.0
    assert result["span"]["overlap_f1"]["value"] < 1.0
    pair = next(p for p in result["pairs"] if p["annotators"] == [1, 3])
    f1 = pair["overlap_f1"]
    assert [f1[key] for key in ("value", "tp", "n_a", "n_b", "n_annotators")] == [0.0, 0, 2, 0, 2]


def _noisy_rows(seed: int, annotators: list) -> list:
    rng = np.random.default_rng(seed)
    perspectives, stances = ["chinese", "russian", "us_western"], ["favor", "against", "neutral"]

    def change(a, k, claim):
        if rng.random() < 0.15:
            return None
        p, s, e, persp, stance, speaker = claim
        s = max(0, s + int(rng.integers(-2, 3)))
        e = min(LENGTHS[p], e + int(rng.integers(-2, 3)))
        persp = persp if rng.random() < 0.8 else perspectives[rng.integers(3)]
        stance = stance if rng.random() < 0.7 else stances[rng.integers(3)]
        return (p, s, e, persp, stance, speaker)

    return copies(annotators, change)


@pytest.mark.parametrize("seed", range(6))
def test_span_figures_equal_the_metrics_on_explicit_data(seed):
    rows = _noisy_rows(seed, [1, 2, 3])
    result = report(rows, [1, 2, 3], n_boot=0)
    # per-character labels, all passages side by side: none / claim:<perspective> (the shortest claim wins)
    table = []
    for a in (1, 2, 3):
        line = []
        for p, length in LENGTHS.items():
            labels = ["none"] * length
            mine = sorted((e - s, s, persp, e) for (b, q, s, e, persp, _, _) in rows if b == a and q == p)
            for _, s, persp, e in reversed(mine):
                labels[s:e] = [f"claim:{persp}"] * (e - s)
            line += labels
        table.append(line)
    position = metrics.krippendorff_alpha(np.array(table, dtype=object), "nominal")
    assert result["span"]["position_alpha"]["value"] == pytest.approx(position, abs=1e-12)
    # pairwise F1 pooled over passages, from match_spans passage by passage
    for pair in result["pairs"]:
        a, b = pair["annotators"]
        for mode in ("exact", "overlap"):
            tp = sum(
                len(
                    metrics.match_spans(
                        [r[2:4] for r in rows if r[0] == a and r[1] == p],
                        [r[2:4] for r in rows if r[0] == b and r[1] == p],
                        mode,
                    )
                )
                for p in LENGTHS
            )
            n_a = sum(r[0] == a for r in rows)
            n_b = sum(r[0] == b for r in rows)
            assert pair[f"{mode}_f1"]["value"] == pytest.approx(2 * tp / (n_a + n_b))


def test_processing_passages_in_blocks_changes_nothing(monkeypatch):
    rows = _noisy_rows(8, [1, 2, 3, 4])
    whole = report(rows, [1, 2, 3, 4], n_boot=100)
    monkeypatch.setattr(spans, "BLOCK", 5)
    monkeypatch.setattr(report_spans, "BLOCK", 5)
    assert report(rows, [1, 2, 3, 4], n_boot=100) == whole


def test_unitizing_alpha_of_one_passage_equals_the_metric():
    rows = [r for r in _noisy_rows(4, [1, 2, 3]) if r[1] == 4]
    result = project_report(
        claims_table(rows), assignments_table([1, 2, 3], passages={4: 70}), passage_lengths={4: 70}, n_boot=0
    )
    units = [[(r[2], r[3]) for r in rows if r[0] == a] for a in (1, 2, 3)]
    assert result["span"]["unitizing_alpha"]["value"] == pytest.approx(metrics.unitizing_alpha(units, 70))


def test_unitizing_alpha_over_passages_is_that_of_their_concatenation():
    # every annotator's first passage ends with a claim, so no section could run across the boundary
    first = {1: [(0, 8), (30, 60)], 2: [(2, 8), (35, 60)], 3: [(40, 60)]}
    second = {1: [(5, 20)], 2: [(6, 22), (30, 34)], 3: []}
    rows = [
        (a, p, s, e, "chinese", "favor", -1)
        for p, spans_ in ((1, first), (2, second))
        for a, units in spans_.items()
        for s, e in units
    ]
    result = project_report(
        claims_table(rows),
        assignments_table([1, 2, 3], passages={1: 60, 2: 50}),
        passage_lengths={1: 60, 2: 50},
        n_boot=0,
    )
    joined = [first[a] + [(s + 60, e + 60) for s, e in second[a]] for a in (1, 2, 3)]
    assert result["span"]["unitizing_alpha"]["value"] == pytest.approx(metrics.unitizing_alpha(joined, 110))


def test_attribute_alpha_equals_krippendorff_alpha_over_matched_units():
    rows = _noisy_rows(11, [1, 2, 3, 4])
    result = report(rows, [1, 2, 3, 4], n_boot=0)
    # the reference claims are far apart, so a unit is "the copies of reference claim k"
    for name, column in (("perspective", 4), ("stance", 5), ("speaker", 6)):
        table = np.full((4, len(REFERENCE)), None, dtype=object)
        for a in (1, 2, 3, 4):
            for r in (r for r in rows if r[0] == a):
                k = next(k for k, c in enumerate(REFERENCE) if c[0] == r[1] and c[1] < r[3] and r[2] < c[2])
                table[a - 1, k] = r[column]
        expected = metrics.krippendorff_alpha(table, "nominal")
        assert result["attributes"][name]["alpha"]["value"] == pytest.approx(expected, abs=1e-12), name


def test_fleiss_kappa_is_omitted_with_a_reason_when_units_have_different_rater_counts():
    rows = copies([1, 2, 3], lambda a, k, c: None if (a, k) == (3, 0) else c)
    fleiss = report(rows, [1, 2, 3])["attributes"]["stance"]["fleiss_kappa"]
    assert fleiss["value"] is None and "2 to 3 raters" in fleiss["reason"]


def test_confidence_intervals_contain_the_estimate_and_repeat_for_a_seed():
    rows = _noisy_rows(3, [1, 2, 3])
    first = report(rows, [1, 2, 3], n_boot=300, seed=4)
    again = report(rows, [1, 2, 3], n_boot=300, seed=4)
    assert first == again
    for figure in (
        first["span"]["position_alpha"],
        first["span"]["overlap_f1"],
        first["attributes"]["stance"]["alpha"],
    ):
        low, high = figure["ci"]
        assert low <= figure["value"] <= high
    assert report(rows, [1, 2, 3], n_boot=0)["span"]["position_alpha"]["ci"] is None


def test_gold_comparison_per_annotator():
    rows = copies([1]) + copies([2], lambda a, k, c: None if k == 0 else c)
    gold_rows = claims_table(copies([0]))
    gold_rows.pop("annotator_id")
    result = project_report(
        claims_table(rows), assignments_table([1, 2]), passage_lengths=LENGTHS, gold=gold_rows, n_boot=0
    )
    perfect, missing_one = result["annotators"][0]["vs_gold"], result["annotators"][1]["vs_gold"]
    assert perfect["exact"]["f1"] == 1.0 and perfect["stance_kappa"]["value"] == pytest.approx(1.0)
    assert missing_one["exact"]["precision"] == 1.0
    assert missing_one["exact"]["recall"] == pytest.approx(6 / 7)
    assert result["gold"]["passages"] == 4 and result["gold"]["claims"] == len(REFERENCE)


def three_annotator_report(rows: list, n_passages: int, n_boot: int) -> dict:
    """Annotators 1-3, all submitted, on `n_passages` passages of 100 characters, ten to a document."""
    table = claims_table([(a, p % 4 + 1, s, e, x, y, z) for a, p, s, e, x, y, z in rows])
    table["passage_id"] = np.array([r[1] for r in rows])
    table["document_id"] = table["passage_id"] // 10
    assignments = {
        "passage_id": np.repeat(np.arange(n_passages), 3),
        "annotator_id": np.tile([1, 2, 3], n_passages),
        "submitted": np.ones(3 * n_passages, bool),
    }
    lengths = {p: 100 for p in range(n_passages)}
    return project_report(table, assignments, passage_lengths=lengths, n_boot=n_boot)


def test_many_speakers_use_the_sparse_path_and_still_equal_the_metric():
    rng = np.random.default_rng(0)
    n_passages = 300
    rows = []
    for p in range(n_passages):
        speaker = int(p // 2)  # 150 distinct speakers: more than the dense limit
        for a in (1, 2, 3):
            if rng.random() < 0.9:
                said = speaker if rng.random() < 0.8 else int(rng.integers(150))
                rows.append((a, p, 10, 50, "chinese", "favor", said))
    result = three_annotator_report(rows, n_passages, n_boot=200)
    matrix = np.full((3, n_passages), None, dtype=object)
    for a, p, *_, said in rows:
        matrix[a - 1, p] = said
    speaker = result["attributes"]["speaker"]["alpha"]
    assert speaker["value"] == pytest.approx(metrics.krippendorff_alpha(matrix, "nominal"), abs=1e-12)
    assert speaker["ci"][0] <= speaker["value"] <= speaker["ci"][1]


def test_u_alpha_resampling_rows_reproduce_the_exact_estimate():
    rng = np.random.default_rng(5)
    n = 400  # claim lengths 1..120: more distinct lengths than length classes
    start = rng.integers(0, 100, n)
    table = {
        "passage_id": rng.integers(0, 40, n),
        "annotator_id": rng.integers(1, 4, n),
        "start": start,
        "end": start + rng.integers(1, 120, n),
        "perspective": np.full(n, "chinese"),
        "stance": np.full(n, "favor"),
        "speaker_id": np.full(n, -1),
        "document_id": np.zeros(n, int),
    }
    table["document_id"] = table["passage_id"] // 4
    assignments = {
        "passage_id": np.repeat(np.arange(40), 3),
        "annotator_id": np.tile([1, 2, 3], 40),
        "submitted": np.ones(120, bool),
    }
    pa = project_arrays(table, assignments, {p: 230 for p in range(40)})
    value, statistic = unitizing_agreement(unitizing_pieces(pa))
    assert len(np.unique(table["end"] - table["start"])) > 64
    assert statistic.value() == pytest.approx(value, rel=1e-9)


def test_claims_are_grouped_into_units_by_overlap_matches():
    pa = project_arrays(claims_table(copies([1, 2])), assignments_table([1, 2]), LENGTHS)
    unit, ambiguous = claim_units(pa, *match_claims(pa.passage, pa.coder, pa.start, pa.end, mode="overlap"))
    assert len(np.unique(unit)) == len(REFERENCE) and not ambiguous.any()


def test_a_chain_of_partial_overlaps_makes_an_annotators_value_missing_not_doubled():
    # 1 splits what 2 sees as one claim; 3's claim links 1's second part to 2's: one unit, 1 twice in it
    rows = [
        (1, 1, 0, 10, "chinese", "favor", 7),
        (1, 1, 12, 20, "chinese", "against", 7),
        (2, 1, 0, 20, "chinese", "favor", 7),
        (3, 1, 11, 20, "chinese", "favor", 7),
    ]
    result = project_report(
        claims_table(rows), assignments_table([1, 2, 3], passages={1: 60}), passage_lengths={1: 60}, n_boot=0
    )
    stance = result["attributes"]["stance"]
    assert stance["ambiguous_claims"] == 2
    assert stance["alpha"]["n_units"] == 1 and stance["alpha"]["value"] is None  # only "favor" remains


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda c, a: c.update(end=c["start"]), "start < end"),
        (lambda c, a: c.update(end=c["end"] + 100), "start < end"),
        (lambda c, a: c.update(passage_id=c["passage_id"] + 1000), "passage_lengths"),
        (lambda c, a: c.pop("stance"), "stance"),
        (lambda c, a: a.update(passage_id=a["passage_id"] + 1000), "passage_lengths"),
    ],
)
def test_malformed_input_raises_value_error(mutate, message):
    claims, assignments = claims_table(copies([1, 2])), assignments_table([1, 2])
    mutate(claims, assignments)
    with pytest.raises(ValueError, match=message):
        project_report(claims, assignments, passage_lengths=LENGTHS, n_boot=0)


def test_empty_project_reports_undefined_figures():
    result = project_report(claims_table([]), assignments_table([1, 2]), passage_lengths=LENGTHS, n_boot=50)
    assert result["span"]["position_alpha"]["value"] is None  # everyone agrees there is nothing: one category
    assert result["span"]["overlap_f1"]["value"] is None
    assert math.isfinite(result["counts"]["passages"]) and json.dumps(result, allow_nan=False)


# --- honest intervals and per-label n ----------------------------------------------------------------


def test_an_interval_from_one_document_is_replaced_by_its_reason_and_a_zero_width_one_from_many_is_kept():
    from annotator.agreement.maths.bootstrap import degenerate_interval_reason

    assert degenerate_interval_reason((0.36, 0.36), 1) == "needs \u2265 2 documents"
    assert degenerate_interval_reason((0.2, 0.6), 1) == "needs \u2265 2 documents"
    assert degenerate_interval_reason((1.0, 1.0), 5) is None, "perfect agreement in every document"
    assert degenerate_interval_reason((0.2, 0.6), 5) is None
    assert degenerate_interval_reason((float("nan"), float("nan")), 5) is None


def test_per_label_n_counts_the_units_that_carry_the_label():
    flip = {"favor": "against", "against": "favor", "neutral": "favor"}
    rows = copies([1, 2], lambda a, k, c: (*c[:4], flip[c[4]], c[5]) if a == 2 and k == 0 else c)
    per_label = report(rows, [1, 2])["attributes"]["stance"]["per_label"]
    # 7 units; favor is given on 3 of them (two agreed, one flipped from favor), against on 3, neutral on 2.
    assert {label: figure["n_units"] for label, figure in per_label.items()} == {
        "favor": 3,
        "against": 3,
        "neutral": 2,
    }


def test_a_one_document_report_gives_reasons_instead_of_collapsed_intervals():
    only_first = [r for r in copies([1, 2]) if r[1] in (1, 2)]
    result = project_report(
        claims_table(only_first),
        assignments_table([1, 2], passages={1: 60, 2: 50}),
        passage_lengths={1: 60, 2: 50},
        n_boot=50,
    )
    alpha = result["attributes"]["perspective"]["alpha"]
    assert alpha["ci"] is None and alpha["ci_reason"] == "needs \u2265 2 documents"


def test_top_label_groups_keeps_the_most_frequent_and_groups_the_rest():
    kept, row, grouped = top_label_groups(np.array([5.0, 0.0, 9.0, 5.0, 1.0]), 2)
    assert kept.tolist() == [2, 0]  # most frequent first; a tie goes to the lower index
    assert row.tolist() == [1, 2, 0, 2, 2]  # row 2 is the group
    assert grouped == 2  # labels 3 and 4; label 1 never occurs and is not counted


def test_the_speaker_matrix_shows_the_top_speakers_and_groups_the_rest_as_other():
    rng = np.random.default_rng(1)
    rows = []
    for p in range(200):
        speaker = int(rng.zipf(1.6)) % 40  # a few frequent speakers, a long tail
        for a in (1, 2, 3):
            said = speaker if rng.random() < 0.8 else int(rng.integers(40))
            rows.append((a, p, 10, 50, "chinese", "favor", said))
    result = three_annotator_report(rows, 200, n_boot=20)
    shown = result["attributes"]["speaker"]["coincidence"]

    data = np.full((3, 200), None, dtype=object)
    for a, p, *_, said in rows:
        data[a - 1, p] = str(said)
    values, full = metrics.coincidence_matrix(data)
    values = [str(v) for v in values]
    frequency = dict(zip(values, full.sum(axis=1), strict=True))
    top = shown["labels"][:12]
    rest = [frequency[v] for v in values if v not in top]
    assert [frequency[v] for v in top] == sorted((frequency[v] for v in top), reverse=True)
    assert min(frequency[v] for v in top) >= max(rest)  # the most frequent twelve (ties either way)
    assert shown["labels"][12] == f"other ({len(values) - 12} speakers)"
    matrix = np.array(shown["matrix"])
    assert matrix.shape == (13, 13)
    index = [values.index(label) for label in top]
    assert matrix[:12, :12] == pytest.approx(full[np.ix_(index, index)])
    assert matrix.sum() == pytest.approx(full.sum())  # nothing is dropped: the rest is in "other"
