"""Segmentation of articles into title / body / furniture lines, and word tokens (pure, no database)."""

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.corpus.segment import (
    MAX_CHARS,
    Segment,
    describe,
    guess_title,
    normalise_text,
    segment_article,
    word_spans,
)

SEEDS = Path(__file__).resolve().parents[3] / "seeds"
SEED_000 = "000_19274ddd54156fa7.txt"
SEED_003 = "003_5e84ef38828d30a4.txt"
TITLE_000 = "What Did Chinese Analysts Think of the Kim-Putin Summit in Pyongyang?"
TITLE_003 = "Kim, Putin bromance means headache for Xi"

FURNITURE_000 = [
    "China Power",
    "Recent Features",
    "China Power\xa0|\xa0Diplomacy\xa0|\xa0East Asia",
    TITLE_000,
    TITLE_000,
    "Russian President Vladimir Putin and North Korean leader Kim Jong Un attend a welcome ceremony for Putin"
    " in Pyongyang, North Korea, June 19, 2024.",
    "Credit: Russian Presidential Press and Information Office",
    "What the U.S. Thinks China Thinks",
    "‘Perfect’ Timing of Putin-Kim Summit",
    "The Pros and Cons of Putin’s Visit to North Korea for China",
    "The Significance of a New Bridge on the Tumen River",
    "The China-North Korea-Russia trijunction point, which is along the Tumen River near the Sea of Japan."
    " Map by Voice of America.",
]
FURNITURE_003 = [
    "Photo credit: iStock/ Gerasimov174",
    "The best maritime news and insights delivered to you.",
    "Here's what you can expect from us:",
    "• Event offers and discounts",
    "• News & key insights of the maritime industry",
    "• Expert analysis and opinions on corruption and more",
]


def seed_text(name: str) -> str:
    return normalise_text((SEEDS / name).read_bytes().decode("utf-8"))


def texts(text: str, segments: list[Segment], kind: str | None = None) -> list[str]:
    return [text[s.start : s.end] for s in segments if kind is None or s.kind == kind]


def assert_well_formed(text: str, segments: list[Segment]) -> None:
    previous_end = 0
    for segment in segments:
        piece = text[segment.start : segment.end]
        assert previous_end <= segment.start < segment.end <= len(text)
        assert piece == piece.strip()
        assert piece.splitlines() == [piece]
        assert segment.kind in {"title", "body", "furniture"}
        previous_end = segment.end
    # Together the segments hold every non-space character of the text, in order.
    assert "".join("".join(texts(text, segments)).split()) == "".join(text.split())


# --- word_spans ------------------------------------------------------------------------------------


def test_a_decomposed_accent_stays_inside_its_word():
    text = "cafe\u0301 au lait"
    assert [text[a:b] for a, b in word_spans(text)] == ["cafe\u0301", "au", "lait"]


def test_an_astral_emoji_is_one_token_and_offsets_are_code_points():
    text = "Kim 😀 Putin 𝒳!"
    spans = word_spans(text)
    assert [text[a:b] for a, b in spans] == ["Kim", "😀", "Putin", "𝒳", "!"]
    assert spans[1] == (4, 5)


def test_an_emoji_keeps_its_variation_selector_and_punctuation_splits_words():
    text = "❤\ufe0f Putin’s U.S.-led"
    tokens = ["❤\ufe0f", "Putin", "’", "s", "U", ".", "S", ".", "-", "led"]
    assert [text[a:b] for a, b in word_spans(text)] == tokens


@settings(max_examples=300)
@given(st.text())
def test_word_spans_cover_every_non_space_character_once(text):
    spans = word_spans(text)
    covered = 0
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert not any(ch.isspace() for ch in text[start:end])
        covered += end - start
        previous_end = end
    assert covered == sum(1 for ch in text if not ch.isspace())


# --- normalise_text --------------------------------------------------------------------------------


def test_normalise_text_strips_the_bom_unifies_line_ends_and_composes_accents():
    assert normalise_text("\ufeffa\r\nb\rc\ne\u0301") == "a\nb\nc\n\u00e9"


@given(st.text())
def test_normalise_text_is_idempotent(text):
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert "\r" not in once


# --- the seed articles -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", [SEED_000, SEED_003])
def test_each_non_blank_seed_line_is_one_segment_with_exact_offsets(name):
    text = seed_text(name)
    segments = segment_article(text)
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    assert texts(text, segments) == lines
    assert_well_formed(text, segments)


def test_seed_000_title_is_the_repeated_headline_not_the_section_label_above_it():
    text = seed_text(SEED_000)
    assert guess_title(text) == TITLE_000
    segments = segment_article(text)
    assert texts(text, segments, "title") == [TITLE_000]
    assert text[segments[1].start : segments[1].end] == TITLE_000 and segments[1].kind == "title"


def test_seed_000_page_furniture_is_not_body():
    text = seed_text(SEED_000)
    segments = segment_article(text)
    assert texts(text, segments, "furniture") == FURNITURE_000
    assert describe(segments) == {"title": 1, "body": 26, "furniture": 12}


def test_seed_000_standfirst_questions_and_unpunctuated_long_paragraphs_are_body():
    body = texts(text := seed_text(SEED_000), segment_article(text), "body")
    assert body[0].startswith("Commentators in China have very different takeaways")
    assert any(p.startswith("Why would Supreme Leader Kim Jong Un stay up") for p in body)
    assert any(p.startswith("Echoing sentiments") and p.endswith("Wang noted") for p in body)
    assert body[-1].startswith("Scholars in China might have been excited")


