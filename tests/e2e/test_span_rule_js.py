"""The span rule in text.js and in span_rule.py agree on every case of the shared table."""

import json
from pathlib import Path

import pytest

from annotator.labeling.span_rule import DEFAULT_RULE, normalise_span

CASES = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "span_rule_cases.json").read_text(encoding="utf-8")
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_text_js_normalises_every_case_exactly_as_python_does(browser, live_server):
    page = browser.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        results = page.evaluate(
            """async (cases) => {
                const text = await import("/static/annotator/text.js");
                return cases.map((c) => {
                  const points = Array.from(c.text).length;
                  return text.normaliseSpan(c.text, c.start ?? 0, c.end ?? points, c.rule);
                });
            }""",
            CASES,
        )
    finally:
        page.close()
    for case, from_js in zip(CASES, results, strict=True):
        text = case["text"]
        expected = normalise_span(
            text, case.get("start", 0), case.get("end", len(text)), case.get("rule", DEFAULT_RULE)
        )
        assert tuple(from_js) == expected, case["why"]


def test_snapping_a_selection_in_utf16_lands_on_the_python_span_after_astral_characters(browser, live_server):
    page = browser.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        snapped = page.evaluate(
            """async () => {
                const text = await import("/static/annotator/text.js");
                const s = "😀 He said: “We will win.” 𝒳";
                const [a, b] = text.snapToWords(s, s.indexOf("“"), s.indexOf("”") + 1);
                return [text.utf16ToCodePoint(s, a), text.utf16ToCodePoint(s, b)];
            }"""
        )
    finally:
        page.close()
    sentence = "😀 He said: “We will win.” 𝒳"
    assert tuple(snapped) == normalise_span(sentence, sentence.index("“"), sentence.index("”") + 1)
    assert sentence[snapped[0] : snapped[1]] == "We will win"
