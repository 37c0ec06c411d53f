"""The who-says-what figures on a project whose every claim is known (see builders.py here)."""

import pytest

from annotator.analytics.params import ClaimFilter, Scope
from annotator.analytics.selectors import claims_page, consensus_state, who_says_what_report


def report_of(project, scope: Scope) -> dict:
    return who_says_what_report(project=project, scope=scope, state=consensus_state(project=project))


def cells(report: dict) -> dict[tuple, dict]:
    return {
        (row["group"], row["speaker_type"], row["perspective"], row["stance"]): row["claims"]
        for row in report["crosstab"]
    }


def test_every_crosstab_cell_by_outlet_counts_gold_or_the_majority(project, built):
    report = report_of(project, Scope(by="outlet"))
    assert cells(report) == {
        ("Wire A", "US government · Person", "us_western", "against"): {"gold": 1, "majority": 1},
        ("Wire A", "Chinese government · Government", "chinese", "favor"): {"gold": 0, "majority": 1},
        ("Wire A", "author's voice", "chinese", "neutral"): {"gold": 1, "majority": 0},
        ("", "author's voice", "neutral_mixed", "neutral"): {"gold": 0, "majority": 1},
        ("", "speaker not named", "us_western", "against"): {"gold": 0, "majority": 1},
    }
    assert [(g["key"], g["label"], g["claims"]) for g in report["groups"]] == [
        ("Wire A", "Wire A", {"gold": 2, "majority": 2}),
        ("", "(no outlet)", {"gold": 0, "majority": 2}),
    ]
    assert report["claims"] == {"gold": 2, "majority": 4}
    assert report["coverage"] == {"passages": 5, "adjudicated": 1, "with_majority": 3, "pending": 1}


def test_grouping_by_document_gives_the_same_cells_under_document_ids(project, built):
    report = report_of(project, Scope(by="document"))
    a, b = (str(built[k][0].document_id) for k in ("a", "b"))
    assert [(g["key"], g["label"]) for g in report["groups"]] == [(a, "Report A"), (b, "Report B")]
    assert cells(report)[(b, "speaker not named", "us_western", "against")] == {"gold": 0, "majority": 1}
    assert len(report["crosstab"]) == 5
    assert report["next_after"] is None


def test_voice_shares_per_perspective(project, built):
    report = report_of(project, Scope())
    voice = {(r["perspective"], r["attribution"]): (r["claims"], r["share"]) for r in report["voice"]}
    assert voice == {
        ("us_western", "direct"): ({"gold": 1, "majority": 0}, pytest.approx(1 / 3, abs=1e-4)),
        ("us_western", "indirect"): ({"gold": 0, "majority": 2}, pytest.approx(2 / 3, abs=1e-4)),
        ("chinese", "indirect"): ({"gold": 0, "majority": 1}, 0.5),
        ("chinese", "authorial"): ({"gold": 1, "majority": 0}, 0.5),
        ("neutral_mixed", "authorial"): ({"gold": 0, "majority": 1}, 1.0),
    }


def test_distinct_speakers_per_outlet_and_perspective(project, built):
    report = report_of(project, Scope())
    rows = {
        (r["group"], r["perspective"]): (r["distinct_speakers"], r["claims"])
        for r in report["speakers_per_group"]
    }
    assert rows == {
        ("Wire A", "us_western"): (1, {"gold": 1, "majority": 1}),  # Blinken in gold and in the majority
        ("Wire A", "chinese"): (1, {"gold": 1, "majority": 1}),  # Sun; the authorial claim has no speaker
        ("", "us_western"): (0, {"gold": 0, "majority": 1}),
        ("", "neutral_mixed"): (0, {"gold": 0, "majority": 1}),
    }


def test_speaker_types_by_perspective_sum_over_outlets(project, built):
    report = report_of(project, Scope())
    rows = {(r["speaker_type"], r["perspective"]): r["claims"] for r in report["speaker_types"]}
    assert rows[("US government · Person", "us_western")] == {"gold": 1, "majority": 1}
    assert rows[("author's voice", "chinese")] == {"gold": 1, "majority": 0}
    assert sum(c["gold"] + c["majority"] for c in rows.values()) == 6


def test_an_outlet_filter_limits_every_figure(project, built):
    report = report_of(project, Scope(outlets=("",)))
    assert report["claims"] == {"gold": 0, "majority": 2}
    assert report["coverage"] == {"passages": 2, "adjudicated": 0, "with_majority": 2, "pending": 0}


def test_the_claims_behind_a_cell_carry_their_passage_and_span(project, built):
    page = claims_page(
        project=project,
        claim_filter=ClaimFilter(scope=Scope(outlets=("Wire A",)), perspective="chinese", voice="speaker"),
    )
    assert [
        (c["basis"], c["text"], c["speaker"], c["stance"], c["agreeing"], c["annotators"])
        for c in page["claims"]
    ] == [
        (
            "majority",
            "Sun Weidong said both states have normal needs for exchanges",
            "Sun Weidong",
            "favor",
            2,
            3,
        )
    ]
    claim = page["claims"][0]
    assert claim["passage_text"][claim["start"] : claim["end"]] == claim["text"]
    assert page["next"] is None


def test_the_claims_list_pages_by_key(project, built, monkeypatch):
    monkeypatch.setattr("annotator.analytics.selectors.CLAIM_PAGE", 2)
    first = claims_page(project=project, claim_filter=ClaimFilter(scope=Scope()))
    assert len(first["claims"]) == 2 and first["next"]
    seen = [c["id"] for c in first["claims"]]
    cursor = first["next"]
    while cursor:
        passage, _, claim = cursor.partition("-")
        page = claims_page(
            project=project, claim_filter=ClaimFilter(scope=Scope(), after=(int(passage), int(claim)))
        )
        seen += [c["id"] for c in page["claims"]]
        cursor = page["next"]
    assert len(seen) == len(set(seen)) == 6
