"""Paths of the fixtures written by doccano, Label Studio and brat, and helpers the reader tests share."""

from __future__ import annotations

from pathlib import Path

from annotator.exports.readers.foreign import ForeignRecord, RecordError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DOCCANO = FIXTURES / "doccano"
LABEL_STUDIO = FIXTURES / "label_studio"
BRAT = FIXTURES / "brat"


def records_of(items) -> list[ForeignRecord]:
    return [item for item in items if isinstance(item, ForeignRecord)]


def errors_of(items) -> list[RecordError]:
    return [item for item in items if isinstance(item, RecordError)]


def span_texts(record: ForeignRecord) -> list[tuple[str, str, str]]:
    return [(s.annotator, record.text[s.start : s.end], s.label) for s in record.annotations]


def relation_texts(record: ForeignRecord) -> list[tuple[str, str, str, str]]:
    """(annotator, type, from text, to text) of each relation, its ends found by span id."""
    by_id = {(s.annotator, s.span_id): record.text[s.start : s.end] for s in record.annotations}
    return [
        (r.annotator, r.type, by_id[(r.annotator, r.from_id)], by_id[(r.annotator, r.to_id)])
        for r in record.relations
    ]
