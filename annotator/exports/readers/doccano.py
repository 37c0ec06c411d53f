"""doccano sequence-labeling JSONL exports: the reader (pure; no Django).

doccano 1.8 builds its export in ``backend/data_export`` (``celery_tasks.export_dataset``): a zip with one
``<username>.jsonl`` per project member, or a single ``all.jsonl`` without users when the project is
collaborative. Each line is ``{"id", "text", <metadata>..., "label": [[start, end, "LABEL"], ...],
"Comments": ["text", ...]}``, or, in projects with relation labeling, ``"entities": [{"id", "label",
"start_offset", "end_offset"}], "relations": [{"id", "from_id", "to_id", "type"}], "Comments": [{"id",
"comment"}]``. Offsets are UTF-16 code units (see ``annotator.exports.formats`` for the evidence).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import PurePath
from typing import Any, Literal

from annotator import jsonsafe
from annotator.exports.formats.offsets import OffsetError, from_utf16
from annotator.exports.readers.foreign import (
    SHAPE_ERRORS,
    ForeignRecord,
    ForeignRelation,
    ForeignSpan,
    Problem,
    RecordError,
    is_int,
    not_utf8,
    person_name,
    unique,
)

__all__ = ["COLLABORATIVE", "collaborative_refusal", "read_doccano"]

#: The name of doccano's export for a collaborative project: every member's labels merged, no users.
COLLABORATIVE = "all"

_SPAN_KEYS = ("label", "entities", "annotations")
_COMMENT_KEYS = ("Comments", "comments")
_NOT_META = {"text", "data", "relations", "claim_attributes", *_SPAN_KEYS, *_COMMENT_KEYS}


class _NoAnnotator(Exception):
    """A span of a collaborative export with no user of its own: nobody to credit it to."""


def collaborative_refusal(file_name: str) -> RecordError:
    return RecordError(
        file_name,
        0,
        "this is doccano's collaborative export (all.jsonl): it merges everyone's labels without saying "
        "whose they are, so name the annotator they belong to (--annotator NAME on the command, the "
        "annotator field on the import page or in the API)",
    )


def _spans(obj: Mapping[str, Any]) -> Iterator[tuple[str, Any, Any, Any, str | None, Any]]:
    """(where, start, end, label, user, entity id) for each span of a line, in the file's units."""
    for key in _SPAN_KEYS:
        items = obj.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            raise Problem(f'"{key}" must be a list of spans')
        for n, item in enumerate(items, 1):
            where = f"{key} {n}"
            if isinstance(item, list | tuple) and len(item) >= 3:
                yield where, item[0], item[1], item[2], None, None
            elif isinstance(item, Mapping):
                user = person_name(item.get("user") or item.get("annotator") or item.get("username"))
                start, end = item.get("start_offset"), item.get("end_offset")
                yield where, start, end, item.get("label"), user, item.get("id")
            else:
                raise Problem(f"{where}: expected [start, end, label] or a span object, found {item!r:.60}")


def _comments(obj: Mapping[str, Any]) -> tuple[str, ...]:
    # Plain projects list the comment texts; relation projects list {"id", "comment"} objects.
    items = next((obj[key] for key in _COMMENT_KEYS if key in obj), None) or []
    if not isinstance(items, list):
        raise Problem(f'"Comments" must be a list, found {items!r:.60}')
    texts = (item.get("comment", item.get("text")) if isinstance(item, Mapping) else item for item in items)
    return tuple(text.strip() for text in texts if isinstance(text, str) and text.strip())


def _relations(
    obj: Mapping[str, Any], owners: Mapping[Any, str], default: str | None
) -> list[ForeignRelation]:
    items = obj.get("relations") or []
    if not isinstance(items, list):
        raise Problem('"relations" must be a list')
    relations = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, Mapping):
            raise Problem(f"relation {n}: expected an object, found {item!r:.60}")
        from_id, to_id = item.get("from_id"), item.get("to_id")
        missing = [end for end in (from_id, to_id) if end not in owners]
        if missing:
            raise Problem(
                f"relation {n} ({item.get('type')!r}) joins entity {missing[0]!r}, which the line lacks"
            )
        name = owners[from_id] or default
        if name is None:
            raise _NoAnnotator
        relations.append(ForeignRelation(name, from_id, to_id, str(item.get("type") or "")))
    return relations


