"""doccano relation JSONL, one line a passage, and a folder of one file per annotator (pure; no Django).

The shape is what doccano 1.8 imports as "JSONL(Relation)" (``backend/data_import/datasets.py``,
``RelationExtractionDataset``: spans from ``entities``, relations from ``relations``, every other key kept
as example metadata): each claim is an entity labelled ``CLAIM``, the span where its speaker is named an
entity labelled ``SPEAKER``, and a ``said_by`` relation goes from the claim to the speaker. doccano drops
overlapping entities unless the project allows them, and a relation to a dropped entity fails the import,
so the project needs "Allow overlapping spans" (and "Use relation labeling" to offer the format at all).

Offsets in doccano files are UTF-16 code units (see ``annotator.exports.formats`` for the evidence), so the
writer converts our code points to UTF-16 by default; the reader (``exports.readers``) converts back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from annotator.exports.formats.folders import AnnotatorFiles
from annotator.exports.formats.offsets import to_utf16
from annotator.exports.formats.records import (
    CLAIM_LABEL,
    SAID_BY,
    SPEAKER_LABEL,
    ClaimRecord,
    LabelOf,
    PassageRecord,
    check_source,
    claim_fields,
    claim_groups,
    claim_label,
    dumps,
    file_stem,
    mention_span,
    select_claims,
)

__all__ = ["DOCCANO_README", "doccano_jsonl", "doccano_line", "write_doccano_folder"]

OffsetUnit = Literal["utf16", "codepoint"]

DOCCANO_README = f"""\
doccano export: one JSONL file per annotator (<username>.jsonl), gold.jsonl for the adjudicated version.

Import a file into a doccano 1.8 project of type "Sequence labeling" created with
  - "Allow overlapping spans" ticked (claims overlap, and a speaker is often named inside a claim;
    without it doccano drops overlapping spans and the relations to them fail the import),
  - "Use relation labeling" ticked (it offers the "JSONL(Relation)" import format),
  - span labels {CLAIM_LABEL} and {SPEAKER_LABEL}, relation type {SAID_BY} (the import creates missing ones).
Choose the format "JSONL(Relation)" in Dataset > Import. doccano gives every imported span to the user
who imports the file, so import each annotator's file as that annotator, or into a project of its own.

Each line is a passage: "text", "entities" ({{"id", "label", "start_offset", "end_offset"}}), "relations"
({{"id", "from_id", "to_id", "type": "{SAID_BY}"}}: from a claim to where its speaker is named), and as
metadata the passage and document ids, the title and "claim_attributes": per claim its start, end and
label plus perspective, stance, attribution, target, speaker (name, kind, affiliation), confidence, note
and our claim id.

Offsets are UTF-16 code units, as doccano's editor counts them (they differ from Python's code points
after characters such as emoji).
"""


def _check_offsets(offsets: str) -> None:
    if offsets not in ("utf16", "codepoint"):
        raise ValueError(f"offsets must be 'utf16' or 'codepoint', not {offsets!r}")


def doccano_line(
    record: PassageRecord, claims: Iterable[ClaimRecord], *, label_of: LabelOf = claim_label,
    offsets: OffsetUnit = "utf16",
) -> dict[str, Any]:  # fmt: skip
    """The doccano line of ``record`` with ``claims``: entities, said_by relations and claim attributes.

    One ``SPEAKER`` entity per distinct mention span of each annotator; entity and relation ids count
    from 1 within the line.
    """
    text = record["text"]

    def unit(offset: int) -> int:
        return to_utf16(text, offset) if offsets == "utf16" else offset

    entities: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    attributes: list[dict[str, Any]] = []
    speakers: dict[tuple[str, int, int], int] = {}  # (annotator, start, end) → entity id

    def entity(start: int, end: int, label: str) -> int:
        entities.append(
            {"id": len(entities) + 1, "label": label, "start_offset": unit(start), "end_offset": unit(end)}
        )
        return len(entities)

    for claim in sorted(claims, key=lambda c: (c["start"], c["end"], c["annotator"], c["id"])):
        label = label_of(claim)
        claim_id = entity(claim["start"], claim["end"], label)
        speaker = claim.get("speaker") or {}
        attributes.append(
            {
                "start": unit(claim["start"]),
                "end": unit(claim["end"]),
                "label": label,
                **claim_fields(claim),
                "speaker_kind": speaker.get("kind"),
                "speaker_affiliation": speaker.get("affiliation"),
            }
        )
        mention = mention_span(claim)
        if mention is None:
            continue
        key = (claim["annotator"], *mention)
        if key not in speakers:
            speakers[key] = entity(*mention, SPEAKER_LABEL)
        relations.append(
            {"id": len(relations) + 1, "from_id": claim_id, "to_id": speakers[key], "type": SAID_BY}
        )
    return {
        "id": record["passage_id"],
        "text": text,
        "entities": entities,
        "relations": relations,
        "passage_id": record["passage_id"],
        "document_id": record["document_id"],
        "document_title": record["document_title"],
        "language": record["document"].get("language") or "",  # our importer reads it back
        "position": record["position"],
        "claim_attributes": attributes,
    }


def doccano_jsonl(
    records: Iterable[PassageRecord],
    *,
    source: str = "all",
    label_of: LabelOf = claim_label,
    offsets: OffsetUnit = "utf16",
) -> Iterator[str]:
    """Yield doccano relation JSONL (``doccano_line``), one line per passage ``source`` has claims for.

    ``source`` picks the claims (``records.select_claims``; default "all": annotators and gold on one
    line, each claim's annotator in its ``claim_attributes``); ``source="annotator:<name>"`` gives the
    lines of doccano's one-file-per-user layout. ``label_of`` names claim entities (default ``CLAIM``);
    ``offsets="codepoint"`` keeps our offsets, for scripts that slice in Python.
    """
    check_source(source)  # now, not when the first chunk is asked for
    _check_offsets(offsets)
    return _doccano_lines(records, source, label_of, offsets)


def _doccano_lines(
    records: Iterable[PassageRecord], source: str, label_of: LabelOf, offsets: OffsetUnit
) -> Iterator[str]:
    for record in records:
        claims = select_claims(record, source)
        if claims is not None:
            yield dumps(doccano_line(record, claims, label_of=label_of, offsets=offsets)) + "\n"


def write_doccano_folder(
    folder: Path, records: Iterable[PassageRecord], *, source: str = "annotators",
    offsets: OffsetUnit = "utf16",
) -> dict[str, int]:  # fmt: skip
    """Write doccano's per-user layout into ``folder``: ``<username>.jsonl`` per annotator and README.txt.

    With a ``source`` that includes gold, ``gold.jsonl`` holds the adjudicated claims (an adjudicated
    passage without claims is a line with no entities). An annotator's file has the passages where they
    made claims. Returns the number of lines per file name.
    """
    check_source(source)
    _check_offsets(offsets)
    counts: dict[str, int] = {}
    with AnnotatorFiles(folder, ".jsonl") as files:
        for record in records:
            for name, own in claim_groups(record, source) or ():
                files.write(name, dumps(doccano_line(record, own, offsets=offsets)) + "\n")
                counts[name] = counts.get(name, 0) + 1
    (Path(folder) / "README.txt").write_text(DOCCANO_README, encoding="utf-8")
    return {f"{file_stem(name)}.jsonl": count for name, count in counts.items()}
