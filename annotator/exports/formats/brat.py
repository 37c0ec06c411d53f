"""brat standoff: a folder per annotator with a ``.txt`` and ``.ann`` file per passage (pure; no Django).

Layout: ``annotation.conf`` at the top (brat and INCEpTION look for it in the document's folder and its
parents) and ``<annotator>/passage-<id>.txt`` holding exactly the passage text, next to ``.ann`` with

- ``T`` text-bound annotations ``CLAIM`` and ``SPEAKER`` (where the speaker is named; one per distinct
  mention span) at code-point offsets into the ``.txt``, brat's unit; a span across a line break is
  written as fragments (``start end;start end``), as brat itself does;
- ``R`` relations ``said_by Arg1:<claim> Arg2:<speaker>``;
- ``A`` attributes ``Perspective``, ``Stance``, ``Attribution`` and ``Confidence`` on claims;
- ``#`` ``AnnotatorNotes`` with a claim's note;
- ``N`` normalisations naming the claim's speaker (``Reference T1 speaker:<speaker id>``) and its stance
  target (``Reference T1 target:<claim id>``), brat's way of tying a span to an entry of a list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from annotator.exports.formats.records import (
    CLAIM_LABEL,
    SAID_BY,
    SPEAKER_LABEL,
    ClaimRecord,
    PassageRecord,
    check_source,
    claim_groups,
    file_stem,
    mention_span,
)

__all__ = ["BRAT_ATTRIBUTES", "brat_ann", "brat_annotation_conf", "write_brat_folder"]

# brat attribute name → (claim field, schema list of its values; None: the fixed CONFIDENCE values).
BRAT_ATTRIBUTES = {
    "Perspective": ("perspective", "perspectives"),
    "Stance": ("stance", "stances"),
    "Attribution": ("attribution", "attributions"),
    "Confidence": ("confidence", None),
}
CONFIDENCE = ("1", "2", "3", "4", "5")
SPEAKER_DB, TARGET_DB = "speaker", "target"  # normalisation databases (read back by readers.brat)
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines splits at


def _token(value: Any) -> str:
    # A brat type, attribute value or note is one field of a whitespace- or tab-separated line.
    return "_".join(str(value).split()) or "_"


def _schema_values(schema: Mapping[str, Any], key: str) -> list[str]:
    return [_token(item["value"] if isinstance(item, Mapping) else item) for item in schema.get(key, ())]


def brat_annotation_conf(schema: Mapping[str, Any]) -> str:
    """brat's ``annotation.conf`` for the export: the two entities, said_by, attributes with their values."""
    attributes = [
        f"{name}\tArg:{CLAIM_LABEL}, Value:{'|'.join(_schema_values(schema, key) if key else CONFIDENCE)}"
        for name, (_, key) in BRAT_ATTRIBUTES.items()
    ]
    return "\n".join(
        [
            "[entities]",
            CLAIM_LABEL,
            SPEAKER_LABEL,
            "",
            "[relations]",
            f"{SAID_BY}\tArg1:{CLAIM_LABEL}, Arg2:{SPEAKER_LABEL}",
            # Claims overlap and nest, and speakers are named inside claims: allow any overlap.
            "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
            "",
            "[events]",
            "",
            "[attributes]",
            *attributes,
            "",
        ]
    )


def _fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut at line breaks into the non-empty pieces between them."""
    pieces, piece_start = [], start
    for index in range(start, end):
        if text[index] in _LINE_BREAKS:
            if index > piece_start:
                pieces.append((piece_start, index))
            piece_start = index + 1
    if end > piece_start:
        pieces.append((piece_start, end))
    return pieces


def brat_ann(text: str, claims: Iterable[ClaimRecord]) -> str:
    """The ``.ann`` content for one annotator's ``claims`` on ``text`` (see the module doc)."""
    lines: list[str] = []
    counters = {"T": 0, "R": 0, "A": 0, "#": 0, "N": 0}

    def next_id(kind: str) -> str:
        counters[kind] += 1
        return f"{kind}{counters[kind]}"

    def text_bound(label: str, start: int, end: int) -> str | None:
        pieces = _fragments(text, start, end)
        if not pieces:
            return None
        ident = next_id("T")
        offsets = ";".join(f"{s} {e}" for s, e in pieces)
        lines.append(f"{ident}\t{label} {offsets}\t{' '.join(text[s:e] for s, e in pieces)}")
        return ident

    speakers: dict[tuple[int, int], str | None] = {}
    for claim in claims:
        ident = text_bound(CLAIM_LABEL, claim["start"], claim["end"])
        if ident is None:
            continue
        for name, (field, _) in BRAT_ATTRIBUTES.items():
            value = claim.get(field)
            if value is not None and value != "":
                lines.append(f"{next_id('A')}\t{name} {ident} {_token(value)}")
        note = " ".join((claim.get("note") or "").split())
        if note:
            lines.append(f"{next_id('#')}\tAnnotatorNotes {ident}\t{note}")
        # Who makes the claim and what it is about, as entries of the project's lists (brat normalisations).
        speaker = claim.get("speaker")
        if speaker:
            name = " ".join(speaker["name"].split())
            lines.append(f"{next_id('N')}\tReference {ident} {SPEAKER_DB}:{speaker['id']}\t{name}")
        target = " ".join((claim.get("target") or "").split())
        if target:
            lines.append(f"{next_id('N')}\tReference {ident} {TARGET_DB}:{claim['id']}\t{target}")
        mention = mention_span(claim)
        if mention is None:
            continue
        if mention not in speakers:
            speakers[mention] = text_bound(SPEAKER_LABEL, *mention)
        if speakers[mention] is not None:
            lines.append(f"{next_id('R')}\t{SAID_BY} Arg1:{ident} Arg2:{speakers[mention]}")
    return "".join(line + "\n" for line in lines)


def write_brat_folder(
    folder: Path, records: Iterable[PassageRecord], *, schema: Mapping[str, Any], source: str = "annotators"
) -> dict[str, int]:
    """Write the brat collection (see the module doc) into ``folder``; returns the documents per annotator.

    Each annotator gets the passages where they made claims (gold: the adjudicated passages).
    """
    check_source(source)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "annotation.conf").write_text(brat_annotation_conf(schema), encoding="utf-8")
    counts: dict[str, int] = {}
    for record in records:
        for name, claims in claim_groups(record, source) or ():
            where = folder / file_stem(name)
            where.mkdir(exist_ok=True)
            stem = f"passage-{record['passage_id']}"
            # newline="": brat counts offsets in the file's characters, so no line end may be translated.
            (where / f"{stem}.txt").write_text(record["text"], encoding="utf-8", newline="")
            (where / f"{stem}.ann").write_text(brat_ann(record["text"], claims), encoding="utf-8", newline="")
            counts[name] = counts.get(name, 0) + 1
    return counts
