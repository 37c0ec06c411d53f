"""Label Studio JSON: the export writer, a matching labeling config, and the reader (pure; no Django).

Label Studio stores ``<Text>`` region offsets in code points, as we do (see ``annotator.exports.formats``
for the evidence); the reader also recognises the UTF-16 offsets of versions before 2022.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import IO, Any

from annotator.exports.formats.jsonstream import JsonStreamError, iter_json_array, text_chunks
from annotator.exports.formats.offsets import OffsetError, from_utf16
from annotator.exports.readers.foreign import (
    SHAPE_ERRORS,
    ForeignRecord,
    ForeignSpan,
    Problem,
    RecordError,
    is_int,
    person_name,
    same_span_text,
)

__all__ = ["read_label_studio"]


def _region_value(kind: str, value: Mapping[str, Any]) -> Any:
    if kind == "choices":
        choices = value.get("choices") or []
        return choices[0] if len(choices) == 1 else list(choices)
    if kind == "textarea":
        texts = value.get("text") or []
        return "\n".join(texts) if isinstance(texts, list) else texts
    return value.get(kind)  # rating, number, ...


def _ls_offsets(text: str, value: Mapping[str, Any]) -> tuple[int, int]:
    """Code-point offsets of a region; converted if its stored text fits only as UTF-16 (old versions)."""
    start, end, stored = value["start"], value["end"], value.get("text")
    if not isinstance(stored, str) or same_span_text(stored, text[start:end]):
        return start, end
    try:
        cp_start, cp_end = from_utf16(text, start), from_utf16(text, end)
    except OffsetError:
        return start, end
    return (cp_start, cp_end) if same_span_text(stored, text[cp_start:cp_end]) else (start, end)


def _ls_text(data: Mapping[str, Any], text_field: str | None) -> tuple[str, str]:
    if text_field is not None:
        if not isinstance(data.get(text_field), str):
            raise Problem(f'no text: "data" has no string "{text_field}"')
        return text_field, data[text_field]
    if isinstance(data.get("text"), str):
        return "text", data["text"]
    strings = [key for key, value in data.items() if isinstance(value, str)]
    if len(strings) == 1:
        return strings[0], data[strings[0]]
    raise Problem(f'no text: "data" has no "text"; name the field with text_field (one of {strings})')


def _ls_record(
    task: Any, *, file_name: str, index: int, user_names: Mapping[Any, str], text_field: str | None
) -> ForeignRecord:
    if not isinstance(task, Mapping) or not isinstance(task.get("data"), Mapping):
        raise Problem('expected a task object with a "data" object')
    key, text = _ls_text(task["data"], text_field)
    annotations = task.get("annotations", task.get("completions")) or []
    if not isinstance(annotations, list):
        raise Problem('"annotations" must be a list')
    spans = []
    for n, annotation in enumerate(annotations, 1):
        if not isinstance(annotation, Mapping) or not isinstance(annotation.get("result", []), list):
            raise Problem(f'annotation {n}: expected an object with a "result" list')
        if annotation.get("was_cancelled"):
            continue
        completed_by = annotation.get("completed_by")
        person_id = completed_by.get("id") if isinstance(completed_by, Mapping) else completed_by
        known = user_names.get(person_id) if isinstance(person_id, int | str) else None
        name = known or person_name(completed_by) or "unknown"
        results = [r for r in annotation.get("result", []) if isinstance(r, Mapping)]
        extras: dict[Any, dict[str, Any]] = {}
        for result in results:
            if result.get("type") != "labels" and isinstance(result.get("value"), Mapping):
                region = extras.setdefault(result.get("id"), {})
                region[str(result.get("from_name"))] = _region_value(str(result.get("type")), result["value"])
        for result in results:
            value = result.get("value")
            if result.get("type") != "labels" or not isinstance(value, Mapping):
                continue
            if not (is_int(value.get("start")) and is_int(value.get("end"))):
                raise Problem(
                    f"annotation {n}, region {result.get('id')}: start and end must be integers"
                    f" (a HyperText region?), found {value.get('start')!r} and {value.get('end')!r}"
                )
            start, end = _ls_offsets(text, value)
            attributes = extras.get(result.get("id"), {})
            stored = value.get("text") if isinstance(value.get("text"), str) else None
            spans.extend(
                ForeignSpan(name, start, end, str(label), text=stored, attributes=dict(attributes))
                for label in value.get("labels") or []
            )
    meta = {k: v for k, v in task["data"].items() if k != key}
    return ForeignRecord(file_name, index, text, meta, spans, record_id=task.get("id"))


def read_label_studio(
    data: str | bytes | IO[str] | IO[bytes],
    *,
    file_name: str,
    user_names: Mapping[Any, str] | None = None,
    text_field: str | None = None,
) -> Iterator[ForeignRecord | RecordError]:
    """Read a Label Studio JSON export (an array of tasks), one task at a time.

    The annotator of an annotation is ``user_names[completed_by]`` if given, else ``completed_by``
    itself: an int user id, or from an object its ``username``, ``email`` or ``id``. Cancelled annotations
    (``was_cancelled``) are skipped. Only ``labels`` results with integer offsets (regions on a ``<Text>``)
    become spans, one per label; other results with the same region id (per-region choices, text areas,
    ratings) become the span's ``attributes`` under their ``from_name``. Offsets are code points, as Label
    Studio stores them; a region whose stored text matches only when read as UTF-16 (files from versions
    before 2022) is converted. The text is ``data[text_field]`` (default ``"text"``, or the one string
    in ``data``); the other ``data`` fields become ``meta``.
    """
    user_names = user_names or {}
    position = 0
    try:
        for position, task in iter_json_array(text_chunks(data)):
            try:
                yield _ls_record(
                    task, file_name=file_name, index=position, user_names=user_names, text_field=text_field
                )
            except (Problem, *SHAPE_ERRORS) as problem:
                task_id = task.get("id") if isinstance(task, Mapping) else None
                prefix = f"task {task_id}: " if task_id is not None else ""
                reason = problem if isinstance(problem, Problem) else f"unexpected shape ({problem!r})"
                yield RecordError(file_name, position, f"{prefix}{reason}")
    except JsonStreamError as error:
        yield RecordError(file_name, error.index, error.message)
    except UnicodeDecodeError as error:
        yield RecordError(file_name, position + 1, f"not UTF-8 text: {error.reason}")
