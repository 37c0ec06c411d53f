"""Imports with annotations from doccano, Label Studio and brat: readers, the label map and validation (pure).

Readers stream: they take files and yield, per record, a ``ForeignRecord`` (text, metadata, spans in Python
code points, relations, who looked at it) or a ``RecordError`` for a record they cannot read — they never
raise mid-way. One module per tool (``readers.doccano``, ``readers.label_studio``, ``readers.brat``);
``readers.detect`` recognises a file's format. ``parse_label_map`` reads the user's label map, and
``validate_records`` checks every span (offsets, stored text, labels through the map) and splits the stream
into records that are fully valid and errors naming file, record and problem. Offset units and what round
trips are in the docstring of ``annotator.exports.formats``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, NamedTuple

from annotator.exports.formats.records import CATEGORICAL_FIELDS
from annotator.exports.readers.doccano import read_doccano
from annotator.exports.readers.foreign import (
    ForeignRecord,
    ForeignRelation,
    ForeignSpan,
    RecordError,
    same_span_text,
    short,
)
from annotator.exports.readers.label_studio import read_label_studio

__all__ = [
    "ForeignRecord",
    "ForeignRelation",
    "ForeignSpan",
    "LabelMap",
    "LabelMapError",
    "LabelRole",
    "RecordError",
    "ValidationResult",
    "parse_label_map",
    "read_doccano",
    "read_label_studio",
    "validate_records",
]

CLAIM, SPEAKER, IGNORE = "claim", "speaker", "ignore"
ROLES = (CLAIM, SPEAKER, IGNORE)
Role = Literal["claim", "speaker", "ignore"]


class ValidationResult(NamedTuple):
    records: list[ForeignRecord]
    errors: list[RecordError]


class LabelMapError(ValueError):
    """A label map that cannot be read; ``key`` names the entry at fault."""

    def __init__(self, key: str | None, message: str) -> None:
        super().__init__(f"label {key!r}: {message}" if key is not None else message)
        self.key = key


@dataclass(frozen=True)
class LabelRole:
    """What a foreign label stands for: a claim (with the claim fields it implies), a speaker, or nothing."""

    role: Role
    fields: Mapping[str, str] = field(default_factory=dict)


LabelMap = Mapping[str, Any]


def parse_label_map(label_map: LabelMap) -> dict[str, LabelRole]:
    """Read a label map: foreign label → what it stands for.

    A value is ``"speaker"`` (the span names the source of the claims related to it), ``"ignore"``,
    ``"claim"`` (a claim whose fields come from the span or the schema defaults), a perspective value
    (``"US": "us_western"``), or an object of claim fields (``{"stance": "favor"}``, ``{"attribution":
    "indirect"}``; ``{"role": "speaker"}`` also works). Raises LabelMapError naming the key at fault.
    """
    if not isinstance(label_map, Mapping):
        raise LabelMapError(None, 'the label map must be a JSON object: {"foreign label": ...}')
    parsed: dict[str, LabelRole] = {}
    for label, target in label_map.items():
        key = str(label)
        if isinstance(target, str):
            name = target.strip()
            if not name:
                raise LabelMapError(key, f"maps to an empty name; use one of {ROLES} or a perspective")
            parsed[key] = LabelRole(name) if name in ROLES else LabelRole(CLAIM, {"perspective": name})  # type: ignore[arg-type]
            continue
        if not isinstance(target, Mapping):
            raise LabelMapError(
                key,
                f"maps to {target!r}; give a perspective, one of {ROLES}, or an object of "
                f"{', '.join(CATEGORICAL_FIELDS)}",
            )
        fields = dict(target)
        role = fields.pop("role", CLAIM)
        if role not in ROLES:
            raise LabelMapError(key, f"unknown role {role!r}; choose one of {ROLES}")
        unknown = sorted(set(fields) - set(CATEGORICAL_FIELDS))
        if unknown:
            raise LabelMapError(key, f"unknown claim fields {unknown}; use some of {CATEGORICAL_FIELDS}")
        bad = sorted(
            name for name, value in fields.items() if not isinstance(value, str) or not value.strip()
        )
        if bad:
            raise LabelMapError(key, f"the values of {bad} must be non-empty text")
        if role != CLAIM and fields:
            raise LabelMapError(key, f"a {role} label carries no claim fields")
        parsed[key] = LabelRole(role, {name: value.strip() for name, value in fields.items()})
    return parsed


def _schema_value(value: Any, allowed: Mapping[str, str] | None) -> str | None:
    """A per-span value as the schema writes it: its value, or the value whose label it is (any case)."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if allowed is None:
        return value
    return allowed.get(value.casefold(), value)


