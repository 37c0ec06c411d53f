"""What the import readers produce: records and spans from another tool, and per-record errors (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SHAPE_ERRORS",
    "ForeignRecord",
    "ForeignRelation",
    "ForeignSpan",
    "Problem",
    "RecordError",
    "same_span_text",
]


@dataclass(frozen=True)
class ForeignSpan:
    annotator: str
    start: int  # code points
    end: int
    label: str
    text: str | None = None  # the span text the file stored, if any; validate_records compares it
    attributes: Mapping[str, Any] = field(default_factory=dict)  # other per-span values the file carried
    fields: Mapping[str, str] = field(default_factory=dict)  # perspective/stance/attribution; validation sets
    span_id: Any = None  # what relations call the span: doccano entity id, Label Studio region id, brat "T1"


@dataclass(frozen=True)
class ForeignRelation:
    """A typed link between two spans of one annotator in one record (doccano, Label Studio and brat
    relations). Direction is kept as written; the importer decides which end is the claim by its label."""

    annotator: str
    from_id: Any  # a ForeignSpan.span_id of the same record and annotator
    to_id: Any
    type: str  # doccano "type", Label Studio's first relation label ("" when it has none), brat's type


@dataclass(frozen=True)
class ForeignRecord:
    file_name: str
    index: int  # doccano: line number; Label Studio: position of the task in the array (both from 1)
    text: str
    meta: dict[str, Any]
    annotations: list[ForeignSpan]
    record_id: Any = None  # the id the file gave the record (doccano "id", Label Studio task id)
    relations: list[ForeignRelation] = field(default_factory=list)
    # Everyone who completed an annotation of this record, spans or not: an annotator listed here with no
    # spans looked at the text and found nothing (Label Studio's empty annotations, a doccano user's file).
    annotators: tuple[str, ...] = ()
    cancelled: tuple[str, ...] = ()  # annotators who skipped the record (Label Studio's was_cancelled)
    comments: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # annotator → their comments


@dataclass(frozen=True)
class RecordError:
    file_name: str
    line_or_index: int  # as ForeignRecord.index; 0 when the problem is the file as a whole
    message: str

    def __str__(self) -> str:
        return f"{self.file_name}:{self.line_or_index}: {self.message}"


# A record shaped in a way the readers' explicit checks did not foresee (an unhashable id, a list where an
# object belongs) raises one of these; readers report it as that record's error instead of stopping.
SHAPE_ERRORS = (TypeError, KeyError, IndexError, AttributeError)


class Problem(ValueError):
    """Why one record cannot be read; the reader turns it into a RecordError and goes on."""


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def person_name(value: Any) -> str | None:
    """An annotator's name from a file: the text stripped, or from a user object its e-mail, else its
    username, else its id (Label Studio's export writes ``{id, email, first_name, last_name}``); None if
    there is nothing to name."""
    if isinstance(value, Mapping):
        for key in ("email", "username", "id"):
            name = person_name(value.get(key))
            if name is not None:
                return name
        return None
    if value is None or isinstance(value, bool):
        return None
    name = str(value).strip()
    return name or None


def _display_text(text: str) -> str:
    # Label Studio's newer text editor stores a region's text with each line break written as a backslash
    # and an "n" (domManager.ts, normalizeText); older versions store the text as is.
    return text.replace("\r", "\\n").replace("\n", "\\n")


def same_span_text(stored: str, actual: str) -> bool:
    """Whether a tool's stored span text is ``actual`` (as is, or as Label Studio displays line breaks)."""
    return stored == actual or stored == _display_text(actual)


def not_utf8(data: bytes, error: UnicodeDecodeError, offset: int = 0) -> str:
    """The message for bytes that are not UTF-8: where the first bad byte is, and what to do."""
    bad = data[error.start] if error.start < len(data) else 0
    return (
        f"not UTF-8 text: the byte 0x{bad:02x} at offset {offset + error.start} is not UTF-8; "
        "save the file as UTF-8 and import it again"
    )


def unique(names: Iterable[str | None]) -> tuple[str, ...]:
    """The names in first-seen order, once each, leaving out None and empty ones."""
    return tuple(dict.fromkeys(name for name in names if name))
