"""The report from aggregate rows: sums, shares, names, and the CSV."""

import csv
import io

from annotator.analytics.crosstab import build_report, csv_problems, csv_text

SCHEMA = {
    "perspectives": [{"value": "us", "label": "US"}, {"value": "cn", "label": "Chinese"}],
    "stances": [{"value": "favor", "label": "Favor"}, {"value": "against", "label": "Against"}],
    "attributions": [{"value": "direct", "label": "Direct quote"}],
    "speaker_kinds": [{"value": "person", "label": "Person"}],
    "affiliations": [{"value": "us_gov", "label": "US government"}],
}


def cell(group, voice, perspective, stance, attribution, gold, majority, affiliation="", kind="", title=None):
    return {
        "group_key": group, "title": title, "voice": voice, "affiliation": affiliation, "kind": kind,
        "perspective": perspective, "stance": stance, "attribution": attribution, "gold": gold,
        "majority": majority,
    }  # fmt: skip


CELLS = [
    cell("=cmd", "speaker", "us", "against", "direct", 1, 2, "us_gov", "person"),
    cell("=cmd", "speaker", "us", "against", "indirect", 0, 1, "us_gov", "person"),
    cell("", "author", "cn", "favor", "authorial", 0, 3),
    cell(None, "unnamed", "us", "favor", "indirect", 4, 0),  # a document outside the page
]
SPEAKERS = [
    {"group_key": "=cmd", "perspective": "us", "gold": 1, "majority": 3, "speakers": 2},
    {"group_key": "", "perspective": "cn", "gold": 0, "majority": 3, "speakers": 0},
    {"group_key": None, "perspective": "us", "gold": 4, "majority": 0, "speakers": 0},
]
COVERAGE = {"passages": 10, "adjudicated": 2, "with_majority": 5, "next_after": 7}


def report(by="outlet"):
    return build_report(cells=CELLS, speakers=SPEAKERS, coverage=COVERAGE, by=by, schema=SCHEMA)


def test_cells_sum_over_attributions_and_rows_outside_the_page_count_only_project_wide():
    r = report()
    assert r["claims"] == {"gold": 5, "majority": 6}
    assert [(g["key"], g["label"], g["claims"]) for g in r["groups"]] == [
        ("=cmd", "=cmd", {"gold": 1, "majority": 3}),
        ("", "(no outlet)", {"gold": 0, "majority": 3}),
    ]
    assert [(c["group"], c["speaker_type"], c["claims"]) for c in r["crosstab"]] == [
        ("=cmd", "US government · Person", {"gold": 1, "majority": 3}),
        ("", "author's voice", {"gold": 0, "majority": 3}),
    ]
    assert {(t["speaker_type"], t["perspective"]) for t in r["speaker_types"]} == {
        ("US government · Person", "us"), ("author's voice", "cn"), ("speaker not named", "us"),
    }  # fmt: skip
    assert [(s["group"], s["distinct_speakers"]) for s in r["speakers_per_group"]] == [("=cmd", 2), ("", 0)]
    assert r["coverage"] == {"passages": 10, "adjudicated": 2, "with_majority": 5, "pending": 3}
    assert r["next_after"] is None and report("document")["next_after"] == 7


def test_voice_shares_are_of_each_perspectives_claims_in_schema_order():
    voice = [(v["perspective"], v["attribution"], v["share"]) for v in report()["voice"]]
    assert voice == [("us", "direct", 0.375), ("us", "indirect", 0.625), ("cn", "authorial", 1.0)]


def test_csv_rows_are_spreadsheet_safe():
    rows = list(csv.reader(io.StringIO(csv_text(report()))))
    assert rows[0][:4] == ["group", "group_label", "speaker_type", "voice"]
    assert rows[1][:2] == ["'=cmd", "'=cmd"] and rows[1][-3:] == ["1", "3", "4"]
    assert rows[2][:3] == ["", "(no outlet)", "author's voice"]
    problems = list(csv.reader(io.StringIO(csv_problems({"by": ["=bad"]}))))
    assert problems == [["field", "problem"], ["by", "'=bad"]]
