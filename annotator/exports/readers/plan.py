"""Checking one foreign record before anything is written: its text normalised as stored documents are,
its spans moved onto that text, and each span turned into a claim checked against the project schema.

Pure: plain values in, a PlannedRecord or a list of RecordErrors out.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from annotator.corpus.readers import content_digest, has_nul
from annotator.corpus.segment import normalise_text
from annotator.exports.readers import ForeignRecord, ForeignSpan, RecordError
from annotator.labeling.validation import claim_problems


@dataclass
class PlannedClaim:
    start: int
    end: int
    fields: dict[str, Any]  # attribution, perspective, stance, target, confidence, note
    speaker: str  # a speaker name, or "" (authorial / unknown)

    def key(self) -> tuple:
        return (self.start, self.end, self.speaker, *sorted(self.fields.items()))


@dataclass
class PlannedRecord:
    record: ForeignRecord
    text: str  # normalised as stored documents are
    digest: str
    claims: dict[str, list[PlannedClaim]]  # username → claims


def offset_map(raw: str, text: str) -> Any:
    """Offsets in ``raw`` → offsets in its normalised form ``text`` (identity when nothing changed)."""
    if raw == text:
        return lambda offset: offset
    return lambda offset: len(normalise_text(raw[:offset]))


def plan_record(record: ForeignRecord, schema: Mapping[str, Any], names: Mapping[str, str]) -> Any:
    """The record's claims by username, checked against the schema; or a list of RecordErrors."""
    text = normalise_text(record.text)
    moved = offset_map(record.text, text)
    prefix = f"record {record.record_id}: " if record.record_id is not None else ""
    problems: list[str] = []
    if "\x00" in text or has_nul(record.meta):
        problems.append(f"{prefix}contains a NUL character, which the database cannot store")
    if not text.strip():
        problems.append(f"{prefix}the text is empty")
    claims: dict[str, list[PlannedClaim]] = {}
    seen: set[tuple] = set()
    for n, span in enumerate(record.annotations, 1):
        where = f"{prefix}span {n} ({span.annotator}, {span.label!r} at {span.start}–{span.end})"
        start, end = moved(span.start), moved(span.end)
        if normalise_text(record.text[span.start : span.end]) != text[start:end]:
            problems.append(f"{where}: its ends fall inside a line break or a composed character")
            continue
        planned, span_problems = _claim(span, start, end, text, schema)
        problems.extend(f"{where}: {problem}" for problem in span_problems)
        username = names.get(span.annotator, span.annotator).strip()
        if planned is not None and (username, *planned.key()) not in seen:  # exact repeats count once
            seen.add((username, *planned.key()))
            claims.setdefault(username, []).append(planned)
    if problems:
        return [RecordError(record.file_name, record.index, problem) for problem in problems]
    return PlannedRecord(record, text, content_digest(text), claims)


def _claim(
    span: ForeignSpan, start: int, end: int, text: str, schema: Mapping[str, Any]
) -> tuple[PlannedClaim | None, list[str]]:
    attributes = span.attributes
    speaker = " ".join(str(attributes.get("speaker") or "").split())
    fields: dict[str, Any] = {
        "perspective": span.fields.get("perspective") or _default(schema, "perspectives", "neutral_mixed"),
        "stance": span.fields.get("stance") or _default(schema, "stances", "neutral"),
        "attribution": span.fields.get("attribution") or ("indirect" if speaker else "authorial"),
        "target": str(attributes.get("target") or "").strip() or schema.get("default_target", ""),
        "confidence": _confidence(attributes.get("confidence")),
        "note": str(attributes.get("note") or ""),
    }
    if fields["attribution"] == "authorial":
        speaker = ""  # the writer's own voice has no speaker
    problems = claim_problems(
        passage_text=text, schema=schema, fields={**fields, "start": start, "end": end, "has_speaker": False}
    )
    if len(speaker) > 300:
        problems["speaker"] = "The speaker name is longer than 300 characters."
    if problems:
        return None, list(problems.values())
    return PlannedClaim(start, end, fields, speaker), []


def _default(schema: Mapping[str, Any], name: str, preferred: str) -> str:
    allowed = [item["value"] for item in schema.get(name, [])]
    return preferred if preferred in allowed else allowed[-1]


def _confidence(value: Any) -> Any:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return value  # claim_problems names it
