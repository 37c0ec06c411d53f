"""JSON from users, parsed with limits (pure; no Django): nesting depth, NUL characters, lone surrogates.

`json.loads` raises RecursionError (not a ValueError) on deeply nested input, and decodes `"\\u0000"` and a
lone `"\\ud800"` into strings that PostgreSQL refuses and UTF-8 cannot encode (the content hash breaks).
`loads` refuses all three with an `UnsafeJSON`, a `json.JSONDecodeError`, so the readers that already
report bad JSON per record report these the same way.

Cost: the checks walk the parsed value only when the text could hold a problem: more brackets than the
depth limit, or a `\\u0000` / `\\ud800`-style escape in it. A record of ordinary size and shape is parsed
once and never walked.
"""

import json
import re
from typing import Any

MAX_DEPTH = 64

# Escapes that decode to a NUL or to a surrogate code point (paired ones decode to one character and pass).
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


class UnsafeJSON(json.JSONDecodeError):
    """Valid JSON this tool will not take: too deeply nested, a NUL character or a lone surrogate."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "", 0)
        self.msg = message

    def __str__(self) -> str:
        return self.msg


def loads(text: str, *, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads(text)`, refusing what `check` refuses; raises json.JSONDecodeError (or UnsafeJSON)."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise UnsafeJSON(f"nested deeper than {max_depth} levels") from None
    check(value, text=text, max_depth=max_depth)
    return value


def raw_decode(
    decoder: json.JSONDecoder, text: str, pos: int, *, max_depth: int = MAX_DEPTH
) -> tuple[Any, int]:
    """`decoder.raw_decode(text, pos)` with the same limits, for readers that stream an array."""
    try:
        value, end = decoder.raw_decode(text, pos)
    except RecursionError:
        raise UnsafeJSON(f"nested deeper than {max_depth} levels") from None
    check(value, text=text, start=pos, end=end, max_depth=max_depth)
    return value, end


def check(
    value: Any, *, text: str | None = None, start: int = 0, end: int | None = None, max_depth: int = MAX_DEPTH
) -> None:
    """Raise UnsafeJSON if `value` nests deeper than `max_depth` or holds a NUL or a lone surrogate in a
    key or string. With the `text` it was parsed from (`text[start:end]`), skip what the text rules out."""
    if text is not None:
        end = len(text) if end is None else end
        deep = text.count("[", start, end) + text.count("{", start, end) > max_depth
        # Finding one character is a memchr; the regex runs only on text with an escape at all.
        suspect = text.find("\\", start, end) >= 0 and _SUSPECT_ESCAPE.search(text, start, end) is not None
        if not (deep or suspect):
            return
        if not suspect:
            _walk(value, max_depth=max_depth, strings=False)
            return
    _walk(value, max_depth=max_depth, strings=True)


def _walk(value: Any, *, max_depth: int, strings: bool) -> None:
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if strings:
                _check_text(item)
        elif isinstance(item, dict | list):
            if depth >= max_depth:
                raise UnsafeJSON(f"nested deeper than {max_depth} levels")
            if isinstance(item, dict):
                for key, child in item.items():
                    if strings:
                        _check_text(key)
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise UnsafeJSON("contains a NUL character (\\u0000)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        problem = f"contains a lone surrogate (\\u{code:04x}), which is not a character"
        raise UnsafeJSON(problem) from None
