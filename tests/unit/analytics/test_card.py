"""The dataset card's who-says-what section, from the report as plain data (the format stays pure)."""

from annotator.exports.formats import hf_dataset_files

REPORT = {
    "definition": "A claim counts once.",
    "perspectives": ["us", "cn"],
    "labels": {"perspective": {"us": "US", "cn": "Chinese"}},
    "claims": {"gold": 1, "majority": 2},
    "groups": [{"key": "A | B", "label": "A | B\nnews"}],
    "speakers_per_group": [
        {"group": "A | B", "perspective": "us", "claims": {"gold": 1, "majority": 1}, "distinct_speakers": 2}
    ],
    "voice": [{"perspective": "us", "attribution": "direct", "share": 0.5}],
    "freshness": {"current": False},
}


def card(report):
    files = dict(hf_dataset_files([], schema={}, project_name="P", who_says_what=report))
    return files["README.md"]


def test_the_card_tabulates_outlets_keeping_the_table_intact():
    text = card(REPORT)
    assert "| A \\| B news | 2 (2 speakers) | 0 (0 speakers) |" in text
    assert "| US | 50% | 0% | 0% |" in text
    assert "1 gold and 2 majority claims count. They were being refreshed" in text


def test_a_card_without_figures_says_so():
    assert "No claim counts yet" in card(None)
