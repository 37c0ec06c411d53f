"""Read the elements of a large JSON array one at a time, from text or bytes chunks (pure; no Django).

``json.load`` needs the whole document in memory; a Label Studio export is one JSON array of tasks that
can be large, so readers walk it element by element with ``json.JSONDecoder.raw_decode``.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from annotator import jsonsafe

__all__ = ["JsonStreamError", "iter_json_array", "text_chunks"]

CHUNK = 1 << 16
_WHITESPACE = " \t\r\n"


class JsonStreamError(ValueError):
    """The input is not a JSON array (or object); ``index`` is the 1-based element it failed at (0: none)."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


def text_chunks(data: str | bytes | IO[str] | IO[bytes]) -> Iterator[str]:
    """``data`` as text chunks: a str or bytes value whole, a text or binary file in pieces (UTF-8, BOM ok).

    Raises UnicodeDecodeError (while iterating) for bytes that are not UTF-8.
    """
    if isinstance(data, str):
        yield data.removeprefix("\ufeff")
        return
    if isinstance(data, bytes | bytearray):
        yield bytes(data).decode("utf-8-sig")
        return
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    first = True
    while chunk := data.read(CHUNK):
        text = chunk if isinstance(chunk, str) else decoder.decode(chunk)
        if first and isinstance(chunk, str):
            text = text.removeprefix("\ufeff")
        first = False
        yield text
    if tail := decoder.decode(b"", final=True):
        yield tail


def iter_json_array(chunks: Iterable[str]) -> Iterator[tuple[int, Any]]:
    """Yield ``(position, element)`` for each element of the JSON array in ``chunks`` (position from 1).

    A lone JSON object is read as an array of one. Raises JsonStreamError, after the elements before it,
    where the text stops being a JSON array: its message names the line.
    """
    decoder = json.JSONDecoder()
    source = iter(chunks)
    buffer, pos, lines_dropped = "", 0, 0

    def fill(at_least: int = 1) -> bool:
        """Append at least ``at_least`` more characters if the input has them; False at the end."""
        nonlocal buffer
        added = 0
        for chunk in source:
            buffer += chunk
            added += len(chunk)
            if added >= at_least:
                break
        return added > 0

    def skip_whitespace() -> bool:
        """Move ``pos`` to the next non-whitespace character; False if the input ends first."""
        nonlocal pos
        while True:
            while pos < len(buffer) and buffer[pos] in _WHITESPACE:
                pos += 1
            if pos < len(buffer):
                return True
            if not fill():
                return False

    def line_at(offset: int) -> int:
        return lines_dropped + buffer.count("\n", 0, offset) + 1

    if not skip_whitespace():
        raise JsonStreamError(0, "the file is empty; expected a JSON array of tasks")
    lone = buffer[pos] == "{"
    if not lone:
        if buffer[pos] != "[":
            raise JsonStreamError(
                0, f"expected a JSON array of tasks, found {buffer[pos]!r} on line {line_at(pos)}"
            )
        pos += 1
    position = 0
    while True:
        if not skip_whitespace():
            raise JsonStreamError(position + 1, "the JSON array is not closed (is the file truncated?)")
        if not lone and buffer[pos] == "]":
            pos += 1
            if skip_whitespace():
                raise JsonStreamError(position, f"unexpected text after the array on line {line_at(pos)}")
            return
        if position and not lone:
            if buffer[pos] != ",":
                raise JsonStreamError(position + 1, f"expected ',' or ']' on line {line_at(pos)}")
            pos += 1
            if not skip_whitespace():
                raise JsonStreamError(position + 1, "the JSON array is not closed (is the file truncated?)")
        while True:
            try:
                element, end = jsonsafe.raw_decode(decoder, buffer, pos)
                break
            except jsonsafe.UnsafeJSON as error:
                problem = f"refused JSON on line {line_at(pos)}: {error.msg}"
                raise JsonStreamError(position + 1, problem) from None
            except json.JSONDecodeError as error:
                # Maybe the element is just incomplete: read as much again as it has so far and retry.
                if not fill(max(len(buffer) - pos, CHUNK)):
                    raise JsonStreamError(
                        position + 1, f"malformed JSON on line {line_at(error.pos)}: {error.msg}"
                    ) from None
        position += 1
        pos = end
        yield position, element
        if lone:
            if skip_whitespace():
                raise JsonStreamError(position, f"unexpected text after the object on line {line_at(pos)}")
            return
        if pos > CHUNK:  # forget what has been parsed
            lines_dropped += buffer.count("\n", 0, pos)
            buffer, pos = buffer[pos:], 0
