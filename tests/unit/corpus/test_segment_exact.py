"""The fast segmenter gives exactly the reference segmenter's output: offsets, kinds and reasons (pure)."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.corpus.segment import guess_title, normalise_text, passage_spans, segment_article
from tests.unit.corpus import segment_reference as reference

REPO = Path(__file__).resolve().parents[3]
ARTICLE_FILES = sorted((REPO / "seeds").glob("*.txt")) + sorted(
    (REPO / "tests" / "fixtures" / "articles").glob("*.txt")
)


def fast(text: str, **options) -> list[tuple[int, int, str, str]]:
    return [(s.start, s.end, s.kind, s.reason) for s in segment_article(text, **options)]


def slow(text: str, **options) -> list[tuple[int, int, str, str]]:
    return [(s.start, s.end, s.kind, s.reason) for s in reference.segment_article(text, **options)]


def assert_same(text: str, **options) -> None:
    expected = slow(text, **options)
    assert fast(text, **options) == expected
    spans, furniture = passage_spans(text, **options)
    assert spans == [(s, e) for s, e, kind, _ in expected if kind == "body"]
    assert furniture == sum(1 for *_, kind, _ in expected if kind == "furniture")


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=lambda p: p.name)
def test_seed_and_fixture_articles_segment_exactly_as_before(path):
    raw = path.read_bytes().decode("utf-8", errors="replace")
    for text in (raw, normalise_text(raw)):
        assert guess_title(text) == reference.guess_title(text)
        assert_same(text)
        assert_same(text, title="Some Other Title")
        assert_same(text, max_chars=120)


SIGN_UP_LINES = [
    "Sign up for our newsletter",
    "Get the daily NEWSLETTER",
    "SIGN-UP today",
    "Subscribe",
    "Manage your subscription.",
    "Unsubscribe at any time",
    "Enter your email address:",
    "Give us an e-mail address",
    "Your E-mail",
    "Delivered to you weekly.",
    "Privacy Policy",
    "Terms of Service",
    "Here's what you can expect:",
    "Follow us on social media",
    # Under re.IGNORECASE these match the ASCII letters: KELVIN SIGN, LONG S, dotted and dotless I.
    "\u017fign up now",
    "Sub\u017fcribe",
    "s\u0131gn up today",
    "Newsletter \u212aorea",
    "\u0130NBOX: your \u0131nbox",
    "Privacy pol\u0130cy",
    "News­letter",  # a soft hyphen inside the word: not the phrase
]
FURNITURE_LINES = [
    "Credit: Russian Presidential Press and Information Office",
    "Photo credit: iStock/ Gerasimov174",
    "PHOTO: Reuters",
    "(AP Photo/Ahn Young-joon)",
    "(AP Photo/Ahn Young-joon).",
    "The trijunction point, near the Sea of Japan. Map by Voice of America.",
    "Kim and Putin. Photographs via Kremlin press office",
    "A meeting. \u0130mage by someone",
    "Kim in Pyongyang. Image courtesy of KCNA",
    "A rally. Video credit Reuters",
    "The route. Graphic by The Diplomat",
    "Trade since 2000. Chart via World Bank.",
    "The summit. Illustration by a reader",
    "China Power | Diplomacy | East Asia",
    "What the U.S. Thinks China Thinks",
    "Why Does Beijing Care?",
    "“Why Does Beijing Care?”",
    "Why not?",
    "• Event offers and discounts",
    "- a dash item",
    "Read more:",
    "***",
    "Kim met Putin in Pyongyang on a rainy day in June and they talked for hours about many things",
    "Kim met Putin in Pyongyang on a rainy day in June and they talked for hours about many things.",
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen",
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen",
    "under_score words_with_underscores count as one",
]
BODY = "Kim met Putin. “Beijing is wary,” Wang said. Is it? Nobody knows!"


@pytest.mark.parametrize("line", SIGN_UP_LINES + FURNITURE_LINES)
def test_tricky_lines_segment_exactly_as_before_alone_after_a_body_and_before_a_credit(line):
    # With a full stop a short line is no heading: only the sign-up rule can make it furniture.
    for text in (
        line,
        f"Title\n{BODY}\n{line}",
        f"Title\n{BODY}\nPlease, {line}.",
        f"Title\n{line}\n{BODY}",
        f"Title\n{BODY}\n{line}\n• A bullet\nCredit: AP",
        f"Title\n{line}\nPhoto: AP\n{BODY}",
    ):
        assert_same(text)
        assert_same(text, title=line)
        assert_same(text, title="Title")
    for text in (f" {line} \n", f"{line} {BODY}", f"{BODY} {line}", f"{BODY} Sign up. {line}"):
        assert_same(text, title="Title")
        assert_same(text, title=line)
        assert_same(text, title="", max_chars=20)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \n\t\n",
        "Title\r\nBody line one.\r\n\r\nSign up for our newsletter\r\n",
        "Title\rBody.\rFollow us",
        "Title\x0bBody.\x1cNewsletter\u2028Privacy policy\u2029x\x85y\x0c",
        "Kim 😀 met Putin 𝒳 in Pyongyang.\nnewsletter 😀\n𝒳",
        "cafe\u0301 au lait. Photo by me\u0301.\ne\u0301" * 3,
        "\ufeffTitle\nBody.",
        "。！？\nKim met Putin。He left！Was it good？ Yes.",
    ],
)
def test_line_breaks_astral_characters_and_empty_input_segment_exactly_as_before(text):
    assert_same(text)
    assert_same(text, max_chars=7)


def test_a_one_megabyte_article_segments_exactly_as_before():
    paragraph = "Officials in Beijing described the agreements as fulfilling a need. " * 20
    lines = ["Headline", "China Power | Asia", "Credit: AP", "A caption of a picture."]
    lines += [f"{paragraph}Paragraph {i}." for i in range(730)]
    lines += [paragraph.replace(". ", " ") * 3, "Sign up for our newsletter", "• Weekly analysis"]
    text = "\n".join(lines)
    assert len(text) > 1_000_000
    assert_same(text)


PIECES = st.sampled_from(
    [
        "\n",
        "\r\n",
        "\r",
        " ",
        "\xa0",
        "\u2028",
        "\t",
        "😀",
        "𝒳",
        "e\u0301",
        ".",
        "? ",
        "”",
        ")",
        "|",
        "•",
        "- ",
    ]
    + [
        "Title",
        "Kim said.",
        "Why Not?",
        "(AP Photo/X)",
        "Map by VOA.",
        ":",
        "…",
        "\u212a",
        "\u017f",
        "\u0130",
    ]
    + SIGN_UP_LINES[:12]
    + FURNITURE_LINES[:10]
)
ARTICLE_TEXT = st.lists(st.one_of(PIECES, st.text(max_size=8)), max_size=40).map("".join)


@settings(max_examples=200, deadline=None)
@given(
    ARTICLE_TEXT, st.integers(min_value=1, max_value=80), st.one_of(st.none(), st.sampled_from(["Title", ""]))
)
def test_arbitrary_text_segments_exactly_as_before(text, max_chars, title):
    assert reference.guess_title(text) == guess_title(text)
    assert_same(text, title=title, max_chars=max_chars)


ONE_LINE_TEXT = ARTICLE_TEXT.map(lambda text: " ".join(text.splitlines()))


@settings(max_examples=200, deadline=None)
@given(ONE_LINE_TEXT, st.integers(min_value=1, max_value=80), st.sampled_from(["Title", "", "Kim said."]))
def test_arbitrary_one_line_text_segments_exactly_as_before(text, max_chars, title):
    assert_same(text, title=title, max_chars=max_chars)
    assert_same(f"  {text}\n", title=title)
