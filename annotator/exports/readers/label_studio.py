"""Label Studio JSON and JSON_MIN exports: the reader (pure; no Django).

Label Studio 1.23 writes the JSON export with ``ExportDataSerializer`` (``label_studio/data_export``): an
array of tasks ``{"id", "data": {...}, "annotations": [{"id", "completed_by", "result": [...],
"was_cancelled", ...}], "predictions": [...], ...}``. ``completed_by`` is the user's int id in the export
the Export button serves, and ``{"id", "email", "first_name", "last_name"}`` in snapshot exports that
expand it. A result is a region (``"type": "labels"``, ``value: {start, end, text, labels}``), a choice,
text area, rating or number (per region when it carries the region's ``id``), or a relation
(``{"from_id", "to_id", "type": "relation", "direction", "labels"}``). JSON_MIN (the SDK converter's
``convert_to_json_min``) flattens each annotation into a row: the task's data, ``id``, one key per
control (regions as ``{start, end, text, labels}`` lists), ``annotator``, ``annotation_id``. Region
offsets are code points; versions before 2022 wrote UTF-16 units, recognised by the region text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import IO, Any

from annotator.exports.formats.jsonstream import JsonStreamError, iter_json_array, text_chunks
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
    same_span_text,
    unique,
)

__all__ = ["JSON_MIN_LOST", "is_json_min_row", "read_label_studio"]

#: What JSON_MIN cannot carry; a record read from it lists these under ``meta["_lost"]``.
JSON_MIN_LOST = (
    "relations (JSON_MIN leaves them out)",
    "per-region choices (JSON_MIN does not say which region a choice belongs to)",
)
_MIN_KEYS = {
    "id",
    "annotator",
    "annotation_id",
    "created_at",
    "updated_at",
    "lead_time",
    "agreement",
    "history",
}


def is_json_min_row(item: Any) -> bool:
    """Whether an array element is a JSON_MIN row (task data at the top level) rather than a task."""
    return (
        isinstance(item, Mapping) and "data" not in item and ("annotation_id" in item or "annotator" in item)
    )


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


def _ls_text(
    data: Mapping[str, Any], text_field: str | None, skip: set[str] = frozenset()
) -> tuple[str, str]:
    if text_field is not None:
        if not isinstance(data.get(text_field), str):
            raise Problem(f'no text: the task has no string "{text_field}"')
        return text_field, data[text_field]
    if isinstance(data.get("text"), str):
        return "text", data["text"]
    strings = [key for key, value in data.items() if isinstance(value, str) and key not in skip]
    if len(strings) == 1:
        return strings[0], data[strings[0]]
    raise Problem(f'no text: the task has no "text"; name the field with text_field (one of {strings})')


def _region_spans(text: str, value: Any, name: str, where: str, **extra: Any) -> list[ForeignSpan]:
    if not isinstance(value, Mapping):
        return []
    if not (is_int(value.get("start")) and is_int(value.get("end"))):
        raise Problem(
            f"{where}: start and end must be integers (a HyperText region?),"
            f" found {value.get('start')!r} and {value.get('end')!r}"
        )
    start, end = _ls_offsets(text, value)
    stored = value.get("text") if isinstance(value.get("text"), str) else None
    return [
        ForeignSpan(name, start, end, str(label), text=stored, **extra) for label in value.get("labels") or []
    ]


def _relation(name: str, result: Mapping[str, Any]) -> ForeignRelation:
    # "left" means the arrow was drawn from to_id back to from_id; swapped so from → to reads as the arrow.
    labels = result.get("labels") or []
    ends = (result.get("from_id"), result.get("to_id"))
    from_id, to_id = reversed(ends) if result.get("direction") == "left" else ends
    return ForeignRelation(name, from_id, to_id, str(labels[0]) if labels else "")


def _annotation(text: str, annotation: Mapping[str, Any], name: str, n: int) -> tuple[list, list]:
    """The spans and relations of one annotation."""
    results = [r for r in annotation.get("result") or [] if isinstance(r, Mapping)]
    regions = {r.get("id") for r in results if r.get("type") == "labels"}
    per_region: dict[Any, dict[str, Any]] = {}
    whole_task: dict[str, Any] = {}
    for result in results:
        kind, value = str(result.get("type")), result.get("value")
        if kind in ("labels", "relation") or not isinstance(value, Mapping):
            continue
        target = per_region.setdefault(result["id"], {}) if result.get("id") in regions else whole_task
        target[str(result.get("from_name"))] = _region_value(kind, value)
    spans, relations = [], []
    for result in results:
        if result.get("type") == "relation":
            relations.append(_relation(name, result))
        elif result.get("type") == "labels":
            # A task-level choice (not tied to a region) fills in for a region that has none of its own.
            attributes = {**whole_task, **per_region.get(result.get("id"), {})}
            where = f"annotation {n}, region {result.get('id')}"
            spans += _region_spans(
                text, result.get("value"), name, where, attributes=attributes, span_id=result.get("id")
            )
    return spans, relations


def _ls_record(
    task: Any, *, file_name: str, index: int, user_names: Mapping[Any, str], text_field: str | None
) -> ForeignRecord:
    if is_json_min_row(task):
        return _min_record(
            task, file_name=file_name, index=index, user_names=user_names, text_field=text_field
        )
    if not isinstance(task, Mapping) or not isinstance(task.get("data"), Mapping):
        raise Problem('expected a task object with a "data" object')
    key, text = _ls_text(task["data"], text_field)
    annotations = task.get("annotations", task.get("completions")) or []
    if not isinstance(annotations, list):
        raise Problem('"annotations" must be a list')
    spans, relations, annotators, cancelled = [], [], [], []
    for n, annotation in enumerate(annotations, 1):
        if not isinstance(annotation, Mapping) or not isinstance(annotation.get("result") or [], list):
            raise Problem(f'annotation {n}: expected an object with a "result" list')
        name = _annotator(annotation.get("completed_by"), user_names, annotation.get("meta"))
        if annotation.get("was_cancelled"):
            cancelled.append(name)
            continue
        annotators.append(name)
        found_spans, found_relations = _annotation(text, annotation, name, n)
        spans += found_spans
        relations += found_relations
    meta = {k: v for k, v in task["data"].items() if k != key}
    return ForeignRecord(
        file_name,
        index,
        text,
        meta,
        spans,
        record_id=task.get("id"),
        relations=relations,
        annotators=unique(annotators),
        cancelled=tuple(name for name in unique(cancelled) if name not in annotators),
    )


def _annotator(completed_by: Any, user_names: Mapping[Any, str], meta: Any = None) -> str:
    # Our own export names an annotator with no e-mail in the annotation's meta, which Label Studio ignores.
    if completed_by in (None, "") and isinstance(meta, Mapping) and person_name(meta.get("annotator")):
        return person_name(meta["annotator"]) or "unknown"
    person_id = completed_by.get("id") if isinstance(completed_by, Mapping) else completed_by
    known = user_names.get(person_id) if isinstance(person_id, int | str) else None
    return person_name(known) or person_name(completed_by) or "unknown"


def _is_regions(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(v, Mapping) and "labels" in v for v in value)


def _min_record(
    row: Mapping[str, Any],
    *,
    file_name: str,
    index: int,
    user_names: Mapping[Any, str],
    text_field: str | None,
) -> ForeignRecord:
    region_keys = {key for key, value in row.items() if _is_regions(value)}
    key, text = _ls_text(row, text_field, skip=_MIN_KEYS | region_keys)
    # A task nobody annotated comes out with "annotator": null; it names nobody.
    name = _annotator(row["annotator"], user_names) if row.get("annotator") is not None else None
    spans = []
    for control in sorted(region_keys):
        for n, value in enumerate(row[control], 1):
            spans += _region_spans(text, value, name or "unknown", f"{control} {n}")
    meta = {k: v for k, v in row.items() if k not in _MIN_KEYS | region_keys | {key}}
    meta["_lost"] = list(JSON_MIN_LOST)
    return ForeignRecord(
        file_name, index, text, meta, spans, record_id=row.get("id"), annotators=unique([name])
    )


def read_label_studio(
    data: str | bytes | IO[str] | IO[bytes],
    *,
    file_name: str,
    user_names: Mapping[Any, str] | None = None,
    text_field: str | None = None,
) -> Iterator[ForeignRecord | RecordError]:
    """Read a Label Studio JSON export (an array of tasks) or JSON_MIN one (an array of rows), one by one.

    An annotation's annotator is ``user_names[completed_by id]`` if given, else the e-mail of a
    ``completed_by`` object, else its username, else the id as text; with no ``completed_by``, the
    ``meta.annotator`` our own export writes, else "unknown". Every
    annotation that is not cancelled names its annotator in ``annotators``, regions or not (an empty one
    means "looked, no claim"); cancelled ones (``was_cancelled``) only in ``cancelled``. Predictions are
    ignored. ``labels`` results with integer offsets become spans (one per label, ``span_id`` the region
    id); choices, text areas, ratings and numbers with the same id become the span's ``attributes`` under
    their ``from_name``, and task-level ones fill in for a region with no value of its own. Relations keep
    their ends as written, except ``direction: "left"``, swapped so from → to follows the arrow; the type
    is the first relation label. JSON_MIN rows become one record each, with ``meta["_lost"]`` saying what
    that format drops. The text is ``data[text_field]`` (default ``"text"``, or the one string there).
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
        raw = error.object if isinstance(error.object, bytes) else b""
        yield RecordError(
            file_name, position + 1, not_utf8(raw, error) if raw else f"not UTF-8 text: {error.reason}"
        )