def _span_problems(
    record: ForeignRecord,
    span: ForeignSpan,
    attributes: Mapping[str, Any],
    roles: Mapping[str, LabelRole],
    allowed: Mapping[str, Mapping[str, str]] | None,
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
    role = roles[span.label]
    if role.role != CLAIM:
        return problems, {}
    fields = dict(role.fields)
    for key in CATEGORICAL_FIELDS:
        value = _schema_value(attributes.get(key), allowed.get(key) if allowed else None)
        if value is None:
            continue
        if key in fields and fields[key] != value:
            problems.append(f"the label says {key} {fields[key]!r} but the span's {key} is {value!r}")
        fields[key] = value
    for key, value in fields.items():
        if allowed is not None and key in allowed and value not in allowed[key].values():
            problems.append(f"{key} {value!r} is not one of {sorted(set(allowed[key].values()))}")
    return problems, fields


def _allowed_values(allowed: Mapping[str, Iterable[Any]]) -> dict[str, dict[str, str]]:
    """Field → {folded value or label: value}, from lists of values or of schema items."""
    result: dict[str, dict[str, str]] = {}
    for key, items in allowed.items():
        names: dict[str, str] = {}
        for item in items:
            if isinstance(item, Mapping):
                value = str(item["value"])
                names.setdefault(str(item.get("label") or value).casefold(), value)
            else:
                value = str(item)
            names[value.casefold()] = value
        result[key] = names
    return result


def validate_records(
    records: Iterable[ForeignRecord | RecordError],
    *,
    label_map: LabelMap,
    allowed: Mapping[str, Iterable[Any]] | None = None,
) -> ValidationResult:
    """Split a reader's output into fully valid records and errors.

    ``label_map`` is read by ``parse_label_map`` (LabelMapError for a malformed one). A span fails for
    offsets outside the text or with start >= end, a stored text that is not the text at its offsets, a
    label not in ``label_map``, a per-span perspective/stance/attribution that contradicts its label, or
    (with ``allowed``, e.g. ``{"stance": ["favor", "against", "neutral"]}`` or the schema's items, whose
    labels are accepted too) a value outside the schema. Valid records come back with each claim span's
    ``fields`` filled (spans of ``ignore`` labels pass unchecked); a record with any failing span is left
    out whole and each problem becomes a RecordError. Reader errors pass through.
    """
    roles = parse_label_map(label_map)
    allowed_values = _allowed_values(allowed) if allowed is not None else None
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
            where = f"{prefix}span {n} ({span.annotator}, {span.label!r} at {span.start}–{span.end})"
            if span.label not in roles:
                problems.append(f"{where}: unknown label {span.label!r} (not in the label mapping)")
                continue
            if roles[span.label].role == IGNORE:  # kept unchecked, so the plan can count what it ignores
                spans.append(span)
                continue
            # Tools name per-span controls as they please ("Stance", "stance"): one spelling from here on.
            attributes = {str(k).casefold(): v for k, v in span.attributes.items()}
            span_problems, fields = _span_problems(record, span, attributes, roles, allowed_values)
            problems.extend(f"{where}: {problem}" for problem in span_problems)
            spans.append(replace(span, attributes=attributes, fields=fields))
        if problems:
            errors.extend(RecordError(record.file_name, record.index, problem) for problem in problems)
        else:
            valid.append(replace(record, annotations=spans))
    return ValidationResult(valid, errors)
