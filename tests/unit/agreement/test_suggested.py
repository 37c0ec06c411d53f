"""Agreement with and without accepted suggestions, on constructed projects whose answers are computable."""

import math

import numpy as np
import pytest

from annotator.agreement.charts import fmt_signed
from annotator.agreement.maths.report import project_report
from annotator.agreement.maths.suggested import (
    HEADLINE_FIGURES,
    HEADLINE_SECTIONS,
    comparison,
    figure_at,
    report_with_and_without,
    without_claims,
)
from tests.unit.agreement.test_report import LENGTHS, assignments_table, claims_table, copies

ANNOTATORS = [1, 2, 3]


def noisy_copies() -> list:
    """Each annotator misses or changes a different reference claim, so agreement is high, not perfect."""

    def change(annotator: int, k: int, claim: tuple):
        if k == annotator:
            return None
        if k == annotator + 2:
            return (*claim[:3], "neutral_mixed", *claim[4:])
        return claim

    return copies(ANNOTATORS, change)


def accepted_suggestions() -> list:
    """Claims the detector proposed and all three accepted: identical spans and labels everywhere."""
    return [
        (a, passage, start, end, "chinese", "neutral", 7)
        for a in ANNOTATORS
        for passage, start, end in ((1, 21, 29), (2, 30, 45), (4, 66, 70))
    ]


def interleaved(rows: list, suggested_rows: list) -> tuple[list, np.ndarray]:
    """Both kinds of claims in one table, by annotator and passage (as ids interleave them), with flags;
    the manual rows keep their own order."""
    tagged = sorted(
        [(row, False) for row in rows] + [(row, True) for row in suggested_rows], key=lambda t: t[0][:2]
    )
    return [row for row, _ in tagged], np.array([flag for _, flag in tagged], dtype=bool)


def both(rows: list, suggested_rows: list, **kwargs) -> tuple:
    mixed, flags = interleaved(rows, suggested_rows)
    return report_with_and_without(
        claims_table(mixed),
        assignments_table(ANNOTATORS, unsubmitted=kwargs.pop("unsubmitted", ())),
        passage_lengths=LENGTHS,
        suggested=flags,
        n_boot=kwargs.pop("n_boot", 200),
        **kwargs,
    )


def plain(rows: list, **kwargs) -> dict:
    return project_report(
        claims_table(rows),
        assignments_table(ANNOTATORS, unsubmitted=kwargs.pop("unsubmitted", ())),
        passage_lengths=LENGTHS,
        n_boot=kwargs.pop("n_boot", 200),
        **kwargs,
    )


