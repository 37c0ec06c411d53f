"""Imports with annotations from doccano and Label Studio: the readers and their validation (pure).

Readers stream: they take lines or a file and yield, per record, a ``ForeignRecord`` (text, metadata and
spans in Python code points) or a ``RecordError`` for a record they cannot read — they never raise mid-way.
``validate_records`` then checks every span (offsets, stored text, labels through the user's label
mapping) and splits the stream into records that are fully valid and errors naming file, record and
problem; a record with any problem is rejected whole. One module per tool (``readers.doccano``,
``readers.label_studio``); offset units and what round trips are in the docstring of
``annotator.exports.formats``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import NamedTuple

from annotator.exports.formats.records import CATEGORICAL_FIELDS
from annotator.exports.readers.doccano import read_doccano
from annotator.exports.readers.foreign import ForeignRecord, ForeignSpan, RecordError, same_span_text, short
from annotator.exports.readers.label_studio import read_label_studio

__all__ = [
    "ForeignRecord",
    "ForeignSpan",
    "LabelMap",
    "RecordError",
    "ValidationResult",
    "read_doccano",
    "read_label_studio",
    "validate_records",
]


class ValidationResult(NamedTuple):
    records: list[ForeignRecord]
    errors: list[RecordError]


LabelMap = Mapping[str, str | Mapping[str, str]]


def _label_fields(label_map: LabelMap) -> dict[str, dict[str, str]]:
    mapped = {}
    for label, target in label_map.items():
        fields = {"perspective": target} if isinstance(target, str) else dict(target)
        unknown = set(fields) - set(CATEGORICAL_FIELDS)
        if unknown or not fields:
            raise ValueError(
                f"label {label!r} must map to some of {CATEGORICAL_FIELDS}; got {sorted(fields)}"
            )
        mapped[str(label)] = fields
    return mapped


def _span_problems(
    record: ForeignRecord,
    span: ForeignSpan,
    label_fields: Mapping[str, Mapping[str, str]],
    allowed: Mapping[str, set[str]] | None,
) -> tuple[list[str], dict[str, str]]:
    problems: list[str] = []
    size = len(record.text)
    if span.start >= span.end:
        problems.append(f"start {span.start} is not before end {span.end}")
    elif span.start < 0 or span.end > size:
        problems.append(f"offsets {span.start}–{span.end} are outside the text ({size} characters)")
    elif span.text is not None and not same_span_text(span.text, record.text[span.start : span.end]):
        actual = record.text[span.start : span.end]
        problems.append(f"its text {short(span.text)} is not the text at those offsets, {short(actual)}")
    fields: dict[str, str] = {}
    if span.label not in label_fields:
        problems.append(f"unknown label {span.label!r} (not in the label mapping)")
    else:
        fields = dict(label_fields[span.label])
        for key in CATEGORICAL_FIELDS:
            value = span.attributes.get(key)
            if not isinstance(value, str) or not value:
                continue
            if key in fields and fields[key] != value:
                problems.append(f"the label says {key} {fields[key]!r} but the span's {key} is {value!r}")
            fields[key] = value
    for key, value in fields.items():
        if allowed is not None and key in allowed and value not in allowed[key]:
            problems.append(f"{key} {value!r} is not one of {sorted(allowed[key])}")
    return problems, fields


def validate_records(
    records: Iterable[ForeignRecord | RecordError],
    *,
    label_map: LabelMap,
    allowed: Mapping[str, Iterable[str]] | None = None,
) -> ValidationResult:
    """Split a reader's output into fully valid records and errors.

    ``label_map`` maps each foreign label to our values: a perspective (``{"US": "us_western"}``) or
    some of perspective/stance/attribution (``{"PRO": {"stance": "favor"}}``). A span fails for offsets
    outside the text or with start >= end, a stored text that is not the text at its offsets, a label not in
    ``label_map``, a per-span perspective/stance/attribution that contradicts its label, or (with
    ``allowed``, e.g. ``{"stance": ["favor", "against", "neutral"]}``) a value outside the schema. A record
    with no text fails too. Valid records come back with each span's ``fields`` filled; a record with
    any failing span is left out whole and each problem becomes a RecordError. Reader errors pass through.
    """
    label_fields = _label_fields(label_map)  # ValueError now for a malformed mapping
    allowed_values = {key: set(values) for key, values in allowed.items()} if allowed is not None else None
    valid: list[ForeignRecord] = []
    errors: list[RecordError] = []
    for record in records:
        if isinstance(record, RecordError):
            errors.append(record)
            continue
        prefix = f"record {record.record_id}: " if record.record_id is not None else ""
        problems = [] if record.text else [f"{prefix}the text is empty"]
        spans = []
        for n, span in enumerate(record.annotations, 1):
            span_problems, fields = _span_problems(record, span, label_fields, allowed_values)
            where = f"{prefix}span {n} ({span.annotator}, {span.label!r} at {span.start}–{span.end})"
            problems.extend(f"{where}: {problem}" for problem in span_problems)
            spans.append(replace(span, fields=fields))
        if problems:
            errors.extend(RecordError(record.file_name, record.index, problem) for problem in problems)
        else:
            valid.append(replace(record, annotations=spans))
    return ValidationResult(valid, errors)
