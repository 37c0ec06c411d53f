"""doccano sequence-labeling JSONL: the writer (pure; no Django); the reader is in ``exports.readers``.

Offsets in doccano files are UTF-16 code units (see ``annotator.exports.formats`` for the evidence), so
the writer converts our code points to UTF-16 by default and the reader converts back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Literal

from annotator.exports.formats.offsets import to_utf16
from annotator.exports.formats.records import (
    LabelOf,
    PassageRecord,
    check_source,
    claim_fields,
    dumps,
    perspective_label,
    select_claims,
)

__all__ = ["doccano_jsonl"]

OffsetUnit = Literal["utf16", "codepoint"]


def _check_offsets(offsets: str) -> None:
    if offsets not in ("utf16", "codepoint"):
        raise ValueError(f"offsets must be 'utf16' or 'codepoint', not {offsets!r}")


def doccano_jsonl(
    records: Iterable[PassageRecord],
    *,
    source: str = "all",
    label_of: LabelOf = perspective_label,
    offsets: OffsetUnit = "utf16",
) -> Iterator[str]:
    """Yield doccano sequence-labeling JSONL: ``{"id", "text", "label": [[start, end, label], ...], ...}``.

    The plain triple form of doccano's export (not the ``entities``/``relations`` form of projects with
    relation labeling). Offsets are UTF-16 units, as doccano's editor counts them (``offsets="codepoint"``
    keeps ours). Other keys are metadata: passage/document ids, the title, and ``claim_attributes`` (one
    object per span: ``start``, ``end``, ``label``, annotator and the other claim fields). ``source`` picks
    the claims (``records.select_claims``; default "all": annotators and gold); for doccano's
    one-file-per-user layout write ``source="annotator:<name>"`` to ``<name>.jsonl``.
    """
    check_source(source)  # now, not when the first chunk is asked for
    _check_offsets(offsets)
    return _doccano_lines(records, source, label_of, offsets)


def _doccano_lines(
    records: Iterable[PassageRecord], source: str, label_of: LabelOf, offsets: str
) -> Iterator[str]:
    for record in records:
        claims = select_claims(record, source)
        if claims is None:
            continue
        text = record["text"]
        labels, attributes = [], []
        for claim in sorted(claims, key=lambda c: (c["start"], c["end"], c["annotator"], c["id"])):
            start, end, label = claim["start"], claim["end"], label_of(claim)
            if offsets == "utf16":
                start, end = to_utf16(text, start), to_utf16(text, end)
            labels.append([start, end, label])
            attributes.append({"start": start, "end": end, "label": label, **claim_fields(claim)})
        line = {
            "id": record["passage_id"],
            "text": text,
            "label": labels,
            "passage_id": record["passage_id"],
            "document_id": record["document_id"],
            "document_title": record["document_title"],
            "position": record["position"],
            "claim_attributes": attributes,
        }
        yield dumps(line) + "\n"
