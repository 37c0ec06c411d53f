"""Label Studio JSON: the export writer, a matching labeling config, and the reader (pure; no Django).

Label Studio stores ``<Text>`` region offsets in code points, as we do (see ``annotator.exports.formats``
for the evidence); the reader also recognises the UTF-16 offsets of versions before 2022.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any
from xml.sax.saxutils import quoteattr

from annotator.exports.foreign import (
    SHAPE_ERRORS,
    ForeignRecord,
    ForeignSpan,
    Problem,
    RecordError,
    is_int,
    person_name,
    same_span_text,
)
from annotator.exports.jsonstream import JsonStreamError, iter_json_array, text_chunks
from annotator.exports.offsets import OffsetError, from_utf16
from annotator.exports.records import (
    GOLD,
    ClaimRecord,
    LabelOf,
    PassageRecord,
    check_source,
    claim_fields,
    dumps,
    perspective_label,
    select_claims,
)

__all__ = ["LS_REGION_FIELDS", "label_studio_config", "label_studio_json", "read_label_studio"]

# Per-region Label Studio controls carrying the claim fields that are not the label: (name, type, key).
LS_REGION_FIELDS = (
    ("stance", "choices", "choices"),
    ("attribution", "choices", "choices"),
    ("target", "textarea", "text"),
    ("speaker", "textarea", "text"),
    ("note", "textarea", "text"),
    ("confidence", "rating", "rating"),
)


def _ls_results(claim: ClaimRecord, label: str, from_name: str, to_name: str) -> list[dict[str, Any]]:
    region = {"start": claim["start"], "end": claim["end"]}
    region_id = f"claim-{claim['id']}"
    results = [
        {
            "id": region_id,
            "from_name": from_name,
            "to_name": to_name,
            "type": "labels",
            "value": {**region, "text": claim["text"], "labels": [label]},
        }
    ]
    values = claim_fields(claim)
    for name, kind, key in LS_REGION_FIELDS:
        value = values[name]
        if value is None or value == "":
            continue
        payload = value if kind == "rating" else [str(value)]
        value = {**region, key: payload}
        results.append({"id": region_id, "from_name": name, "to_name": to_name, "type": kind, "value": value})
    return results


def label_studio_json(
    records: Iterable[PassageRecord],
    *,
    source: str = "all",
    label_of: LabelOf = perspective_label,
    from_name: str = "label",
    to_name: str = "text",
) -> Iterator[str]:
    """Yield a Label Studio JSON export: a JSON array of tasks, streamed (``[]`` for no records).

    Each task is ``{"id", "data": {"text", ids, title}, "annotations": [...]}`` with one annotation per
    annotator who made claims in the passage (``completed_by: {"username": name}``; gold, when the source
    includes it, is one more annotation marked ``ground_truth``). Each claim is a ``labels`` region with
    code-point ``start``/``end`` (Label Studio's unit, see the module doc) plus per-region results for the
    other fields (``LS_REGION_FIELDS``).
    """
    check_source(source)  # now, not when the first chunk is asked for
    return _label_studio_chunks(records, source, label_of, from_name, to_name)


def _label_studio_chunks(
    records: Iterable[PassageRecord], source: str, label_of: LabelOf, from_name: str, to_name: str
) -> Iterator[str]:
    yield "["
    first = True
    for record in records:
        claims = select_claims(record, source)
        if claims is None:
            continue
        by_annotator: dict[str, list[ClaimRecord]] = {}
        for claim in claims:
            by_annotator.setdefault(claim["annotator"], []).append(claim)
        # Annotators by name, gold last.
        names = sorted(by_annotator, key=lambda name: (name == GOLD, name))
        annotations = [
            {
                "completed_by": {"username": name},
                "ground_truth": name == GOLD,
                "was_cancelled": False,
                "result": [
                    result
                    for claim in sorted(by_annotator[name], key=lambda c: (c["start"], c["end"], c["id"]))
                    for result in _ls_results(claim, label_of(claim), from_name, to_name)
                ],
            }
            for name in names
        ]
        task = {
            "id": record["passage_id"],
            "data": {
                "text": record["text"],
                "passage_id": record["passage_id"],
                "document_id": record["document_id"],
                "document_title": record["document_title"],
                "position": record["position"],
            },
            "annotations": annotations,
        }
        yield ("\n" if first else ",\n") + dumps(task)
        first = False
    yield "]" if first else "\n]"


def _values(items: Iterable[Any]) -> list[str]:
    return [item["value"] if isinstance(item, Mapping) else str(item) for item in items]


def label_studio_config(
    schema: Mapping[str, Any], *, labels: Iterable[str] | None = None, from_name: str = "label",
    to_name: str = "text",
) -> str:  # fmt: skip
    """A Label Studio labeling config (XML) matching ``label_studio_json``'s output for ``schema``.

    ``schema`` is a project schema (``perspectives``, ``stances``, ``attributions``: lists of values or of
    ``{"value": ...}``); ``labels`` overrides the span labels (default: the perspectives), e.g. when the
    export used another ``label_of``.
    """
    span_labels = list(labels) if labels is not None else _values(schema.get("perspectives", ()))

    def choices(name: str, values: list[str]) -> str:
        options = "".join(f"\n      <Choice value={quoteattr(v)}/>" for v in values)
        return (
            f'\n    <Choices name="{name}" toName={quoteattr(to_name)} perRegion="true" choice="single">'
            f"{options}\n    </Choices>"
        )

    label_tags = "".join(f"\n    <Label value={quoteattr(label)}/>" for label in span_labels)
    text_areas = "".join(
        f'\n    <TextArea name="{name}" toName={quoteattr(to_name)} perRegion="true" maxSubmissions="1"'
        ' editable="true" placeholder=' + quoteattr(name) + "/>"
        for name in ("target", "speaker", "note")
    )
    return (
        "<View>"
        f"\n  <Labels name={quoteattr(from_name)} toName={quoteattr(to_name)}>{label_tags}\n  </Labels>"
        f'\n  <Text name={quoteattr(to_name)} value="$text"/>'
        '\n  <View visibleWhen="region-selected">'
        + choices("stance", _values(schema.get("stances", ())))
        + choices("attribution", _values(schema.get("attributions", ())))
        + text_areas
        + f'\n    <Rating name="confidence" toName={quoteattr(to_name)} perRegion="true" maxRating="5"/>'
        "\n  </View>\n</View>\n"
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
