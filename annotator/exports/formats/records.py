"""The plain records the export writers take, and the choices they share (pure; no Django).

A selector streams ``PassageRecord`` dicts from the database; every writer in this package takes an
iterable of them. Offsets are Python code-point offsets, half-open ``[start, end)``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any, Literal, NotRequired, TypedDict

__all__ = [
    "CATEGORICAL_FIELDS",
    "CLAIM_LABEL",
    "GOLD",
    "SAID_BY",
    "SPEAKER_LABEL",
    "AnnotatorRecord",
    "ClaimRecord",
    "DocumentInfo",
    "LabelOf",
    "PassageRecord",
    "SpeakerRecord",
    "by_annotator",
    "check_source",
    "claim_fields",
    "claim_groups",
    "claim_label",
    "dumps",
    "file_stem",
    "mention_span",
    "perspective_label",
    "perspective_stance_label",
    "select_claims",
]

#: The closed-set claim fields a foreign label can stand for (see ``readers.validate_records``).
CATEGORICAL_FIELDS = ("perspective", "stance", "attribution")
GOLD = "gold"
# The span labels and the relation the tool formats share: a claim, where its speaker is named, and the
# link from the one to the other.
CLAIM_LABEL = "CLAIM"
SPEAKER_LABEL = "SPEAKER"
SAID_BY = "said_by"


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
    language: NotRequired[str]  # BCP 47 tag ("en", "zh"); "" when unknown


class ClaimRecord(TypedDict):
    id: int
    annotator: str  # username; "gold" for gold claims
    annotator_email: str | None  # the annotator's e-mail; None when unknown, and for gold claims
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
    mention_start: int | None  # where the speaker is named in the passage (code points); None: not marked
    mention_end: int | None
    # From the claim's assignment (annotators' claims only; absent on gold claims and older records).
    flag_reason: NotRequired[str]  # "" = not flagged
    active_seconds: NotRequired[int]  # the annotator's time on task on the passage


class AnnotatorRecord(TypedDict):
    """One annotator's assignment on a passage, with or without claims."""

    username: str
    status: str  # assigned | in_progress | submitted | skipped
    flag_reason: str  # a value of the project's flag_reasons; "" = not flagged
    flag_note: str
    active_seconds: int  # time on task


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
    annotators: NotRequired[list[AnnotatorRecord]]  # whose assignments the claims come from, by username
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


def claim_label(claim: ClaimRecord) -> str:
    """The span label of every claim in the tool formats that also mark speakers: ``CLAIM``."""
    return CLAIM_LABEL


def mention_span(claim: ClaimRecord) -> tuple[int, int] | None:
    """``(start, end)`` of the claim's speaker mention in the passage, or None when none is marked."""
    start, end = claim.get("mention_start"), claim.get("mention_end")
    return None if start is None or end is None else (start, end)


def by_annotator(claims: Iterable[ClaimRecord]) -> list[tuple[str, list[ClaimRecord]]]:
    """``claims`` grouped by annotator: names in order with gold last, each one's claims by start, end, id."""
    groups: dict[str, list[ClaimRecord]] = {}
    for claim in claims:
        groups.setdefault(claim["annotator"], []).append(claim)
    return [
        (name, sorted(groups[name], key=lambda c: (c["start"], c["end"], c["id"])))
        for name in sorted(groups, key=lambda name: (name == GOLD, name))
    ]


def claim_groups(record: PassageRecord, source: str) -> list[tuple[str, list[ClaimRecord]]] | None:
    """``by_annotator`` of the claims ``source`` picks from ``record``; None when it has none to give.

    An adjudicated passage without gold claims gives ``("gold", [])`` when the source includes gold: the
    reviewers decided it has no claims, which is worth writing down.
    """
    claims = select_claims(record, source)
    if claims is None:
        return None
    groups = by_annotator(claims)
    if record.get("gold") == [] and source in (GOLD, "all"):
        groups.append((GOLD, []))
    return groups


_UNSAFE_IN_FILE_NAMES = re.compile(r"[^\w.@+-]|^\.+")


def file_stem(name: str) -> str:
    """``name`` (a username, "gold") made safe as one file or folder name: other characters become ``_``."""
    return _UNSAFE_IN_FILE_NAMES.sub("_", name) or "_"


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
