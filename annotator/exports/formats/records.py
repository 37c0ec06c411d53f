"""The plain records the export writers take, and the choices they share (pure; no Django).

A selector streams ``PassageRecord`` dicts from the database; every writer in this package takes an
iterable of them. Offsets are Python code-point offsets, half-open ``[start, end)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal, TypedDict

__all__ = [
    "CATEGORICAL_FIELDS",
    "GOLD",
    "ClaimRecord",
    "DocumentInfo",
    "LabelOf",
    "PassageRecord",
    "SpeakerRecord",
    "check_source",
    "claim_fields",
    "dumps",
    "perspective_label",
    "perspective_stance_label",
    "select_claims",
]

#: The closed-set claim fields a foreign label can stand for (see ``readers.validate_records``).
CATEGORICAL_FIELDS = ("perspective", "stance", "attribution")
GOLD = "gold"


class SpeakerRecord(TypedDict):
    id: int
    name: str
    kind: str
    affiliation: str


class DocumentInfo(TypedDict):
    source: str
    url: str
    published: str | None  # "YYYY-MM-DD"
    meta: dict[str, Any]


class ClaimRecord(TypedDict):
    id: int
    annotator: str  # username; "gold" for gold claims
    start: int  # code-point offsets in the passage text
    end: int
    text: str  # == passage text[start:end]
    speaker: SpeakerRecord | None
    attribution: str  # direct | indirect | authorial
    perspective: str
    stance: str  # favor | against | neutral
    target: str
    confidence: int | None  # 1-5
    note: str


class PassageRecord(TypedDict):
    passage_id: int
    document_id: int
    document_title: str
    document: DocumentInfo
    position: int
    start: int  # code-point offsets of the passage in the document text
    end: int
    text: str
    claims: list[ClaimRecord]  # every annotator's claims
    gold: list[ClaimRecord] | None  # None: not adjudicated


LabelOf = Callable[[ClaimRecord], str]
Source = Literal["gold", "annotators", "all"] | str  # or "annotator:<username>"


def perspective_label(claim: ClaimRecord) -> str:
    """The default foreign label of a claim: its perspective (``us_western``)."""
    return claim["perspective"]


def perspective_stance_label(claim: ClaimRecord) -> str:
    """A label naming perspective and stance (``us_western/against``), for tools with one label per span."""
    return f"{claim['perspective']}/{claim['stance']}"


def check_source(source: str) -> None:
    """Raise ValueError unless ``source`` is a source ``select_claims`` knows (checked before streaming)."""
    if source in ("gold", "annotators", "all"):
        return
    if not (source.startswith("annotator:") and len(source) > len("annotator:")):
        raise ValueError(f"unknown claim source {source!r}: use gold, annotators, all or annotator:<name>")


def select_claims(record: PassageRecord, source: str) -> list[ClaimRecord] | None:
    """The claims of ``record`` that ``source`` asks for, or None when the passage has none to give.

    ``"gold"``: the adjudicated claims (None for a passage not adjudicated, so writers skip it rather than
    present it as "no claims"); ``"annotators"``: every annotator's claims; ``"annotator:<name>"``: one
    annotator's; ``"all"``: every annotator's claims followed by the gold ones (annotator ``"gold"``).
    """
    check_source(source)
    gold = record.get("gold")
    if source == GOLD:
        return None if gold is None else list(gold)
    if source == "annotators":
        return list(record["claims"])
    if source == "all":
        return list(record["claims"]) + [{**claim, "annotator": GOLD} for claim in gold or ()]
    name = source[len("annotator:") :]
    return [claim for claim in record["claims"] if claim["annotator"] == name]


def claim_fields(claim: ClaimRecord) -> dict[str, Any]:
    """The fields of a claim besides its span, flat (speaker as its name), as the tool formats carry them."""
    speaker = claim.get("speaker")
    return {
        "annotator": claim["annotator"],
        "claim_id": claim["id"],
        "perspective": claim["perspective"],
        "stance": claim["stance"],
        "attribution": claim["attribution"],
        "target": claim["target"],
        "speaker": speaker["name"] if speaker else None,
        "confidence": claim.get("confidence"),
        "note": claim.get("note") or "",
    }


# Characters JSON may leave raw that some line splitters (str.splitlines, JavaScript) treat as line ends.
_LINE_SEPARATORS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def dumps(value: Any) -> str:
    """Compact-ish JSON with UTF-8 text kept readable (``ensure_ascii=False``) and no raw line separators.

    U+2028, U+2029 and U+0085 can only occur inside JSON strings, where the escape means the same text.
    """
    text = json.dumps(value, ensure_ascii=False)
    # translate() copies every string; the separators are rare, so look before paying for it.
    if "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = text.translate(_LINE_SEPARATORS)
    return text