def assert_same_figures(actual, expected, path="") -> None:
    """Equal structure and values; floats to 1e-12."""
    if isinstance(expected, dict):
        assert set(actual) == set(expected), path
        for key in expected:
            assert_same_figures(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(actual) == len(expected), path
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_same_figures(a, e, f"{path}[{i}]")
    elif isinstance(expected, float):
        assert isinstance(actual, float) and math.isclose(actual, expected, rel_tol=0, abs_tol=1e-12), path
    else:
        assert actual == expected, path


def test_the_report_with_suggestions_is_the_report_on_every_claim():
    rows = noisy_copies()
    report, _ = both(rows, accepted_suggestions())
    mixed, flags = interleaved(rows, accepted_suggestions())
    assert flags.sum() == len(accepted_suggestions()) and not flags.all()
    assert report == plain(mixed)


def test_the_section_without_suggestions_is_the_report_of_a_project_where_they_were_never_made():
    report, section = both(noisy_copies(), accepted_suggestions())
    never_made = plain(noisy_copies())
    for name in HEADLINE_SECTIONS:
        assert_same_figures(section[name], never_made[name], name)
    # the identical accepted suggestions raised span agreement: the two reports differ
    assert report["span"]["exact_f1"]["value"] > never_made["span"]["exact_f1"]["value"]


def test_an_annotator_whose_only_claims_in_a_passage_were_suggestions_marked_nothing_there():
    rows = [row for row in noisy_copies() if not (row[0] == 2 and row[1] == 2)]
    suggested = [(2, 2, 5, 25, "russian", "neutral", 8)]  # annotator 2's only claim in passage 2
    _, section = both(rows, suggested)
    never_made = plain(rows)
    assert_same_figures(section["span"], never_made["span"], "span")
    assert section["counts"]["submitted_assignments"] == len(ANNOTATORS) * len(LENGTHS)
    assert section["counts"]["passages_coded"] == len(LENGTHS)


def test_without_any_suggested_claim_there_is_no_second_section_and_the_report_is_unchanged():
    report, section = both(noisy_copies(), [])
    assert section is None
    assert report == plain(noisy_copies())


def test_suggested_claims_of_unsubmitted_assignments_do_not_count_and_make_no_section():
    rows = noisy_copies()
    suggested = [(3, 4, 66, 70, "chinese", "neutral", 7)]
    report, section = both(rows, suggested, unsubmitted={(4, 3)})
    assert section is None
    assert report == plain(rows + suggested, unsubmitted={(4, 3)})


def suggestion_counts(claims: dict, assignments: dict, flags: np.ndarray) -> dict:
    section = report_with_and_without(
        claims, assignments, passage_lengths=LENGTHS, suggested=flags, n_boot=0
    )[1]
    return section["suggested_claims"]


def test_the_counts_and_shares_per_annotator():
    rows = noisy_copies()
    suggested = accepted_suggestions()[:4] + [(3, 4, 66, 70, "chinese", "neutral", 7)]
    claims = claims_table(rows + suggested)
    flags = np.array([False] * len(rows) + [True] * len(suggested))
    assignments = assignments_table([*ANNOTATORS, 4], unsubmitted={(4, 3)} | {(p, 4) for p in LENGTHS})
    counts = suggestion_counts(claims, assignments, flags)

    marked = {a: sum(1 for row in rows if row[0] == a) for a in ANNOTATORS}
    marked[3] -= sum(1 for row in rows if row[0] == 3 and row[1] == 4)  # passage 4 unsubmitted for 3
    from_suggestions = {1: 3, 2: 1, 3: 0}  # annotator 3's accepted claim is in an unsubmitted passage
    expected = [
        {
            "annotator": a,
            "claims": marked[a] + from_suggestions[a],
            "suggested": from_suggestions[a],
            "share": from_suggestions[a] / (marked[a] + from_suggestions[a]),
        }
        for a in ANNOTATORS
    ]
    assert counts["annotators"] == expected  # annotator 4 submitted nothing: not listed
    assert counts["suggested"] == 4 and counts["claims"] == sum(e["claims"] for e in expected)
    assert counts["share"] == pytest.approx(4 / counts["claims"])


def test_an_annotator_with_submitted_passages_but_no_claims_has_no_share():
    claims = claims_table([(1, 1, 0, 20, "chinese", "favor", 7)])
    counts = suggestion_counts(claims, assignments_table([1, 2]), np.array([True]))
    assert counts["annotators"] == [
        {"annotator": 1, "claims": 1, "suggested": 1, "share": 1.0},
        {"annotator": 2, "claims": 0, "suggested": 0, "share": None},
    ]


def test_the_comparison_lists_every_headline_figure_with_all_minus_without():
    report, section = both(noisy_copies(), accepted_suggestions())
    rows = section["comparison"]
    assert [row["figure"] for row in rows] == [path for path, _, _ in HEADLINE_FIGURES]
    for row in rows:
        assert row["all"] == figure_at(report, row["figure"])["value"]
        assert row["without"] == figure_at(section, row["figure"])["value"]
        assert row["difference"] == pytest.approx(row["all"] - row["without"], abs=1e-15)
    assert section["suggested_claims"]["suggested"] == len(accepted_suggestions())


def test_an_undefined_figure_has_no_difference():
    report = {"span": {"position_alpha": {"value": 0.8}, "exact_f1": {"value": None}}}
    without = {"span": {"position_alpha": {"value": 0.7}, "exact_f1": {"value": 0.5}}}
    rows = {row["figure"]: row for row in comparison(report, without)}
    assert rows["span.position_alpha"]["difference"] == pytest.approx(0.1)
    assert rows["span.exact_f1"]["difference"] is None
    assert rows["attributes.stance.alpha"] == {
        "figure": "attributes.stance.alpha",
        "title": "Stance (α)",
        "scale": "alpha",
        "all": None,
        "without": None,
        "difference": None,
    }


def test_progress_covers_both_reports_in_order():
    seen = []
    both(noisy_copies(), accepted_suggestions(), n_boot=10, progress=lambda f, stage: seen.append((f, stage)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert fractions[0] < 0.5 and any(stage.startswith("without suggestions") for _, stage in seen)


def test_without_claims_keeps_the_other_rows_of_every_column_in_order():
    claims = claims_table(noisy_copies())
    drop = np.arange(len(claims["start"])) % 3 == 0
    kept = without_claims(claims, drop)
    assert set(kept) == set(claims)
    for name, column in claims.items():
        assert kept[name].tolist() == column[~drop].tolist()


def test_a_flag_column_of_another_length_is_an_error():
    with pytest.raises(ValueError, match="one flag per claim"):
        report_with_and_without(
            claims_table(noisy_copies()),
            assignments_table(ANNOTATORS),
            passage_lengths=LENGTHS,
            suggested=np.array([True]),
            n_boot=0,
        )


@pytest.mark.parametrize(
    ("value", "text"), [(0.0523, "+0.052"), (-0.0131, "\u22120.013"), (0.0, "0.000"), (None, "n/a")]
)
def test_differences_print_with_their_sign(value, text):
    assert fmt_signed(value) == text
