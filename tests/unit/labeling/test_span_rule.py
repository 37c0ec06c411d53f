"""The span rule over the shared table of cases (tests/fixtures/span_rule_cases.json), also run in JS."""

import json
from pathlib import Path

import pytest

from annotator.labeling.span_rule import DEFAULT_RULE, normalise_span

CASES_PATH = Path(__file__).resolve().parents[2] / "fixtures" / "span_rule_cases.json"
CASES = json.loads(CASES_PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[case["why"] for case in CASES])
def test_span_rule_case(case):
    text = case["text"]
    start, end = case.get("start", 0), case.get("end", len(text))
    new_start, new_end = normalise_span(text, start, end, case.get("rule", DEFAULT_RULE))
    assert start <= new_start < new_end <= end
    assert text[new_start:new_end] == case["expected"]


def test_the_rule_is_stable_when_applied_twice():
    for case in CASES:
        text = case["text"]
        rule = case.get("rule", DEFAULT_RULE)
        once = normalise_span(text, case.get("start", 0), case.get("end", len(text)), rule)
        assert normalise_span(text, *once, rule) == once


def test_an_empty_rule_means_the_default_rule():
    assert normalise_span("“We will win.”", 0, 14, {}) == (1, 12)


def test_offsets_are_code_points():
    text = "🚀 “Go.”"
    assert normalise_span(text, 2, 7) == (3, 5)
    assert text[3:5] == "Go"
