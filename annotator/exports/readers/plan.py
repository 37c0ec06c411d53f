"""Checking one foreign record before anything is written (pure): its text normalised as stored documents
are, its spans moved onto that text, claim spans turned into claims checked against the project schema,
and speaker relations resolved, so each claim carries its speaker's name and the span that names them.

Plain values in, a PlannedRecord or a list of RecordErrors out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from annotator.corpus.readers import content_digest, has_nul
from annotator.corpus.schema import span_rule_of
from annotator.corpus.segment import normalise_text
from annotator.exports.readers import CLAIM, IGNORE, SPEAKER, LabelRole
from annotator.exports.readers.foreign import ForeignRecord, ForeignSpan, RecordError
from annotator.labeling.span_rule import normalise_span
from annotator.labeling.validation import claim_problems

DEFAULT_SPEAKER_RELATIONS = ("said_by",)
SPEAKER_NAME_LIMIT = 300
# What a selected speaker name may carry around it that is not part of the name.
_NAME_EDGES = " \t\n,;:.\"'“”‘’«»()[]"


@dataclass
class PlannedClaim:
    start: int  # code points in the record's normalised text
    end: int
    fields: dict[str, Any]  # attribution, perspective, stance, target, confidence, note
    speaker: str = ""  # a speaker name, or "" (authorial / unknown)
    mention: tuple[int, int] | None = None  # where the text names the speaker (same coordinates)

    def key(self) -> tuple:
        return (self.start, self.end, self.speaker, self.mention, *sorted(self.fields.items()))


@dataclass
class PlannedWork:
    """One annotator's work on one record: claims (maybe none: looked, found nothing), or a skip."""

    claims: list[PlannedClaim] = field(default_factory=list)
    cancelled: bool = False
    note: str = ""


@dataclass
class PlannedRecord:
    record: ForeignRecord
    text: str  # normalised as stored documents are
    digest: str
    work: dict[str, PlannedWork]  # foreign annotator name → their work
    ignored_labels: Counter[str] = field(default_factory=Counter)  # label → spans left out by the map
    speaker_relations: int = 0  # relations that gave a claim its speaker
    ignored_relations: Counter[str] = field(default_factory=Counter)  # relation type → count
    notices: list[str] = field(default_factory=list)  # what the import cannot carry; nothing is blocked


def offset_map(raw: str, text: str) -> Callable[[int], int]:
    """Offsets in ``raw`` → offsets in its normalised form ``text`` (identity when nothing changed)."""
    if raw == text:
        return lambda offset: offset
    return lambda offset: len(normalise_text(raw[:offset]))


def speaker_name(text: str) -> str:
    """A speaker's name as a span of text gives it: spacing folded, edge punctuation and quotes off."""
    return " ".join(text.split()).strip(_NAME_EDGES)


def plan_record(
    record: ForeignRecord,
    *,
    schema: Mapping[str, Any],
    roles: Mapping[str, LabelRole],
    speaker_relations: Iterable[str] = DEFAULT_SPEAKER_RELATIONS,
) -> PlannedRecord | list[RecordError]:
    """The record's work by foreign annotator, checked against the schema; or a list of RecordErrors.

    ``roles`` is the parsed label map (``readers.parse_label_map``); spans come validated
    (``readers.validate_records``). A relation whose type is in ``speaker_relations`` between a claim span
    and a speaker span (either direction) gives the claim that speaker and its mention span; relations of
    other types are counted in ``ignored_relations``. A claim with a speaker is never authorial.
    """
    text = normalise_text(record.text)
    moved = offset_map(record.text, text)
    prefix = f"record {record.record_id}: " if record.record_id is not None else ""
    problems: list[str] = []
    if "\x00" in text or has_nul(record.meta):
        problems.append(f"{prefix}contains a NUL character, which the database cannot store")
    if not text.strip():
        problems.append(f"{prefix}the text is empty")
    plan = PlannedRecord(record, text, content_digest(text), {})
    claim_spans: dict[tuple[str, Any], tuple[ForeignSpan, int, int]] = {}
    speaker_spans: dict[tuple[str, Any], tuple[int, int]] = {}
    unnamed: list[tuple[ForeignSpan, int, int]] = []  # claim spans that relations cannot name
    for n, span in enumerate(record.annotations, 1):
        role = roles[span.label].role
        if role == IGNORE:
            plan.ignored_labels[span.label] += 1
            continue
        start, end = moved(span.start), moved(span.end)
        if normalise_text(record.text[span.start : span.end]) != text[start:end]:
            where = f"{prefix}span {n} ({span.annotator}, {span.label!r} at {span.start}–{span.end})"
            problems.append(f"{where}: its ends fall inside a line break or a composed character")
            continue
        if role == SPEAKER:
            speaker_spans[(span.annotator, span.span_id if span.span_id is not None else n)] = (start, end)
        elif span.span_id is None:
            unnamed.append((span, start, end))
        else:
            claim_spans[(span.annotator, span.span_id)] = (span, start, end)
    speakers = _resolve_relations(plan, record, claim_spans, speaker_spans, text, set(speaker_relations))
    seen: set[tuple] = set()
    for key, (span, start, end) in [
        *claim_spans.items(),
        *(((s.annotator, None), (s, a, b)) for s, a, b in unnamed),
    ]:
        name, mention = speakers.get(key, ("", None))
        planned, claim_errors = _claim(span, start, end, text, schema, name, mention)
        where = f"{prefix}span ({span.annotator}, {span.label!r} at {span.start}–{span.end})"
        problems.extend(f"{where}: {problem}" for problem in claim_errors)
        if planned is not None and (span.annotator, *planned.key()) not in seen:  # exact repeats count once
            seen.add((span.annotator, *planned.key()))
            plan.work.setdefault(span.annotator, PlannedWork()).claims.append(planned)
    if problems:
        return [RecordError(record.file_name, record.index, problem) for problem in problems]
    for name in record.annotators:
        plan.work.setdefault(name, PlannedWork())
    for name in record.cancelled:
        if name not in plan.work:
            plan.work[name] = PlannedWork(cancelled=True)
    for name, comments in record.comments.items():
        note = "\n\n".join(c.strip() for c in comments if c and c.strip())
        if note:
            plan.work.setdefault(name, PlannedWork()).note = note
    for work in plan.work.values():
        work.claims.sort(key=lambda c: (c.start, c.end))
    return plan