def _record(obj: Any, *, file_name: str, index: int, annotator: str | None, offsets: str) -> ForeignRecord:
    if not isinstance(obj, Mapping):
        raise Problem(f"expected a JSON object, found {type(obj).__name__}")
    text = obj.get("text", obj.get("data"))
    if not isinstance(text, str):
        raise Problem('no text: expected a string under "text"')
    line_user = person_name(obj.get("annotator") or obj.get("user") or obj.get("username"))
    line_annotator = line_user or annotator
    # Our own export carries the other claim fields in "claim_attributes", matched by (start, end, label).
    extras: dict[tuple, list[dict[str, Any]]] = {}
    for item in obj.get("claim_attributes") or ():
        if isinstance(item, Mapping):
            extras.setdefault((item.get("start"), item.get("end"), item.get("label")), []).append(dict(item))
    spans = []
    owners: dict[Any, str | None] = {}  # entity id → its user, for relations
    for where, start, end, label, user, entity_id in _spans(obj):
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
        if name is None:
            raise _NoAnnotator
        attributes = {k: v for k, v in attributes.items() if k not in ("start", "end", "label", "annotator")}
        spans.append(ForeignSpan(name, start, end, str(label), attributes=attributes, span_id=entity_id))
        if entity_id is not None:
            owners[entity_id] = name
    relations = _relations(obj, owners, line_annotator)
    comments = _comments(obj)
    # doccano writes every example of the project into every member's file (unless only approved examples
    # are exported), so only a span or a comment shows that someone looked at a record.
    commenter = [line_annotator] if comments and line_annotator else []
    annotators = unique([*(s.annotator for s in spans), *commenter])
    return ForeignRecord(
        file_name,
        index,
        text,
        {key: value for key, value in obj.items() if key not in _NOT_META},
        spans,
        record_id=obj.get("id"),
        relations=relations,
        annotators=annotators,
        comments={line_annotator: comments} if comments and line_annotator else {},
    )


def read_doccano(
    lines: Iterable[str | bytes],
    *,
    file_name: str,
    annotator: str | None = None,
    offsets: Literal["utf16", "codepoint"] = "utf16",
) -> Iterator[ForeignRecord | RecordError]:
    """Read a doccano sequence-labeling JSONL export, one line at a time.

    Spans come as ``"label": [[start, end, label], ...]``, as ``"entities"`` objects (relation projects:
    ``span_id`` is the entity id, each of ``"relations"`` becomes a ForeignRelation as written) or as
    doccano 1.0's ``"annotations"``. Whose they are: a span's own ``user``, else the line's
    ``annotator``/``user``, else ``annotator``, else the file's stem (doccano's ``<username>.jsonl``);
    ``annotators`` lists those with spans or ``Comments`` on the record (``comments``): doccano writes every
    example into every member's file, so a record without either shows nothing about who read it.
    doccano's collaborative ``all.jsonl`` names nobody: without ``annotator`` it yields one error for the
    file. Offsets are UTF-16 units as doccano makes them (``offsets="codepoint"`` for files written by
    Python scripts). Blank lines are skipped; a bad line yields a RecordError with its line number; a file
    that is not UTF-8 yields one error at its first bad byte and no more.
    """
    if offsets not in ("utf16", "codepoint"):
        raise ValueError(f"offsets must be 'utf16' or 'codepoint', not {offsets!r}")
    stem = PurePath(file_name).stem
    default = annotator or (None if stem == COLLABORATIVE else stem)
    position = 0  # bytes read so far, to name a bad byte
    for number, raw in enumerate(lines, 1):
        try:
            line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError as error:
            yield RecordError(file_name, number, not_utf8(raw, error, position))
            return
        position += len(raw) if isinstance(raw, bytes) else 0
        line = line.removeprefix("\ufeff") if number == 1 else line
        if not line.strip():
            continue
        try:
            obj = jsonsafe.loads(line)
        except json.JSONDecodeError as error:
            yield RecordError(file_name, number, f"malformed JSON: {error.msg} (column {error.colno})")
            continue
        try:
            yield _record(obj, file_name=file_name, index=number, annotator=default, offsets=offsets)
        except _NoAnnotator:
            yield collaborative_refusal(file_name)
            return
        except Problem as problem:
            yield RecordError(file_name, number, str(problem))
        except SHAPE_ERRORS as error:
            yield RecordError(file_name, number, f"unexpected shape ({error!r})")
