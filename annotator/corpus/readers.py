"""Article files → ``ArticleRecord``s: plain text (the seeds' format), JSON Lines and CSV (pure; no Django).

Readers stream records and raise one error type, ``ReadError``, that names the file and the line. Every
record's text is passed through ``normalise_text``, so offsets computed on it stay valid downstream.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import math
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import Any

from annotator import jsonsafe
from annotator.corpus.language import detect_language, normalise_language
from annotator.corpus.segment import guess_title, normalise_text
from annotator.corpus.text_decoding import UndecodableText, decode_text

__all__ = [
    "MAX_FILE_BYTES",
    "SUPPORTED_EXTENSIONS",
    "TITLE_MAX_CHARS",
    "ArticleRecord",
    "ReadError",
    "check_size",
    "read_article_file",
    "read_articles",
    "read_csv",
    "read_jsonl",
    "read_plain_text",
]

MAX_FILE_BYTES = 50 * 1024 * 1024
TITLE_MAX_CHARS = 200
URL_MAX_CHARS = 1000  # Document.url's max_length
_MB = 1024 * 1024
SUPPORTED_EXTENSIONS = {".txt": "plain", ".md": "plain", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
_KNOWN_FIELDS = ("title", "text", "source", "url", "published", "language", "lang")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FRONT_MATTER_LINE = re.compile(r"([A-Za-z_][\w-]*)\s*:\s*(.*)")


class ReadError(ValueError):
    """A file that cannot be read as articles.

    ``str(err)`` reads "articles.jsonl, line 3: missing field 'text'" (no line part when ``line`` is None).
    """

    def __init__(self, message: str, *, file_name: str, line: int | None = None) -> None:
        self.message = message
        self.file_name = file_name
        self.line = line
        super().__init__(str(self))

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # Picklable (Celery results, multiprocessing) despite the keyword-only arguments.
        return functools.partial(ReadError, file_name=self.file_name, line=self.line), (self.message,)

    def __str__(self) -> str:
        where = self.file_name if self.line is None else f"{self.file_name}, line {self.line}"
        return f"{where}: {self.message}"


@dataclass
class ArticleRecord:
    """One article as read from a file; ``text`` is normalised, ``line`` is where it starts (1-based)."""

    title: str
    text: str
    source: str = ""
    url: str = ""
    published: str | None = None  # ISO date, YYYY-MM-DD
    meta: dict[str, Any] = field(default_factory=dict)
    line: int | None = None
    language: str = ""  # BCP 47 tag, given by the file or guessed from the text; "" when unknown


def check_size(file_name: str, size: int) -> None:
    """Raise ``ReadError`` if a file of ``size`` bytes is over ``MAX_FILE_BYTES`` (call before reading it)."""
    if size > MAX_FILE_BYTES:
        shown = round(size / _MB, 1)
        if shown <= MAX_FILE_BYTES / _MB:  # so that 50 MB + 1 byte does not read "file is 50.0 MB"
            shown = math.ceil(size * 10 / _MB) / 10
        raise ReadError(
            f"file is {shown:.1f} MB; the limit is {MAX_FILE_BYTES // _MB} MB", file_name=file_name
        )


def _single_line(value: str) -> str:
    # ASCII needs no normalising: a CR is whitespace to split() anyway.
    return " ".join((value if value.isascii() else normalise_text(value)).split())


def _title_from_text(text: str) -> str:
    first = next((line for line in text.split("\n") if line.strip()), "")
    return _single_line(first)[:TITLE_MAX_CHARS]


def has_nul(value: Any) -> bool:
    # PostgreSQL text and jsonb cannot store U+0000, so refuse it here rather than fail at insert time.
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def _build_record(
    fields: dict[str, Any], *, file_name: str, line: int | None, nul_checked: bool = False
) -> ArticleRecord:
    """Validate the known fields (text required) and put the rest into ``meta``; errors name ``line``.

    ``nul_checked``: the caller's parser already refused NUL characters (``jsonsafe.loads`` does), so the
    fields need not be walked again.
    """

    def fail(message: str) -> ReadError:
        return ReadError(message, file_name=file_name, line=line)

    if not nul_checked and has_nul(fields):
        raise fail("contains a NUL character")
    for name in _KNOWN_FIELDS:
        value = fields.get(name)
        if value is not None and not isinstance(value, str):
            raise fail(f"field '{name}' must be a string, not {type(value).__name__}")
    if "text" not in fields or fields["text"] is None:
        raise fail("missing field 'text'")
    text = normalise_text(fields["text"])
    if not text or text.isspace():
        raise fail("field 'text' is empty")
    title = _single_line(fields.get("title") or "")[:TITLE_MAX_CHARS] or _title_from_text(text)
    url = (fields.get("url") or "").strip()
    if url and not url.lower().startswith(("http://", "https://")):
        # Shown as a link later: refuse javascript: and other schemes once, here.
        raise fail(f"url {url[:80]!r} must start with http:// or https://")
    if len(url) > URL_MAX_CHARS:  # the column's limit: say so here rather than fail the whole insert
        raise fail(f"url is {len(url)} characters; the limit is {URL_MAX_CHARS}")
    published = (fields.get("published") or "").strip() or None
    if published is not None:
        try:
            if not _ISO_DATE.fullmatch(published):
                raise ValueError
            date.fromisoformat(published)
        except ValueError:
            raise fail(f"published {published[:40]!r} is not a date (YYYY-MM-DD)") from None
    try:
        language = normalise_language(fields.get("language") or fields.get("lang") or "")
    except ValueError as error:
        raise fail(str(error)) from None
    return ArticleRecord(
        title=title,
        text=text,
        source=_single_line(fields.get("source") or ""),
        url=url,
        published=published,
        meta={k: v for k, v in fields.items() if k not in _KNOWN_FIELDS},
        line=line,
        language=language or detect_language(text),
    )


def read_plain_text(data: str, *, file_name: str) -> ArticleRecord:
    """Read one article: one paragraph a line, optionally after a ``---`` front-matter header.

    The header holds ``key: value`` lines (title, source, url, published, language; other keys go to
    ``meta``). The record's text is everything after the header, title line included; the title is the
    header's, else ``guess_title`` of the text (the repeated headline, else the first non-blank line).
    """
    text = normalise_text(data)
    lines = text.split("\n")
    fields: dict[str, Any] = {}
    first_text_line = 1
    if lines and lines[0].strip() == "---":
        closing = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if closing is None:
            raise ReadError("header opened with '---' is never closed", file_name=file_name, line=1)
        for number in range(2, closing + 1):
            header_line = lines[number - 1].strip()
            if not header_line or header_line.startswith("#"):
                continue
            match = _FRONT_MATTER_LINE.fullmatch(header_line)
            if match is None:
                raise ReadError("expected 'key: value' in the header", file_name=file_name, line=number)
            value = match.group(2).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            fields[match.group(1).lower()] = value
        first_text_line = closing + 2
        text = "\n".join(lines[first_text_line - 1 :])
    if not text.strip():
        raise ReadError("no article text", file_name=file_name)
    fields["text"] = text
    if not fields.get("title"):
        fields["title"] = guess_title(text)
    return _build_record(fields, file_name=file_name, line=first_text_line)


def read_jsonl(lines: Iterable[str], *, file_name: str) -> Iterator[ArticleRecord]:
    """Yield one record per non-blank line, each a JSON object with a non-empty string ``text``.

    Optional: ``title`` (default: the text's first line), ``source``, ``url``, ``published`` (YYYY-MM-DD),
    ``language`` or ``lang`` (a BCP 47 tag such as "zh"; default: ``detect_language`` of the text); other keys
    go to ``meta``. Bad JSON, a non-object or a bad field raises ``ReadError`` with the line.
    """
    for number, raw in enumerate(lines, start=1):
        line = raw.removeprefix("\ufeff") if number == 1 else raw
        if not line or line.isspace():
            continue
        try:
            obj = jsonsafe.loads(line)
        except json.JSONDecodeError as exc:
            raise ReadError(f"not valid JSON ({exc.msg})", file_name=file_name, line=number) from None
        if not isinstance(obj, dict):
            raise ReadError(
                f"expected a JSON object, got {type(obj).__name__}", file_name=file_name, line=number
            )
        # jsonsafe.loads refuses a NUL (a raw one is not valid JSON; an escaped one is refused as unsafe).
        yield _build_record(obj, file_name=file_name, line=number, nul_checked=True)


def read_csv(lines: Iterable[str], *, file_name: str) -> Iterator[ArticleRecord]:
    """Yield one record per row of a CSV file whose header row has a ``text`` column (names case-insensitive).

    Other columns as in ``read_jsonl``; quoted fields may span lines if ``lines`` keep their line endings
    (a file opened with ``newline=""``). Errors name the line where the row starts.
    """
    # The default limit (128 KiB a field) is below one long article; the file size limit still applies.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))
    reader = csv.reader(lines)
    row_start = 1
    try:
        header = next(reader, None)
        if header is None:
            raise ReadError("no header row", file_name=file_name, line=1)
        names = [name.removeprefix("\ufeff").strip() for name in header]
        keys = [name.lower() if name.lower() in _KNOWN_FIELDS else name for name in names]
        keys = [key or f"column_{i}" for i, key in enumerate(keys, start=1)]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ReadError(f"duplicate column {duplicates[0]!r}", file_name=file_name, line=1)
        if "text" not in keys:
            raise ReadError(
                f"no 'text' column (columns: {', '.join(names) or 'none'})", file_name=file_name, line=1
            )
        row_start = reader.line_num + 1
        count = 0
        for row in reader:
            if any(cell.strip() for cell in row):
                if len(row) > len(keys):
                    raise ReadError(
                        f"row has {len(row)} fields, the header has {len(keys)}",
                        file_name=file_name,
                        line=row_start,
                    )
                cells = dict(zip(keys, row, strict=False))
                fields = {k: v for k, v in cells.items() if k in _KNOWN_FIELDS or v.strip()}
                yield _build_record(fields, file_name=file_name, line=row_start)
                count += 1
            row_start = reader.line_num + 1
    except csv.Error as exc:
        raise ReadError(f"bad CSV ({exc})", file_name=file_name, line=row_start) from None
    if count == 0:
        raise ReadError("no articles after the header row", file_name=file_name)


def read_articles(path_or_name: str | PurePath, data: bytes) -> Iterator[ArticleRecord]:
    """The records of an uploaded file (see `read_article_file`)."""
    return read_article_file(path_or_name, data)[0]


def read_article_file(path_or_name: str | PurePath, data: bytes) -> tuple[Iterator[ArticleRecord], str]:
    """Check and decode an uploaded file: an iterator of its records, by extension, and the encoding it
    was read in (`text_decoding`: UTF-8, by a byte-order mark, or GB18030, Big5 or Windows-1252).

    File-level problems (size, unsupported extension, empty, undecodable, NUL characters) raise
    ``ReadError`` at once; record-level problems raise it while iterating.
    """
    file_name = posixpath.basename(str(path_or_name).replace("\\", "/"))
    check_size(file_name, len(data))
    fmt = SUPPORTED_EXTENSIONS.get(PurePath(file_name).suffix.lower())
    if fmt is None:
        supported = ", ".join(SUPPORTED_EXTENSIONS)
        raise ReadError(f"unsupported file type; use one of {supported}", file_name=file_name)
    try:
        decoded = decode_text(data)
    except UndecodableText as error:
        line = data.count(b"\n", 0, error.offset) + 1
        tried = "; GB18030, Big5 and Windows-1252 did not read it either" if error.encoding == "UTF-8" else ""
        raise ReadError(f"{error}{tried}: save it as UTF-8", file_name=file_name, line=line) from None
    text = decoded.text
    if not text or text.isspace():
        raise ReadError("empty file", file_name=file_name)
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        where = f"character {nul + 1}"
        if decoded.encoding == "UTF-8":  # a byte offset, where an editor with a byte view finds it
            byte_offset = data.find(b"\x00")
            where = f"byte offset {byte_offset}"
        raise ReadError(f"contains a NUL byte ({where})", file_name=file_name, line=line)
    if fmt == "plain":
        return iter([read_plain_text(text, file_name=file_name)]), decoded.encoding
    lines = io.StringIO(
        text, newline=""
    )  # splits at \n, \r\n, \r only and keeps the endings (csv needs them)
    if fmt == "jsonl":
        return read_jsonl(lines, file_name=file_name), decoded.encoding
    return read_csv(lines, file_name=file_name), decoded.encoding


def content_digest(text: str) -> str:
    """The SHA-256 of a document's text: the key that makes re-importing a document a no-op."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
