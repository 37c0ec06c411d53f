"""Article text: normalisation, word tokens and paragraph segmentation (pure; no Django).

Every offset here is a Python code-point index into the *normalised* text (see ``normalise_text``),
half-open ``[start, end)``.

Each non-blank line is one segment. Rules, first match wins:
1. the first line equal to the title is "title"; later copies are furniture (repeated title);
2. a line without letters or digits is furniture;
3. a credit line ("Credit: …", "Photo credit: …", "Photo: …", "Image: …", "(AP Photo/…)") is furniture,
   and so is a caption carrying its own credit ("… Map by Voice of America.");
4. a ``|``-separated section path of short parts ("China Power | Diplomacy | East Asia") is furniture;
5. a heading or label is furniture: at most 15 words and no sentence-final punctuation (. ! ? … : ;), or a
   short Title Case question ("Why Does Beijing Care?");
6. a one-sentence line of at most 40 words right before a credit line is that picture's caption;
7. at the end of the article, a run of sign-up lines (newsletter, subscribe, sign up, your inbox, privacy
   policy, …), bullet items, list intros ending in ":", headings and credits is furniture, provided the run
   holds at least one sign-up line;
8. everything else is "body": the passages annotators see.

Chinese and Japanese articles (``language`` "zh", "zh-…", "ja", see ``follows_chinese_rules``) follow the
Chinese forms of these rules, held in ``annotator.corpus.segment_zh``. Without a language the rules are the
English ones above, whatever script the text is in.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "KINDS",
    "MAX_CHARS",
    "Segment",
    "describe",
    "guess_title",
    "follows_chinese_rules",
    "normalise_text",
    "passage_spans",
    "segment_article",
    "word_spans",
]


def normalise_text(text: str) -> str:
    """Return ``text`` with a leading BOM removed, CRLF/CR turned into LF, and NFC-normalised.

    Callers normalise once, before storing a document; all offsets downstream are into the result.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():  # NFC leaves ASCII as it is; isascii() is O(1)
        return text
    return unicodedata.normalize("NFC", text)


@functools.cache
def _marks() -> str:
    """A character class body holding every combining mark (Unicode category M*).

    Built once, lazily: the scan takes ~0.2 s.
    """
    ranges: list[str] = []
    start: int | None = None
    for cp in range(sys.maxunicode + 2):
        is_mark = cp <= sys.maxunicode and unicodedata.category(chr(cp)).startswith("M")
        if is_mark and start is None:
            start = cp
        elif not is_mark and start is not None:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(cp - 1))}")
            start = None
    return "".join(ranges)


@functools.cache
def _token_pattern() -> re.Pattern[str]:
    # Combining marks are not ``\w`` in Python's ``re``, so a decomposed "é" would split in two: treat
    # marks as word characters; a mark after a symbol (e.g. an emoji variation selector) stays with it.
    marks = _marks()
    return re.compile(rf"[\w{marks}]+|[^\w\s{marks}][{marks}]*", re.UNICODE)


# Han ideographs (CJK blocks, compatibility ideographs, the astral extensions B–H), 々 and 〇: written
# without spaces between words, so one of them is never part of a longer \w run token.
HAN = "\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_CHAR = re.compile(f"[{HAN}]")


@functools.cache
def _han_split_pattern() -> re.Pattern[str]:
    return re.compile(rf"[{HAN}][{_marks()}]*|[^{HAN}]+")


