"""doccano sequence-labeling JSONL: the writer and the reader (pure; no Django).

Offsets in doccano files are UTF-16 code units (see ``annotator.exports.formats`` for the evidence), so
the writer converts our code points to UTF-16 by default and the reader converts back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import PurePath
from typing import Any, Literal

from annotator.exports.formats.offsets import OffsetError, from_utf16
from annotator.exports.readers.foreign import (
    SHAPE_ERRORS,
    ForeignRecord,
    ForeignSpan,
    Problem,
    RecordError,
    is_int,
    person_name,
)

__all__ = ["read_doccano"]


_DOCCANO_SPAN_KEYS = ("label", "entities", "annotations")
_DOCCANO_NOT_META = {"text", "data", "relations", "claim_attributes", *_DOCCANO_SPAN_KEYS}


def _doccano_spans(obj: Mapping[str, Any]) -> Iterator[tuple[str, Any, Any, Any, str | None]]:
    """(where, start, end, label, user) for each span of a doccano line, in the file's units."""
    for key in _DOCCANO_SPAN_KEYS:
        items = obj.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            raise Problem(f'"{key}" must be a list of spans')
        for n, item in enumerate(items, 1):
            where = f"{key} {n}"
            if isinstance(item, list | tuple) and len(item) >= 3:
                yield where, item[0], item[1], item[2], None
            elif isinstance(item, Mapping):
                user = person_name(item.get("user") or item.get("annotator") or item.get("username"))
                yield where, item.get("start_offset"), item.get("end_offset"), item.get("label"), user
            else:
                raise Problem(f"{where}: expected [start, end, label] or a span object, found {item!r:.60}")


def _doccano_record(
    obj: Any, *, file_name: str, index: int, annotator: str, offsets: str
) -> ForeignRecord:  # fmt: skip
    if not isinstance(obj, Mapping):
        raise Problem(f"expected a JSON object, found {type(obj).__name__}")
    text = obj.get("text", obj.get("data"))
    if not isinstance(text, str):
        raise Problem('no text: expected a string under "text"')
    line_annotator = person_name(obj.get("annotator") or obj.get("user") or obj.get("username")) or annotator
    # Our own export carries the other claim fields in "claim_attributes", matched by (start, end, label).
    extras: dict[tuple, list[dict[str, Any]]] = {}
    for item in obj.get("claim_attributes") or ():
        if isinstance(item, Mapping):
            extras.setdefault((item.get("start"), item.get("end"), item.get("label")), []).append(dict(item))
    spans = []
    for where, start, end, label, user in _doccano_spans(obj):
        if not (is_int(start) and is_int(end)):
            raise Problem(f"{where}: start and end must be integers, found {start!r} and {end!r}")
        if not isinstance(label, str | int) or isinstance(label, bool):
            raise Problem(f"{where}: the label must be text, found {label!r:.60}")
        matches = extras.get((start, end, label))
        attributes = matches.pop(0) if matches else {}
        if offsets == "utf16":
            try:
                start, end = from_utf16(text, start), from_utf16(text, end)
            except OffsetError as error:
                raise Problem(f"{where} [{start}, {end}]: {error}") from None
        name = user or person_name(attributes.get("annotator")) or line_annotator
        attributes = {k: v for k, v in attributes.items() if k not in ("start", "end", "label", "annotator")}
        spans.append(ForeignSpan(name, start, end, str(label), attributes=attributes))
    meta = {key: value for key, value in obj.items() if key not in _DOCCANO_NOT_META}
    return ForeignRecord(file_name, index, text, meta, spans, record_id=obj.get("id"))


def read_doccano(
    lines: Iterable[str | bytes],
    *,
    file_name: str,
    annotator: str | None = None,
    offsets: Literal["utf16", "codepoint"] = "utf16",
) -> Iterator[ForeignRecord | RecordError]:
    """Read a doccano sequence-labeling JSONL export, one line at a time.

    Spans may come as ``"label": [[start, end, label], ...]`` (the usual export), as ``"entities"`` objects
    (projects with relation labeling; relations are ignored) or as doccano 1.0's ``"annotations"``. The
    annotator of a span is its ``user`` if the span has one, else the line's ``annotator``/``user``, else
    ``annotator``, else the file's stem — doccano writes one ``<username>.jsonl`` per user, or a merged
    ``all.jsonl`` without users. Offsets are UTF-16 units as doccano's editor makes them (``offsets=
    "codepoint"`` for files written by Python scripts). Blank lines are skipped; a line that is not valid
    JSON, or not a doccano record, yields a RecordError with its line number.
    """
    if offsets not in ("utf16", "codepoint"):
        raise ValueError(f"offsets must be 'utf16' or 'codepoint', not {offsets!r}")
    default = annotator or PurePath(file_name).stem
    for number, raw in enumerate(lines, 1):
        try:
            line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError as error:
            yield RecordError(file_name, number, f"not UTF-8 text: {error.reason}")
            continue
        line = line.removeprefix("\ufeff") if number == 1 else line
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as error:
            yield RecordError(file_name, number, f"malformed JSON: {error.msg} (column {error.colno})")
            continue
        try:
            yield _doccano_record(obj, file_name=file_name, index=number, annotator=default, offsets=offsets)
        except Problem as problem:
            yield RecordError(file_name, number, str(problem))
        except SHAPE_ERRORS as error:
            yield RecordError(file_name, number, f"unexpected shape ({error!r})")
