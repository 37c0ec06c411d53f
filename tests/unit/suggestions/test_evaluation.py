"""Scoring suggestions against gold claims: one-to-one matching, exact and overlap figures, on tiny cases."""

from pathlib import Path

import pytest

from annotator.suggestions.detector.evaluation import (
    Scores,
    Span,
    evaluate_document,
    markdown_table,
    overlap_pairs,
    score,
    table_rows,
)
from annotator.suggestions.detector.gold import load_gold


def test_one_suggestion_over_two_gold_claims_matches_only_one():
    gold = [Span(0, 10, "direct"), Span(12, 20, "direct")]
    suggested = [Span(0, 20, "direct")]
    assert overlap_pairs(gold, suggested) == [(0, 0)]  # covers 10 characters of the first, 8 of the second
    s = score(gold, suggested)
    assert (s.overlap, s.exact) == (1, 0)
    assert s.recall("overlap") == 0.5 and s.precision("overlap") == 1.0


def test_matching_pairs_as_many_claims_as_possible_before_maximising_overlap():
    # Pairing by the largest overlap (10) would leave the second claim unmatched; two pairs of 4 win.
    gold = [Span(0, 10, "indirect"), Span(10, 14, "indirect")]
    suggested = [Span(0, 14, "indirect"), Span(2, 6, "indirect")]
    assert sorted(overlap_pairs(gold, suggested)) == [(0, 1), (1, 0)]
    assert score(gold, suggested).overlap == 2


def test_among_equal_matchings_the_larger_overlap_wins():
    gold = [Span(0, 10, "direct")]
    suggested = [Span(8, 20, "direct"), Span(1, 9, "direct")]
    assert overlap_pairs(gold, suggested) == [(0, 1)]


def test_spans_that_only_touch_do_not_match():
    assert overlap_pairs([Span(0, 10, "direct")], [Span(10, 20, "direct")]) == []


def test_exact_counts_identical_spans_once():
    gold = [Span(5, 9, "direct")]
    suggested = [Span(5, 9, "direct"), Span(5, 9, "indirect"), Span(5, 8, "direct")]
    s = score(gold, suggested)
    assert (s.gold, s.suggested, s.exact, s.overlap) == (1, 3, 1, 1)
    assert s.precision("exact") == pytest.approx(1 / 3)
    assert s.f1("exact") == pytest.approx(0.5)


def test_authorial_gold_claims_are_not_counted_and_a_suggestion_on_one_is_a_false_positive():
    gold = [Span(0, 10, "authorial"), Span(20, 30, "direct", "Wang Yi")]
    suggested = [Span(0, 10, "indirect"), Span(20, 30, "direct", "Wang Yi")]
    s = score(gold, suggested)
    assert (s.gold, s.exact, s.overlap) == (1, 1, 1)
    assert s.precision("overlap") == 0.5 and s.recall("overlap") == 1.0


def test_attribution_and_speaker_are_compared_on_matched_pairs():
    gold = [Span(0, 10, "direct", "Wang Yi"), Span(20, 30, "indirect", None), Span(40, 50, "direct", "Li")]
    suggested = [Span(0, 9, "indirect", "Wang Yi"), Span(21, 30, "indirect", None), Span(40, 50, "direct")]
    s = score(gold, suggested)
    assert (s.attribution_agrees, s.speaker_agrees) == (2, 2)
    assert s.attribution_accuracy == pytest.approx(2 / 3)


def test_nothing_to_score_gives_zeros_not_errors():
    s = score([], [])
    assert (s.precision("exact"), s.recall("overlap"), s.f1("overlap"), s.speaker_accuracy) == (0, 0, 0, 0)


def test_documents_add_up_before_scores_are_taken():
    one = Scores(gold=10, suggested=10, exact=10, overlap=10)
    other = Scores(gold=10, suggested=30, exact=0, overlap=0)
    total = one + other
    assert (total.gold, total.suggested, total.overlap) == (20, 40, 10)
    assert total.precision("overlap") == 0.25  # not the mean of 1.0 and 0.0


def test_table_has_a_row_per_document_and_an_overall_row():
    rows = table_rows({"a.txt": Scores(2, 2, 1, 2, 2, 1), "b.txt": Scores(2, 0, 0, 0, 0, 0)})
    assert [r[0] for r in rows] == ["a.txt", "b.txt", "overall"]
    assert rows[2][1:4] == ("4", "2", "0.50")  # gold, suggested, exact precision
    table = markdown_table(rows)
    assert table.splitlines()[0].startswith("| article | gold | suggested | exact P")
    assert len(table.splitlines()) == 5


def test_detector_meets_its_targets_on_the_shipped_gold():
    """The regression guard behind the README's table: attributed claims of both seed articles."""
    root = Path(__file__).resolve().parents[3]
    total = Scores()
    for path in sorted((root / "fixtures" / "gold").glob("*.json")):
        gold = load_gold(path)
        total += evaluate_document((root / "seeds" / gold["document"]).read_text(encoding="utf-8"), gold)
    assert total.gold >= 50
    assert total.f1("overlap") >= 0.85, total
    assert total.f1("exact") >= 0.6, total