def word_spans(text: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` code-point spans of the word and punctuation tokens of ``text``.

    A token is a run of word characters (letters, digits, ``_`` and combining marks) or one other
    non-space character with any marks that follow it; an astral emoji is one token. A Han character
    (Chinese has no spaces to find words by) is a token of its own, so "普京Putin" is 普, 京, Putin; a
    word segmenter can join them (annotator.exports.formats.tokens). Spans are sorted.
    """
    spans = [m.span() for m in _token_pattern().finditer(text)]
    if not _HAN_CHAR.search(text):
        return spans
    split = _han_split_pattern()
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if end - start > 1 and _HAN_CHAR.search(text, start, end):
            out.extend((start + a, start + b) for a, b in (m.span() for m in split.finditer(text[start:end])))
        else:
            out.append((start, end))
    return out


@dataclass(frozen=True)
class Segment:
    """One trimmed line (or part of a long line) of an article: ``text[start:end]``.

    ``kind`` is "title", "body" (shown to annotators as a passage) or "furniture" (kept, not annotated);
    ``reason`` names the rule that decided the kind and is ignored by ``==``.
    """

    start: int
    end: int
    kind: str
    reason: str = field(default="", compare=False)


KINDS = ("title", "body", "furniture")
MAX_CHARS = 2000  # a body paragraph longer than this is split at sentence boundaries
HEADING_MAX_WORDS = 15  # a line this short without sentence-final punctuation is a heading or label
CAPTION_MAX_WORDS = 40  # a one-sentence line this short right before a credit line is a caption
TITLE_SEARCH_LINES = 10  # guess_title looks for a repeated headline among this many first lines

_WORD = re.compile(r"\w+")
_CLOSERS = "”’\"'»)\\]"  # character-class contents
_CLOSER_CHARS = "”’\"'»)]"  # the same characters, for str.rstrip
_OPENERS = "“‘\"'«(\\["
# A sentence ends at . ! ? … (plus closing quotes/brackets) followed by space and a capital letter or digit;
# CJK full stops end a sentence without a space.
_SENTENCE_BREAK = re.compile(
    rf"[.!?…][{_CLOSERS}]*\s+(?=[{_OPENERS}]?[^\W_a-z])|[。！？][{_CLOSERS}]*\s*(?=\S)"
)
_CREDIT_LINE = re.compile(
    r"^(?:(?:photo|image|picture|video|map|graphic|illustration|cover|top|header|feature|file)\s+)?"
    r"(?:credits?|photo|image|picture|courtesy|source|photograph)\s*:",
    re.IGNORECASE,
)
# A caption that carries its own credit: "... Sea of Japan. Map by Voice of America." / "(AP Photo/Ahn)".
_TRAILING_CREDIT = re.compile(
    r"(?:^|[.!?]\s+)(?:photo|photograph|map|image|graphic|chart|illustration|video)s?\s+"
    r"(?:by|via|courtesy\s+of|credit)\b[^.!?]*\.?$"
    r"|\([^()]*\b(?:photo|image)s?\s*/[^()]*\)\.?$",
    re.IGNORECASE,
)
# Matches at the start of a line holding more than HEADING_MAX_WORDS words (runs of \w, as _WORD finds them;
# \b stops a run from being split), without listing the words of a long paragraph.
_MORE_THAN_HEADING_WORDS = re.compile(rf"(?:\W*\w+\b){{{HEADING_MAX_WORDS + 1}}}")
_BULLET = re.compile(r"^[•·▪►✓*\-–—]\s")
# Specific phrases, not "email" alone: "did not respond to an email seeking comment" ends many articles.
_SIGN_UP = re.compile(
    r"newsletter|\bsubscri(?:be|ption)\b|\bunsubscribe|\bsign[\s-]?up\b|email address|e-mail address"
    r"|your (?:e-?mail|inbox)|delivered to you|privacy policy|terms of (?:use|service)|you can expect"
    r"|follow us",
    re.IGNORECASE,
)


# Cheap tests first: the case-insensitive alternations above are slow to search, so a line is searched only
# if its lower-cased text holds one of these words (each alternative contains one of them). Under
# re.IGNORECASE an ASCII letter also matches four non-ASCII characters (İ ı → i, K → k, ſ → s); a text
# holding one skips the pre-filter.
_CASE_FOLDS_TO_ASCII = re.compile("[\u0130\u0131\u212a\u017f]")
_SIGN_UP_NEEDS = (
    "newsletter",
    "subscri",
    "sign",
    "address",
    "your ",
    "delivered to you",
    "privacy policy",
    "terms of ",
    "you can expect",
    "follow us",
)
_TRAILING_CREDIT_NEEDS = ("photo", "map", "image", "graphic", "chart", "illustration", "video")


class _Hints:
    """Per line, whether the slow case-insensitive patterns could match it, from cheap substring tests.

    The whole text is lower-cased once; a pattern none of whose words is anywhere in it is never searched.
    """

    def __init__(self, text: str) -> None:
        self.fold = not text.isascii() and _CASE_FOLDS_TO_ASCII.search(text) is not None
        # Without U+0130 (which the fold test catches) lower() maps each character to one: offsets hold.
        self.lowered = "" if self.fold else text.lower()
        self.sign_up_anywhere = self._anywhere(_SIGN_UP_NEEDS)
        self.credit_anywhere = self._anywhere(_TRAILING_CREDIT_NEEDS)

    def _anywhere(self, needs: tuple[str, ...]) -> bool:
        return self.fold or any(word in self.lowered for word in needs)

    def _in_line(self, start: int, end: int, needs: tuple[str, ...]) -> bool:
        if self.fold:
            return True
        line = self.lowered[start:end]
        return any(word in line for word in needs)

    def may_sign_up(self, start: int, end: int) -> bool:
        return self.sign_up_anywhere and self._in_line(start, end, _SIGN_UP_NEEDS)

    def may_have_credit(self, start: int, end: int) -> bool:
        return self.credit_anywhere and self._in_line(start, end, _TRAILING_CREDIT_NEEDS)


def _key(line: str) -> str:
    return " ".join(line.split()).casefold()


def _trimmed_lines(text: str) -> list[tuple[int, int]]:
    """Spans of the non-empty lines of ``text``, leading/trailing whitespace (``str.isspace``) excluded."""
    # Lines end at str.splitlines' boundaries (\n \r \v \f \x1c-\x1e \x85 \u2028 \u2029), so no segment
    # holds anything a reader would call a line break; str.strip trims exactly what str.isspace calls space.
    spans = []
    start = 0
    for piece in text.splitlines(keepends=True):
        stripped = piece.strip()
        if stripped:
            s = start + len(piece) - len(piece.lstrip())
            spans.append((s, s + len(stripped)))
        start += len(piece)
    return spans


def guess_title(text: str) -> str | None:
    """Return the article's headline: the first of the first lines that the page repeats, else line one.

    Scraped pages repeat the headline (page title, heading, image alt text) while section labels above it
    appear once; ``None`` if the text has no non-blank line.
    """
    lines = [text[s:e] for s, e in _trimmed_lines(text)]
    if not lines:
        return None
    counts: dict[str, int] = {}
    for line in lines:
        counts[_key(line)] = counts.get(_key(line), 0) + 1
    for line in lines[:TITLE_SEARCH_LINES]:
        if counts[_key(line)] > 1 and _WORD.search(line):
            return line
    return lines[0]


def _is_credit(line: str, may_have_credit: bool) -> bool:
    # Every credit-line pattern holds a colon: test for one before trying the alternation.
    return bool(
        (":" in line and _CREDIT_LINE.match(line))
        or (may_have_credit and line.startswith("(") and _TRAILING_CREDIT.search(line))
    )


def _is_section_path(line: str) -> bool:
    if "|" not in line:
        return False
    parts = [p.strip() for p in line.split("|")]
    return len(parts) >= 2 and all(p and len(_WORD.findall(p)) <= 6 for p in parts)


def _ends_with(line: str, marks: str, closers: str = _CLOSER_CHARS) -> bool:
    """Whether ``line`` ends with one of ``marks`` followed only by ``closers`` (quotes, brackets)."""
    core = line.rstrip(closers)
    return bool(core) and core[-1] in marks


def _ends_sentence(line: str) -> bool:
    """Whether ``line`` ends with . ! ? … : or ; followed only by closing quotes and brackets."""
    return _ends_with(line, ".!?…:;")


def _ends_question(line: str) -> bool:
    """Whether ``line`` ends with ! or ? followed only by closing quotes and brackets."""
    return _ends_with(line, "!?")


def _is_heading(line: str) -> bool:
    # Cheapest test first: most body lines end a sentence without being a question or exclamation, which
    # rules them out whatever their length; otherwise the word count decides, then the Title Case test.
    if not _ends_sentence(line):
        return not _MORE_THAN_HEADING_WORDS.match(line)
    if not _ends_question(line):
        return False
    words = _WORD.findall(line)
    if len(words) > HEADING_MAX_WORDS:
        return False
    # "Why Does Beijing Care?": a short Title Case question or exclamation is a heading, not a sentence.
    long_words = [w for w in words if len(w) >= 4 and w.isalpha()]
    return len(long_words) >= 2 and all(w[0].isupper() for w in long_words)


def _sentence_count(text: str) -> int:
    return 1 + sum(1 for _ in _SENTENCE_BREAK.finditer(text.rstrip()))


def _classify(text: str, spans: list[tuple[int, int]], title: str | None) -> list[tuple[str, str]]:
    """(kind, reason) for each trimmed line span, by the rules in the module docstring."""
    lines = [text[s:e] for s, e in spans]
    title_key = _key(title) if title else None
    hints = _Hints(text)
    may_have_credit = [hints.may_have_credit(s, e) for s, e in spans]
    credit = [_is_credit(line, may) for line, may in zip(lines, may_have_credit, strict=True)]
    decided: list[tuple[str, str] | None] = [None] * len(lines)
    seen_title = False
    for i, line in enumerate(lines):
        if title_key is not None and _key(line) == title_key:
            decided[i] = _REPEATED_TITLE if seen_title else _TITLE
            seen_title = True
        elif not _WORD.search(line):
            decided[i] = _NO_WORDS
        elif credit[i]:
            decided[i] = _CREDIT
        elif may_have_credit[i] and _TRAILING_CREDIT.search(line):
            decided[i] = _CAPTION_WITH_CREDIT
        elif _is_section_path(line):
            decided[i] = _SECTION_PATH
        elif _is_heading(line):
            decided[i] = _HEADING
    # A short single sentence right before a stand-alone credit line is that picture's caption.
    for i in range(1, len(lines)):
        if credit[i] and decided[i - 1] is None:
            prev = lines[i - 1]
            if len(_WORD.findall(prev)) <= CAPTION_MAX_WORDS and _sentence_count(prev) == 1:
                decided[i - 1] = _CAPTION_BEFORE_CREDIT
    # A trailing block of sign-up lines, bullets, list intros, headings and credits, if it has a sign-up line.
    block_start = len(lines)
    has_sign_up = False
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        sign_up = hints.may_sign_up(*spans[i]) and bool(_SIGN_UP.search(line))
        list_intro = line.endswith(":") and i + 1 < len(lines) and bool(_BULLET.match(lines[i + 1]))
        other = decided[i] is not None and decided[i][0] == "furniture"
        if not (sign_up or list_intro or other or _BULLET.match(line)):
            break
        has_sign_up = has_sign_up or sign_up
        block_start = i
    if has_sign_up:
        for i in range(block_start, len(lines)):
            if decided[i] is None:
                decided[i] = _SIGN_UP_BLOCK
    return [d if d is not None else _BODY for d in decided]


def _classify_only_line(line: str, title: str) -> tuple[str, str]:
    """``_classify`` of a text holding this one trimmed line: rule 6 cannot apply, and the trailing block
    of rule 7 is this line alone, so it is furniture only if it is itself a sign-up line."""
    if title and _key(line) == _key(title):
        return _TITLE
    if not _WORD.search(line):
        return _NO_WORDS
    fold = not line.isascii() and _CASE_FOLDS_TO_ASCII.search(line) is not None
    lowered = "" if fold else line.lower()
    may_have_credit = fold or any(word in lowered for word in _TRAILING_CREDIT_NEEDS)
    if _is_credit(line, may_have_credit):
        return _CREDIT
    if may_have_credit and _TRAILING_CREDIT.search(line):
        return _CAPTION_WITH_CREDIT
    if _is_section_path(line):
        return _SECTION_PATH
    if _is_heading(line):
        return _HEADING
    if (fold or any(word in lowered for word in _SIGN_UP_NEEDS)) and _SIGN_UP.search(line):
        return _SIGN_UP_BLOCK
    return _BODY


# Written without spaces between words, sentences ending at 。！？: Chinese, and Japanese, whose body
# paragraphs the English rules would count as one-word headings.
CHINESE_RULE_LANGUAGES = frozenset({"zh", "ja"})


def follows_chinese_rules(language: str) -> bool:
    """Whether articles in a BCP 47 language (``zh``, ``zh-Hans``, ``zh-TW``, ``ja``) are segmented by the
    Chinese forms of the rules."""
    return language.strip().lower().split("-")[0] in CHINESE_RULE_LANGUAGES


_TITLE = ("title", "title")
_REPEATED_TITLE = ("furniture", "repeats the title")
_NO_WORDS = ("furniture", "no letters or digits")
_CREDIT = ("furniture", "credit line")
_CAPTION_WITH_CREDIT = ("furniture", "caption with a credit")
_SECTION_PATH = ("furniture", "section path")
_HEADING = ("furniture", "heading or label")
_CAPTION_BEFORE_CREDIT = ("furniture", "caption before a credit line")
_SIGN_UP_BLOCK = ("furniture", "trailing sign-up block")
_BODY = ("body", "")


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def _split_long(
    text: str,
    start: int,
    end: int,
    max_chars: int,
    breaks: re.Pattern[str] = _SENTENCE_BREAK,
    clause_ends: str = "",
) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into trimmed pieces of at most ``max_chars``: sentences, packed greedily.

    A sentence longer than ``max_chars`` is cut at the last space that fits, or right after the last of
    ``clause_ends`` (Chinese commas: Chinese has no spaces) if that comes later, else after ``max_chars``
    code points (never between a character and its combining marks, unless that is the only cut).
    """
    sentences = []
    s = start
    for m in breaks.finditer(text, start, end):
        sentences.append((s, m.end()))
        s = m.end()
    sentences.append((s, end))
    pieces: list[tuple[int, int]] = []
    for s, e in sentences:
        while e > s and text[e - 1].isspace():
            e -= 1
        while e - s > max_chars:
            cut = s + max_chars
            space = max((i for i in range(s + 1, cut + 1) if text[i].isspace()), default=None)
            clause = None
            if clause_ends:
                clause = max((i for i in range(s + 1, cut + 1) if text[i - 1] in clause_ends), default=None)
            if clause is not None and (space is None or clause > space):
                p_end = nxt = clause
            elif space is not None:
                p_end = space
                while text[p_end - 1].isspace():
                    p_end -= 1
                nxt = space
                while text[nxt].isspace():
                    nxt += 1
            else:
                while cut > s + 1 and _is_mark(text[cut]):
                    cut -= 1
                if cut == s + 1 and _is_mark(text[cut]):
                    cut = s + max_chars
                p_end = nxt = cut
            pieces.append((s, p_end))
            s = nxt
        if e > s:
            pieces.append((s, e))
    chunks: list[tuple[int, int]] = []
    for s, e in pieces:
        if chunks and e - chunks[-1][0] <= max_chars:
            chunks[-1] = (chunks[-1][0], e)
        else:
            chunks.append((s, e))
    return chunks


def segment_article(
    text: str, *, title: str | None = None, max_chars: int = MAX_CHARS, language: str = ""
) -> list[Segment]:
    """Split normalised ``text`` into sorted, non-overlapping segments, one per non-blank line.

    ``text[seg.start:seg.end]`` is the line without surrounding whitespace; it is never empty and never
    holds a line break. The first line equal to ``title`` (default: ``guess_title(text)``) is the "title";
    page furniture (repeated title, credits, captions, section paths, headings, a trailing sign-up block)
    is "furniture"; the rest is "body", and a body line longer than ``max_chars`` is split into several
    body segments at sentence boundaries. A Chinese or Japanese ``language`` (``follows_chinese_rules``)
    applies the Chinese forms of the rules; any other, or none, the English ones.
    """
    return [Segment(s, e, kind, reason) for s, e, kind, reason in _segments(text, title, max_chars, language)]


def passage_spans(
    text: str, *, title: str | None = None, max_chars: int = MAX_CHARS, language: str = ""
) -> tuple[list[tuple[int, int]], int]:
    """``segment_article``'s body spans, in order, and its number of furniture segments.

    The importer's form of the same segmentation: no ``Segment`` objects for lines it does not keep.
    """
    body: list[tuple[int, int]] = []
    furniture = 0
    for s, e, kind, _reason in _segments(text, title, max_chars, language):
        if kind == "body":
            body.append((s, e))
        elif kind == "furniture":
            furniture += 1
    return body, furniture


def _segments(
    text: str, title: str | None, max_chars: int, language: str = ""
) -> list[tuple[int, int, str, str]]:
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    spans = _trimmed_lines(text)
    if follows_chinese_rules(language):
        # Imported here, not at the top: segment_zh builds on this module's helpers and imports it.
        from annotator.corpus.segment_zh import zh_segments

        return zh_segments(text, spans, title, max_chars)
    if title is not None and len(spans) == 1:
        # One paragraph a record is the common bulk import: the same rules without the lists kept
        # between lines (no line can come before a credit or start a trailing block of several).
        ((s, e),) = spans
        kind, reason = _classify_only_line(text[s:e], title)
        if kind == "body" and e - s > max_chars:
            return [(ps, pe, kind, "long paragraph split") for ps, pe in _split_long(text, s, e, max_chars)]
        return [(s, e, kind, reason)]
    if title is None:
        title = guess_title(text)
    segments = []
    for (s, e), (kind, reason) in zip(spans, _classify(text, spans, title), strict=True):
        if kind == "body" and e - s > max_chars:
            segments.extend(
                (ps, pe, kind, "long paragraph split") for ps, pe in _split_long(text, s, e, max_chars)
            )
        else:
            segments.append((s, e, kind, reason))
    return segments


def describe(segments: Iterable[Segment]) -> dict[str, int]:
    """Count segments by kind: ``{"title": n, "body": n, "furniture": n}`` (every kind present)."""
    counts = dict.fromkeys(KINDS, 0)
    for segment in segments:
        counts[segment.kind] = counts.get(segment.kind, 0) + 1
    return counts
