"""The span editor on a Chinese passage in the real headless Chromium: a selection snaps to the words the
browser's segmenter finds and drops Chinese quotation marks and the full-width stop, and the span rule in
text.js agrees with span_rule.py on Chinese text."""

import pytest
from playwright.sync_api import expect

from annotator.corpus.models import Role
from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import, membership_set, project_create
from annotator.labeling.assignment_services import assignments_distribute
from annotator.labeling.models import Claim
from annotator.labeling.span_rule import normalise_span
from tests.e2e.test_annotate import assignment, drag_select, open_editor, wait_saved

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The paragraph ends with …… so that it is a body passage whatever the importer makes of 。
PASSAGE = "中国人民大学教授王俊生表示：“中美关系已经进入新的阶段。”外交部发言人毛宁说，中方愿意继续对话……"
ARTICLE = f"王俊生谈中美关系\n\n{PASSAGE}\n"

# (text, start, end, expected) in code points: the span rule on Chinese edges.
RULE_CASES = [
    ("他说：“中美关系进入新阶段。”", 3, 15, "中美关系进入新阶段"),  # quotes around the whole span and 。
    ("他说：“中美关系进入新阶段。”", 4, 15, "中美关系进入新阶段"),  # an unmatched closing mark
    ("他说：“中美关系进入新阶段。”", 3, 11, "中美关系进入新"),  # an unmatched opening mark after ：
    ("王俊生表示，“一带一路”倡议很重要。", 6, 17, "“一带一路”倡议很重要"),  # a quoted name inside stays
    ("陈静强调：「任何一方都不应制造紧张。」", 5, 19, "任何一方都不应制造紧张"),
    ("引用『和平与稳定』的说法", 2, 9, "和平与稳定"),
    ("他读了《人民日报》。", 3, 10, "人民日报"),
    ("（中方）反对！", 0, 7, "（中方）反对"),  # the bracket pairs inside, so it stays: only ！ goes
    ("中方反对，", 0, 5, "中方反对"),
    ("他问：为什么？", 3, 7, "为什么"),
    ("“新冷战”的说法；", 0, 9, "“新冷战”的说法"),
]


def test_the_span_rule_in_text_js_agrees_with_python_on_chinese_text(browser, live_server):
    for text, start, end, expected in RULE_CASES:
        assert text[slice(*normalise_span(text, start, end))] == expected, text
    page = browser.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        from_js = page.evaluate(
            """async (cases) => {
                const text = await import("/static/annotator/text.js");
                return cases.map(([t, s, e]) => text.normaliseSpan(t, s, e));
            }""",
            RULE_CASES,
        )
    finally:
        page.close()
    assert [tuple(span) for span in from_js] == [normalise_span(t, s, e) for t, s, e, _ in RULE_CASES]


def test_chromium_segments_chinese_into_dictionary_words_and_snapping_uses_them(browser, live_server):
    page = browser.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        result = page.evaluate(
            """async () => {
                const text = await import("/static/annotator/text.js");
                const s = "中国人民大学教授王俊生表示";
                const words = (lang) => text.wordSpans(s, lang).map(([a, b]) => s.slice(a, b));
                const snap = (a, b, lang) => {
                    const [x, y] = text.snapToWords(s, a, b, undefined, lang);
                    return s.slice(x, y);
                };
                return {zh: words("zh"), en: words("en"), none: words(""),
                        snapZh: snap(1, 10, "zh-CN"), snapEn: snap(1, 10, "en"),
                        latin: text.snapToWords("say “hello wor", 6, 12, undefined, "zh")};
            }"""
        )
    finally:
        page.close()
    # Debian's Chromium ships ICU's Chinese dictionary: words, not single characters. It splits a
    # person's name into surname and given name (王 | 俊生).
    assert result["zh"] == ["中国", "人民", "大学", "教授", "王", "俊生", "表示"]
    assert result["en"] == result["zh"] == result["none"]  # a passage marked English still gets words
    assert result["snapZh"] == result["snapEn"] == "中国人民大学教授王俊生"
    assert result["latin"] == [5, 14]  # Latin words snap as before


def test_a_selection_in_a_chinese_passage_snaps_to_words_and_drops_quotes_and_the_full_stop(
    login, live_server, project, members
):
    chinese = project_create(name="Chinese", slug="chinese", overlap=1)
    membership_set(project=chinese, user=members["ann1"], role=Role.ANNOTATOR)
    documents_import(project=chinese, records=[ArticleRecord(title="王俊生谈中美关系", text=ARTICLE)])
    assignments_distribute(project=chinese)
    target = assignment("ann1", chinese, 0)
    assert target.passage.text == PASSAGE

    page = login("ann1")
    page.goto(f"{live_server.url}/projects/chinese/annotate/{target.pk}/")
    open_editor(page)
    family = page.evaluate("getComputedStyle(document.getElementById('passage')).fontFamily")
    assert "Noto Sans CJK SC" in family and "Microsoft YaHei" in family

    # Starts inside 中国 and ends inside 俊生: both edges move out to the word.
    drag_select(page, "国人民大学教授王俊")
    expect(page.locator("#f-text")).to_have_text("中国人民大学教授王俊生")
    page.keyboard.press("2")  # perspective: Chinese
    page.keyboard.press("n")  # stance: neutral
    wait_saved(page)

    # Across the opening mark to the closing one: the marks and 。 go.
    drag_select(page, "“中美关系已经进入新的阶段。”")
    expect(page.locator("#f-text")).to_have_text("中美关系已经进入新的阶段")
    page.keyboard.press("2")
    page.keyboard.press("n")
    wait_saved(page)

    # From the opening mark to the middle of 阶段: the mark goes, the word is completed.
    drag_select(page, "“中美关系已经进入新的阶")
    expect(page.locator("#f-text")).to_have_text("中美关系已经进入新的阶段")

    saved = sorted((c.start, c.end, c.text) for c in Claim.objects.filter(assignment=target))
    name = PASSAGE.index("中国人民大学教授王俊生")
    quote = PASSAGE.index("中美关系已经进入新的阶段")
    assert saved == [
        (name, name + 11, "中国人民大学教授王俊生"),
        (quote, quote + 12, "中美关系已经进入新的阶段"),
    ]
