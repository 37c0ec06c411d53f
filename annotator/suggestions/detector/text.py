"""Plain-text helpers for the detector: paragraphs, sentences, span trimming.

All offsets are Python code points into the original text; nothing here copies or normalises it.
"""

import re
from collections.abc import Iterator

_PARAGRAPH = re.compile(r"[^\n]+")
# A sentence ends at . ! ? (plus closing quotes/brackets) followed by space and a capital or an opening mark.
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’»)\]]*(?=\s+[\"“‘«(\[A-ZÀ-ÖØ-Þ0-9])")
# Dots that end an abbreviation rather than a sentence: "U.S.", "J.", "Mr.", "Inc.".
ABBREVIATION_END = re.compile(
    r"(?:\b(?:[A-Za-z]\.){2,}|\b[A-Z]\.|\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gen|Col|Lt|Gov|Jr|Sr|St|Inc|Ltd|Co|Corp"
    r"|vs|etc|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.)$"
)
# Chinese full-width marks too; English text never holds them, so its spans are unchanged.
_FINAL_PUNCTUATION = ".,!?。，！？；、…"
_CLOSING_QUOTES = '”’"»」』'


def paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each non-empty line; a newline separates paragraphs."""
    for match in _PARAGRAPH.finditer(text):
        if match.group().strip():
            yield match.start(), match.end()


def sentences(text: str, start: int, end: int, masked: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Split text[start:end] into sentences, never inside a masked span (a direct quote; its final stop
    may end the sentence) or after an abbreviation. Returns (start, end) pairs, white space trimmed."""
    cuts = [start]
    for match in _SENTENCE_END.finditer(text, start, end):
        cut = match.end()
        # Inside a quote, unless the stop is the quote's last character: "… of relations.” Scholars …"
        if any(s <= match.start() < e and match.end() <= e for s, e in masked):
            continue
        if match.group()[0] == "." and ABBREVIATION_END.search(
            text, max(start, match.start() - 12), match.start() + 1
        ):
            continue
        cuts.append(cut)
    cuts.append(end)
    spans = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        a, b = strip_span(text, a, b)
        if a < b:
            spans.append((a, b))
    return spans


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim whitespace from both ends of text[start:end]."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def trim_claim(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim whitespace, leading ", ; :" and sentence-final ". , ! ?" from a claim span, keeping an
    abbreviation's dot ("U.S."). A closing quotation mark after final punctuation goes with it ("a
    “rational choice.”" → "a “rational choice"); one that closes a quoted fragment before the punctuation
    stays ("ties “into a new era”,")."""
    start, end = strip_span(text, start, end)
    while start < end and text[start] in ",;:—–，；：、":  # "said that, in short, …"
        start, end = strip_span(text, start + 1, end)
    while end > start:
        if text[end - 1] in _CLOSING_QUOTES and end - 1 > start and text[end - 2] in _FINAL_PUNCTUATION:
            end -= 1
        elif text[end - 1] in _FINAL_PUNCTUATION:
            if text[end - 1] == "." and ABBREVIATION_END.search(text, max(start, end - 12), end):
                break
            end -= 1
        else:
            break
        start, end = strip_span(text, start, end)
    return start, end
