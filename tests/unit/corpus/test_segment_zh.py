"""Chinese articles: sentence ends, page furniture, headings counted in characters, Han word tokens and exact
code-point offsets on Chinese and mixed Chinese/English text with astral characters (pure, no database)."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.corpus.readers import read_articles
from annotator.corpus.segment import (
    describe,
    follows_chinese_rules,
    passage_spans,
    segment_article,
    word_spans,
)
from tests.unit.corpus.test_segment import assert_well_formed

SEED = Path(__file__).resolve().parents[3] / "seeds" / "zh" / "100_kim_putin_summits_zh.txt"
TITLE = "金正恩与普京再次会晤"
BODY = "2023年9月13日，金正恩与普京（Vladimir Putin）在东方航天发射场举行会晤，双方就各领域合作交换了意见。"


def zh(text: str, **options) -> list[tuple[str, str]]:
    """(kind, line) of each segment of a Chinese text."""
    return [(s.kind, text[s.start : s.end]) for s in segment_article(text, language="zh", **options)]


def pieces(text: str, max_chars: int) -> list[str]:
    segments = segment_article(text, title="", language="zh", max_chars=max_chars)
    assert_well_formed(text, segments)
    return [text[s.start : s.end] for s in segments]


# --- sentences --------------------------------------------------------------------------------------


def test_long_paragraphs_split_after_chinese_stops_keeping_closing_quotes_in_the_sentence():
    # No two neighbouring sentences fit in 12 characters together, so each is a passage of its own.
    text = (
        "他说：“我们支持对话。”随后离开。她问：「为什么？」无人回答！"
        "谁也不知道结果；《条约》签署了。（会晤结束。）下一步如何还不清楚"
    )
    assert pieces(text, max_chars=12) == [
        "他说：“我们支持对话。”",
        "随后离开。",
        "她问：「为什么？」",
        "无人回答！",
        "谁也不知道结果；",
        "《条约》签署了。",
        "（会晤结束。）",
        "下一步如何还不清楚",
    ]


def test_half_width_marks_and_ellipses_end_a_sentence_before_chinese_text_only():
    text = "你真的相信吗?当然相信!局势紧张……“稳定才最重要。”Yahoo! News 报道了。"
    expected = ["你真的相信吗?", "当然相信!", "局势紧张……", "“稳定才最重要。”", "Yahoo!", "News 报道了。"]
    assert pieces(text, max_chars=9) == expected


def test_a_sentence_longer_than_a_passage_is_cut_after_a_chinese_comma():
    text = "北约东扩、俄乌冲突以及美国在东北亚强化军事同盟，是推动朝俄合作不断深化的主要原因。"
    assert pieces(text, max_chars=30) == [
        "北约东扩、俄乌冲突以及美国在东北亚强化军事同盟，",
        "是推动朝俄合作不断深化的主要原因。",
    ]


def test_english_sentences_inside_a_chinese_paragraph_still_split():
    text = "普京抵达平壤。He met Kim. They talked. 双方签署条约。"
    assert pieces(text, max_chars=12) == ["普京抵达平壤。", "He met Kim.", "They talked.", "双方签署条约。"]


# --- furniture --------------------------------------------------------------------------------------

FURNITURE = [
    "来源：新华社",
    "来源: 环球时报",
    "消息来源：央视新闻客户端",
    "责任编辑：王某",
    "编辑：李某 校对：张某",
    "原标题：朝俄走近，北京为何保持低调？",
    "图片来源：视觉中国",
    "（图片来源：视觉中国）",
    "图/新华社",
    "摄影：张某",
    "新华社记者 李某 摄",
    "6月19日，普京抵达平壤。新华社记者 李某 摄",
    "6月19日，普京抵达平壤。（图片来源：克里姆林宫网站）",
    "扫码关注我们的微信公众号",
    "扫一扫，下载客户端",
    "点击进入专题",
    "（更多精彩内容，请下载客户端）",
    "相关阅读：",
    "版权声明：本文版权归原作者所有，未经授权不得转载。如有侵权，请联系我们删除，我们将在第一时间处理，谢谢理解与支持。",
    "未经许可不得转载",
    "【环球时报综合报道】",
    "首页 > 国际 > 正文",
    "国际 | 朝鲜半岛",
    "（完）",
    "北京的回应",
    "学者：不必过度解读",
    "Credit: Reuters",
]


@pytest.mark.parametrize("line", FURNITURE)
def test_page_furniture_of_chinese_news_sites_is_furniture_anywhere(line):
    body = f"{BODY}双方同意继续合作。"  # two sentences: not the caption of a picture credit
    text = f"{TITLE}\n{body}\n{line}\n{BODY}"
    assert zh(text) == [("title", TITLE), ("body", body), ("furniture", line), ("body", BODY)]
    assert zh(line, title="") == [("furniture", line)]


BODY_LINES = [
    BODY,
    # Long without a full stop: Chinese length is counted in characters, not in (space-separated) words.
    "中国社会科学院亚太与全球战略研究院研究员王俊生表示北约东扩是推动朝俄合作不断深化的主要原因",
    "记者：您如何看待这次会晤？",  # an interview question, not a byline
    "【环球时报综合报道】据俄媒报道，普京于6月19日凌晨抵达平壤。",
    "点评：这次会晤意义重大。",
    "“稳定才是中国在半岛的最大利益。”一位学者说。",
    "他说：“这是两个主权国家之间的事情！”",
    "中方的立场是一贯的。",  # short, but a sentence
    "相关报道称，朝俄双方签署了条约。",  # starts like a promotion line ("相关报道"), but a sentence
    "更多国家对此表示关切。",
    "戳穿这种说法并不难。",
]


@pytest.mark.parametrize("line", BODY_LINES)
def test_chinese_sentences_are_body_however_short_or_long(line):
    assert zh(f"{TITLE}\n{line}\n来源：新华社") == [
        ("title", TITLE),
        ("body", line),
        ("furniture", "来源：新华社"),
    ]
    assert zh(line, title="") == [("body", line)]


def test_a_short_sentence_before_a_picture_credit_is_its_caption_but_not_before_a_source_line():
    caption = "6月19日，普京抵达平壤。"
    assert zh(f"{TITLE}\n{caption}\n图片来源：新华社\n{BODY}") == [
        ("title", TITLE),
        ("furniture", caption),
        ("furniture", "图片来源：新华社"),
        ("body", BODY),
    ]
    assert zh(f"{TITLE}\n{BODY}\n{caption}\n来源：新华社")[2] == ("body", caption)


def test_without_a_chinese_language_the_english_rules_apply_unchanged():
    text = f"{TITLE}\n{BODY}\n来源：新华社"
    # The English rules see six "words" (\w runs between punctuation) and no full stop (. ! ?) in the Chinese
    # paragraph: a heading. That is why a document's language decides the rules.
    english = segment_article(text, language="en")
    assert english == segment_article(text)
    assert [(s.kind, s.reason) for s in english][1:] == [("furniture", "heading or label")] * 2
    chinese = segment_article(text, language="zh-Hans")
    assert [(s.kind, s.reason) for s in chinese][1:] == [("body", ""), ("furniture", "credit line")]


def test_chinese_and_japanese_tags_choose_the_chinese_rules_by_their_primary_subtag():
    tags = ("zh", "ZH", "zh-Hans", "zh-TW", " zh ", "ja", "ja-JP")
    assert [follows_chinese_rules(tag) for tag in tags] == [True] * 7
    assert [follows_chinese_rules(tag) for tag in ("", "en", "zha", "jav", "ko", "z")] == [False] * 6


def test_a_japanese_article_is_body_by_the_chinese_rules_and_was_headings_by_the_english_ones():
    text = (
        "金正恩総書記とプーチン大統領の会談\n\n"
        "北朝鮮の金正恩総書記は19日、平壌でロシアのプーチン大統領と会談した。"
        "専門家は「両国の接近は地域の安全保障に影響を与える」と指摘している。\n\n"
        "共同通信によると、会談は約2時間続いた。"
    )
    body = [text[s.start : s.end] for s in segment_article(text, language="ja") if s.kind == "body"]
    assert body == text.split("\n\n")[1:]
    english = segment_article(text, language="en")
    assert [(s.kind, s.reason) for s in english][1:] == [("furniture", "heading or label")] * 2
    long = segment_article(text, language="ja", max_chars=40)
    assert [text[s.start : s.end] for s in long if s.kind == "body"][:2] == [
        "北朝鮮の金正恩総書記は19日、平壌でロシアのプーチン大統領と会談した。",
        "専門家は「両国の接近は地域の安全保障に影響を与える」と指摘している。",
    ]


# --- the demo's Chinese article ---------------------------------------------------------------------


def test_the_demo_article_keeps_its_nine_paragraphs_and_drops_twelve_lines_of_furniture():
    (record,) = read_articles(SEED.name, SEED.read_bytes())
    assert record.language == "zh"
    assert record.meta["constructed"] == "true"
    segments = segment_article(record.text, title=record.title, language="zh")
    assert_well_formed(record.text, segments)
    assert describe(segments) == {"title": 1, "body": 9, "furniture": 12}
    body = [record.text[s.start : s.end] for s in segments if s.kind == "body"]
    assert body[0].startswith("2023年9月13日") and body[-1].endswith("技术支持。")
    assert any("外交部发言人" in p and "“朝俄是友好邻邦" in p for p in body)
    assert any(p.startswith("中国社会科学院") and "王俊生表示" in p and "他认为" in p for p in body)
    spans, furniture = passage_spans(record.text, title=record.title, language="zh")
    assert spans == [(s.start, s.end) for s in segments if s.kind == "body"] and furniture == 12


# --- offsets on mixed text with astral characters ---------------------------------------------------


def test_offsets_are_code_points_in_mixed_text_with_astral_characters():
    # U+20000 (𠀀) and U+2A6D6 are astral Han characters: two UTF-16 units, one code point each.
    text = f"𠀀{TITLE}\n\n😀 普京（Putin）说：“𪛖合作！”e\u0301金正恩点头。\n来源：𠀀社\n"
    segments = segment_article(text, language="zh", max_chars=20)
    assert_well_formed(text, segments)
    found = [(s.kind, text[s.start : s.end]) for s in segments]
    assert found == [
        ("title", f"𠀀{TITLE}"),
        ("body", "😀 普京（Putin）说：“𪛖合作！”"),
        ("body", "e\u0301金正恩点头。"),
        ("furniture", "来源：𠀀社"),
    ]
    assert segments[1].start == len(TITLE) + 3  # the astral 𠀀 is one code point


def test_han_characters_are_tokens_of_their_own_astral_ones_too():
    text = "普京Putin说：“𠀀合作”，e\u0301 中\u0301文 under_score"
    tokens = [text[a:b] for a, b in word_spans(text)]
    assert tokens[:8] == ["普", "京", "Putin", "说", "：", "“", "𠀀", "合"]
    assert tokens[8:] == ["作", "”", "，", "e\u0301", "中\u0301", "文", "under_score"]
    assert word_spans("𠀀a") == [(0, 1), (1, 2)]


ZH_PIECES = st.sampled_from(
    ["\n", " ", "\u3000", "。", "！", "？", "；", "”", "」", "）", "…", "!", "?", "，", "：",
     "来源：", "责任编辑：", "【", "】", "扫码关注", "（更多", "图片来源：", "摄", "𠀀", "😀",
     "e\u0301", "Putin", "Kim said. ", "普京", "会晤", "表示", "“", "「", "首页 > ", "| "]
)  # fmt: skip
ZH_TEXT = st.lists(st.one_of(ZH_PIECES, st.text(max_size=4)), max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(ZH_TEXT, st.integers(min_value=1, max_value=40), st.one_of(st.none(), st.sampled_from(["", "普京"])))
def test_arbitrary_chinese_text_segments_into_exact_ordered_lines(text, max_chars, title):
    segments = segment_article(text, title=title, max_chars=max_chars, language="zh")
    assert_well_formed(text, segments)
    assert all(s.end - s.start <= max_chars for s in segments if s.reason == "long paragraph split")
    spans, furniture = passage_spans(text, title=title, max_chars=max_chars, language="zh")
    assert spans == [(s.start, s.end) for s in segments if s.kind == "body"]
    assert furniture == sum(1 for s in segments if s.kind == "furniture")
