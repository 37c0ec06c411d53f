"""Offset units: Python code points (ours) and UTF-16 code units (JavaScript string indices).

They differ only after an astral character (U+10000 and above: most emoji, 𝕏, many CJK extension
ideographs), which is one code point but two UTF-16 units. Combining marks are separate code points in
both units, so they never shift offsets. Which tool uses which unit, with the evidence, is in the
docstring of ``annotator.exports.formats``.
"""

from __future__ import annotations

import re

__all__ = ["OffsetError", "from_utf16", "to_utf16", "utf16_length"]


class OffsetError(ValueError):
    """An offset that does not name a position in the text in the given unit."""


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def utf16_length(text: str) -> int:
    """The length of ``text`` in UTF-16 code units (JavaScript's ``text.length``)."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def to_utf16(text: str, offset: int) -> int:
    """The UTF-16 offset of code-point ``offset`` in ``text`` (0 <= offset <= len(text))."""
    if not 0 <= offset <= len(text):
        raise OffsetError(f"code-point offset {offset} is outside the text (0..{len(text)})")
    return utf16_length(text[:offset])


def from_utf16(text: str, offset: int) -> int:
    """The code-point offset of UTF-16 ``offset`` in ``text``.

    Raises OffsetError if the offset is negative, past the end, or between the two halves of a surrogate
    pair (no code-point offset corresponds to it).
    """
    if text.isascii() or _ASTRAL.search(text) is None:  # no astral characters: the units coincide
        if not 0 <= offset <= len(text):
            raise OffsetError(f"UTF-16 offset {offset} is outside the text (0..{len(text)})")
        return offset
    total = utf16_length(text)
    if not 0 <= offset <= total:
        raise OffsetError(f"UTF-16 offset {offset} is outside the text (0..{total})")
    units = 0
    for index, ch in enumerate(text):
        if units >= offset:
            if units > offset:
                raise OffsetError(f"UTF-16 offset {offset} splits the surrogate pair of {text[index - 1]!r}")
            return index
        units += 2 if ord(ch) > 0xFFFF else 1
    if units > offset:
        raise OffsetError(f"UTF-16 offset {offset} splits the surrogate pair of {text[-1]!r}")
    return len(text)