def _resolve_relations(
    plan: PlannedRecord,
    record: ForeignRecord,
    claims: Mapping[tuple[str, Any], tuple[ForeignSpan, int, int]],
    speakers: Mapping[tuple[str, Any], tuple[int, int]],
    text: str,
    speaker_types: set[str],
) -> dict[tuple[str, Any], tuple[str, tuple[int, int]]]:
    """(annotator, claim span id) → (speaker name, mention span), from the speaker relations."""
    found: dict[tuple[str, Any], tuple[str, tuple[int, int]]] = {}
    for relation in record.relations:
        if relation.type not in speaker_types:
            plan.ignored_relations[relation.type or "(no type)"] += 1
            continue
        ends = [(relation.annotator, relation.from_id), (relation.annotator, relation.to_id)]
        claim_end = next((end for end in ends if end in claims), None)
        speaker_end = next((end for end in ends if end in speakers), None)
        if claim_end is None or speaker_end is None:
            plan.notices.append(
                f"a {relation.type!r} relation of {relation.annotator} "
                f"({relation.from_id} → {relation.to_id}) does not join a claim span and a speaker span;"
                " left out"
            )
            continue
        start, end = speakers[speaker_end]
        name = speaker_name(text[start:end])
        if not name:
            plan.notices.append(
                f"{relation.annotator}'s speaker span at {start}–{end} holds no name; left out"
            )
            continue
        if claim_end in found and found[claim_end][0] != name:
            plan.notices.append(
                f"{relation.annotator}'s claim {claim_end[1]} has two speakers ({found[claim_end][0]!r} and "
                f"{name!r}); the first is kept"
            )
            continue
        found[claim_end] = (name, (start, end))
        plan.speaker_relations += 1
    return found


def _claim(
    span: ForeignSpan,
    start: int,
    end: int,
    text: str,
    schema: Mapping[str, Any],
    related_speaker: str,
    mention: tuple[int, int] | None,
) -> tuple[PlannedClaim | None, list[str]]:
    attributes = span.attributes
    speaker = related_speaker or speaker_name(str(attributes.get("speaker") or ""))
    attribution = span.fields.get("attribution")
    if speaker and attribution in (None, "authorial"):
        attribution = "indirect"  # a claim someone is said to make is not the writer's own voice
    fields: dict[str, Any] = {
        "perspective": span.fields.get("perspective") or _default(schema, "perspectives", "neutral_mixed"),
        "stance": span.fields.get("stance") or _default(schema, "stances", "neutral"),
        "attribution": attribution or "authorial",
        "target": str(attributes.get("target") or "").strip() or schema.get("default_target", ""),
        "confidence": _confidence(attributes.get("confidence")),
        "note": str(attributes.get("note") or ""),
    }
    problems = claim_problems(
        passage_text=text, schema=schema, fields={**fields, "start": start, "end": end, "has_speaker": False}
    )
    if len(speaker) > SPEAKER_NAME_LIMIT:
        problems["speaker"] = f"The speaker name is longer than {SPEAKER_NAME_LIMIT} characters."
    if problems:
        return None, list(problems.values())
    # Imported claims follow the project's span rule like claims made in the editor, so the same claim
    # marked in another tool does not count as a boundary disagreement.
    start, end = normalise_span(text, start, end, span_rule_of(schema))
    return PlannedClaim(start, end, fields, speaker, mention if speaker else None), []


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


__all__ = [
    "CLAIM",
    "DEFAULT_SPEAKER_RELATIONS",
    "PlannedClaim",
    "PlannedRecord",
    "PlannedWork",
    "plan_record",
]
