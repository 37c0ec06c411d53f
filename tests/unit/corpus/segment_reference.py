"""The article segmenter as it stood before its cheap pre-filters (a frozen copy, not used by the app).

``test_segment_exact`` holds the fast segmenter in ``annotator.corpus.segment`` to exactly this output:
same offsets, kinds and reasons. Do not "fix" this file; change both, deliberately, if the rules change.
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
    "normalise_text",
    "segment_article",
    "word_spans",
]


def normalise_text(text: str) -> str:
    """Return ``text`` with a leading BOM removed, CRLF/CR turned into LF, and NFC-normalised.

    Callers normalise once, before storing a document; all offsets downstream are into the result.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


@functools.cache
def _token_pattern() -> re.Pattern[str]:
    # Combining marks (Unicode category M*) are not ``\w`` in Python's ``re``, so a decomposed "é" would
    # split in two. Build a class of every mark once (lazily: the scan takes ~0.2 s) and treat marks as
    # word characters; a mark after a symbol (e.g. an emoji variation selector) stays with that symbol.
    ranges: list[str] = []
    start: int | None = None
    for cp in range(sys.maxunicode + 2):
        is_mark = cp <= sys.maxunicode and unicodedata.category(chr(cp)).startswith("M")
        if is_mark and start is None:
            start = cp
        elif not is_mark and start is not None:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(cp - 1))}")
            start = None
    marks = "".join(ranges)
    return re.compile(rf"[\w{marks}]+|[^\w\s{marks}][{marks}]*", re.UNICODE)


