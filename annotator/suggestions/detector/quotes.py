"""Direct quotations: the spans between matching quotation marks.

Conventions: outer marks are “…”, «…», "…" and ‘…’ (the last only when the opening ‘ follows a space or
the paragraph start and the closing ’ is not followed by a letter, so apostrophes never open or close a
quote). Quotes nested inside an outer quote stay part of its content. A quote opened at a paragraph start
and not closed there continues into the next paragraph when that paragraph also starts with an opening
mark (the newspaper convention); its span then runs from the first paragraph's content to the last
closing mark, paragraph breaks and reopening marks included, so it is one contiguous span.
"""

import re
from dataclasses import dataclass

PAIRS = {"“": "”", "«": "»", '"': '"', "‘": "’"}
_OPENING = re.compile(r"[“«\"‘]")


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation: its marks at open_at and close_at (exclusive of content); content is between them."""

    open_at: int
    close_at: int  # index of the closing mark

    @property
    def content(self) -> tuple[int, int]:
        return self.open_at + 1, self.close_at


def _is_single_open(text: str, i: int, para_start: int) -> bool:
    """‘ opens a quote only at a paragraph start or after whitespace or an opening bracket/mark."""
    return i == para_start or text[i - 1].isspace() or text[i - 1] in '([“"«—–-'


def _closing_index(text: str, i: int, end: int) -> int | None:
    """Index of the mark closing the one at i within text[:end], honouring same-kind nesting."""
    opening = text[i]
    closing = PAIRS[opening]
    if opening == '"':
        j = text.find('"', i + 1, end)
        return j if j != -1 else None
    depth = 0
    j = i + 1
    while j < end:
        ch = text[j]
        if ch == opening and opening != closing and (opening != "‘" or text[j - 1].isspace()):
            depth += 1
        elif ch == closing:
            if opening == "‘" and j + 1 < len(text) and text[j + 1].isalpha():
                j += 1  # an apostrophe: don’t, Beijing’s
                continue
            if depth == 0:
                return j
            depth -= 1
        j += 1
    return None


def _starts_with_opening(text: str, start: int, end: int) -> int | None:
    """Index of an opening mark that begins text[start:end] after leading whitespace, else None."""
    i = start
    while i < end and text[i].isspace():
        i += 1
    return i if i < end and text[i] in PAIRS else None


def find_quotes(text: str, paras: list[tuple[int, int]]) -> list[Quote]:
    """All direct quotations in document order; unclosed marks that do not continue are ignored."""
    quotes: list[Quote] = []
    p, pos = 0, paras[0][0] if paras else 0
    while p < len(paras):
        para_start, para_end = paras[p]
        match = _OPENING.search(text, pos, para_end)
        if match is None:
            p += 1
            pos = paras[p][0] if p < len(paras) else 0
            continue
        i = match.start()
        pos = i + 1
        if text[i] == "‘" and not _is_single_open(text, i, para_start):
            continue
        j = _closing_index(text, i, para_end)
        if j is not None:
            quotes.append(Quote(i, j))
            pos = j + 1
            continue
        if _starts_with_opening(text, para_start, para_end) != i:
            continue  # a stray mark inside a paragraph
        # Opened at the paragraph start and not closed: follow paragraphs that reopen with the same mark.
        q = p
        while q + 1 < len(paras):
            reopen = _starts_with_opening(text, *paras[q + 1])
            if reopen is None or text[reopen] != text[i]:
                break
            q += 1
            j = _closing_index(text, reopen, paras[q][1])
            if j is not None:
                quotes.append(Quote(i, j))
                p, pos = q, j + 1
                break
    return quotes