def test_seed_003_newsletter_block_and_photo_credit_are_furniture():
    text = seed_text(SEED_003)
    segments = segment_article(text)
    assert texts(text, segments, "title") == [TITLE_003]
    assert texts(text, segments, "furniture") == FURNITURE_003
    assert describe(segments) == {"title": 1, "body": 37, "furniture": 6}


def test_seed_003_last_paragraph_before_the_photo_credit_is_body_not_a_caption():
    body = texts(text := seed_text(SEED_003), segment_article(text), "body")
    assert body[-1].startswith("Admittedly while an outward appearance")
    assert any(p.startswith("Highlighting “accelerating") and p.endswith("Xi asserted:") for p in body)
    assert body[0].startswith("The Western media has been awash")


def test_a_given_title_is_used_instead_of_the_guess():
    text = "Section\nMy Headline\nBody sentence one.\nMy Headline"
    segments = segment_article(text, title="my  headline")
    assert [(text[s.start : s.end], s.kind) for s in segments] == [
        ("Section", "furniture"),
        ("My Headline", "title"),
        ("Body sentence one.", "body"),
        ("My Headline", "furniture"),
    ]


def test_newsletter_words_in_the_middle_of_an_article_do_not_make_it_furniture():
    text = "Title\nReaders can subscribe to state media, he said.\nLast paragraph of the article."
    assert describe(segment_article(text)) == {"title": 1, "body": 2, "furniture": 0}


def test_a_last_paragraph_mentioning_an_email_is_body_but_a_sign_up_box_is_not():
    text = (
        "Title\nKim met Putin.\nOfficials did not respond to an email seeking comment.\n"
        "Sign up for our newsletter.\n• Daily briefing\n• Weekly analysis"
    )
    segments = segment_article(text)
    assert texts(text, segments, "body") == [
        "Kim met Putin.",
        "Officials did not respond to an email seeking comment.",
    ]
    assert [s.reason for s in segments[-3:]] == [
        "trailing sign-up block",
        "heading or label",
        "heading or label",
    ]


def test_a_short_title_case_question_is_a_heading_but_a_short_sentence_is_body():
    text = "Title\nWhy Does Beijing Care?\nBeijing cares.\nWhy not?"
    kinds = [s.kind for s in segment_article(text)]
    assert kinds == ["title", "furniture", "body", "body"]


# --- long paragraphs -------------------------------------------------------------------------------


def test_a_paragraph_over_max_chars_splits_at_sentence_boundaries_with_exact_offsets():
    sentences = ["Kim met Putin in Pyongyang.", "“Beijing is wary,” Wang said.", "Is it? Nobody knows!"]
    sentences.append("Fin.")
    text = "Title\n  " + " ".join(sentences) + "  \nNext paragraph."
    segments = segment_article(text, max_chars=40)
    body = texts(text, segments, "body")
    # Sentences are packed greedily into pieces of at most max_chars.
    assert body == [sentences[0], sentences[1] + " Is it?", "Nobody knows! Fin.", "Next paragraph."]
    assert_well_formed(text, segments)


def test_paragraphs_up_to_the_default_limit_stay_whole():
    paragraph = ("A sentence of some length here. " * 62).strip()
    assert len(paragraph) <= MAX_CHARS
    text = "T\n" + paragraph
    assert texts(text, segment_article(text), "body") == [paragraph]
    longer = "T\n" + paragraph + " More words follow here."
    assert len(texts(longer, segment_article(longer), "body")) == 2


def test_a_sentence_without_spaces_is_cut_but_never_between_a_letter_and_its_accent():
    text = "T\n" + "e\u0301" * 10
    segments = segment_article(text, max_chars=3)
    for piece in texts(text, segments, "body"):
        assert not unicodedata.category(piece[0]).startswith("M")
        assert len(piece) <= 3
    assert_well_formed(text, segments)


def test_max_chars_must_be_positive():
    with pytest.raises(ValueError):
        segment_article("text", max_chars=0)


# --- properties on arbitrary text ------------------------------------------------------------------

SPACES = ["\n", "\r\n", "\r", " ", "\xa0", "\u2028", "\t"]
TRICKY = st.sampled_from([*SPACES, "😀", "𝒳", "e\u0301", "\u0301", ".", "? ", "”", "|", "•", "A"])
WORDS = st.sampled_from(["Credit: AP", "China Power | Asia", "newsletter", "Kim said.", "Title", "Why Not?"])
ARTICLE_TEXT = st.lists(st.one_of(TRICKY, WORDS, st.text(max_size=12)), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(ARTICLE_TEXT, st.integers(min_value=1, max_value=60), st.one_of(st.none(), st.text(max_size=10)))
def test_segments_are_in_bounds_ordered_disjoint_non_empty_and_trimmed(text, max_chars, title):
    segments = segment_article(text, title=title, max_chars=max_chars)
    assert_well_formed(text, segments)
    assert sum(1 for s in segments if s.kind == "title") <= 1
    assert all(s.end - s.start <= max_chars for s in segments if s.kind == "body")
    assert sum(describe(segments).values()) == len(segments)


@settings(max_examples=200, deadline=None)
@given(ARTICLE_TEXT)
def test_segmenting_normalised_text_keeps_every_line(text):
    text = normalise_text(text)
    segments = segment_article(text)
    assert_well_formed(text, segments)
    assert texts(text, segments) == [line.strip() for line in text.splitlines() if line.strip()]