def word_spans(text: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` code-point spans of the word and punctuation tokens of ``text``.

    A token is a run of word characters (letters, digits, ``_`` and combining marks) or one other
    non-space character with any marks that follow it; an astral emoji is one token. Spans are sorted.
    """
    return [m.span() for m in _token_pattern().finditer(text)]


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

# str.splitlines' line boundaries, so no segment contains anything a reader would call a line break.
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_WORD = re.compile(r"\w+")
_CLOSERS = "”’\"'»)\\]"  # character-class contents
_OPENERS = "“‘\"'«(\\["
_SENTENCE_END = re.compile(rf"[.!?…:;][{_CLOSERS}]*$")
_QUESTION_END = re.compile(rf"[!?][{_CLOSERS}]*$")
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
_BULLET = re.compile(r"^[•·▪►✓*\-–—]\s")
# Specific phrases, not "email" alone: "did not respond to an email seeking comment" ends many articles.
_SIGN_UP = re.compile(
    r"newsletter|\bsubscri(?:be|ption)\b|\bunsubscribe|\bsign[\s-]?up\b|email address|e-mail address"
    r"|your (?:e-?mail|inbox)|delivered to you|privacy policy|terms of (?:use|service)|you can expect"
    r"|follow us",
    re.IGNORECASE,
)


def _key(line: str) -> str:
    return " ".join(line.split()).casefold()


def _trimmed_lines(text: str) -> list[tuple[int, int]]:
    """Spans of the non-empty lines of ``text``, leading/trailing whitespace (``str.isspace``) excluded."""
    spans = []
    start = 0
    for end in [m.start() for m in _LINE_BREAK.finditer(text)] + [len(text)]:
        s, e = start, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((s, e))
        start = end + 1
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


def _is_credit(line: str) -> bool:
    return bool(_CREDIT_LINE.match(line) or (line.startswith("(") and _TRAILING_CREDIT.search(line)))


def _is_section_path(line: str) -> bool:
    parts = [p.strip() for p in line.split("|")]
    return len(parts) >= 2 and all(p and len(_WORD.findall(p)) <= 6 for p in parts)


def _is_heading(line: str) -> bool:
    words = _WORD.findall(line)
    if len(words) > HEADING_MAX_WORDS:
        return False
    if not _SENTENCE_END.search(line):
        return True
    # "Why Does Beijing Care?": a short Title Case question or exclamation is a heading, not a sentence.
    long_words = [w for w in words if len(w) >= 4 and w.isalpha()]
    return (
        bool(_QUESTION_END.search(line)) and len(long_words) >= 2 and all(w[0].isupper() for w in long_words)
    )


def _sentence_count(text: str) -> int:
    return 1 + sum(1 for _ in _SENTENCE_BREAK.finditer(text.rstrip()))


def _classify(text: str, spans: list[tuple[int, int]], title: str | None) -> list[tuple[str, str]]:
    """(kind, reason) for each trimmed line span, by the rules in the module docstring."""
    lines = [text[s:e] for s, e in spans]
    title_key = _key(title) if title else None
    decided: list[tuple[str, str] | None] = [None] * len(lines)
    seen_title = False
    for i, line in enumerate(lines):
        if title_key is not None and _key(line) == title_key:
            decided[i] = ("furniture", "repeats the title") if seen_title else ("title", "title")
            seen_title = True
        elif not _WORD.search(line):
            decided[i] = ("furniture", "no letters or digits")
        elif _is_credit(line):
            decided[i] = ("furniture", "credit line")
        elif _TRAILING_CREDIT.search(line):
            decided[i] = ("furniture", "caption with a credit")
        elif _is_section_path(line):
            decided[i] = ("furniture", "section path")
        elif _is_heading(line):
            decided[i] = ("furniture", "heading or label")
    # A short single sentence right before a stand-alone credit line is that picture's caption.
    for i in range(1, len(lines)):
        prev = lines[i - 1]
        if (
            decided[i - 1] is None
            and _is_credit(lines[i])
            and len(_WORD.findall(prev)) <= CAPTION_MAX_WORDS
            and _sentence_count(prev) == 1
        ):
            decided[i - 1] = ("furniture", "caption before a credit line")
    # A trailing block of sign-up lines, bullets, list intros, headings and credits, if it has a sign-up line.
    block_start = len(lines)
    has_sign_up = False
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        sign_up = bool(_SIGN_UP.search(line))
        list_intro = line.endswith(":") and i + 1 < len(lines) and bool(_BULLET.match(lines[i + 1]))
        other = decided[i] is not None and decided[i][0] == "furniture"
        if not (sign_up or list_intro or other or _BULLET.match(line)):
            break
        has_sign_up = has_sign_up or sign_up
        block_start = i
    if has_sign_up:
        for i in range(block_start, len(lines)):
            if decided[i] is None:
                decided[i] = ("furniture", "trailing sign-up block")
    return [d if d is not None else ("body", "") for d in decided]


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into trimmed pieces of at most ``max_chars``: sentences, packed greedily.

    A sentence longer than ``max_chars`` is cut at the last space that fits, else after ``max_chars``
    code points (never between a character and its combining marks, unless that is the only cut).
    """
    sentences = []
    s = start
    for m in _SENTENCE_BREAK.finditer(text, start, end):
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
            if space is not None:
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


def segment_article(text: str, *, title: str | None = None, max_chars: int = MAX_CHARS) -> list[Segment]:
    """Split normalised ``text`` into sorted, non-overlapping segments, one per non-blank line.

    ``text[seg.start:seg.end]`` is the line without surrounding whitespace; it is never empty and never
    holds a line break. The first line equal to ``title`` (default: ``guess_title(text)``) is the "title";
    page furniture (repeated title, credits, captions, section paths, headings, a trailing sign-up block)
    is "furniture"; the rest is "body", and a body line longer than ``max_chars`` is split into several
    body segments at sentence boundaries.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    spans = _trimmed_lines(text)
    if title is None:
        title = guess_title(text)
    segments = []
    for (s, e), (kind, reason) in zip(spans, _classify(text, spans, title), strict=True):
        if kind == "body" and e - s > max_chars:
            segments.extend(
                Segment(ps, pe, kind, "long paragraph split") for ps, pe in _split_long(text, s, e, max_chars)
            )
        else:
            segments.append(Segment(s, e, kind, reason))
    return segments


def describe(segments: Iterable[Segment]) -> dict[str, int]:
    """Count segments by kind: ``{"title": n, "body": n, "furniture": n}`` (every kind present)."""
    counts = dict.fromkeys(KINDS, 0)
    for segment in segments:
        counts[segment.kind] = counts.get(segment.kind, 0) + 1
    return counts
