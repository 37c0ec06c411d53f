"""brat standoff annotations: ``.txt`` + ``.ann`` pairs, one folder per annotator (pure; no Django).

brat (https://brat.nlplab.org/standoff.html) keeps each document's text in ``NAME.txt`` and its annotations
in ``NAME.ann`` beside it, one per line, tab-separated: text-bound ``T1<TAB>LABEL START END<TAB>text``
(a discontinuous span writes ``START END;START END``), relations ``R1<TAB>TYPE Arg1:T1 Arg2:T2``,
attributes ``A1<TAB>NAME T1 VALUE`` (binary ones without VALUE) and notes ``#1<TAB>AnnotatorNotes
T1<TAB>text``. Offsets count characters (code points) of the ``.txt`` file as brat reads it, line breaks
as they are stored. Events, equivalences and normalisations have no claim meaning; a record that held
any lists them under ``meta["_lost"]``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from annotator.exports.readers.foreign import (
    ForeignRecord,
    ForeignRelation,
    ForeignSpan,
    Problem,
    RecordError,
    not_utf8,
)

__all__ = ["read_brat"]

_TEXT_BOUND = re.compile(r"^(?P<label>\S+) (?P<ranges>\d+ \d+(?:;\d+ \d+)*)$")
# Normalisation databases whose entries name a claim field: N1<TAB>Reference T1 speaker:42<TAB>Wang Junsheng
NORMALISED_FIELDS = {"speaker": "speaker", "target": "target"}
_LOST = {"E": "events", "*": "equivalences", "N": "normalisations", "M": "modifications"}


@dataclass
class _Document:
    spans: dict[str, tuple[str, int, int, str]] = field(default_factory=dict)  # id → label, start, end, text
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    relations: list[ForeignRelation] = field(default_factory=list)
    lost: set[str] = field(default_factory=set)


def _text_bound(doc: _Document, ident: str, rest: list[str], text: str) -> None:
    match = _TEXT_BOUND.match(rest[0]) if rest else None
    if match is None:
        raise Problem(f"{ident}: expected LABEL START END, found {rest[0] if rest else ''!r:.60}")
    pieces = [[int(n) for n in piece.split()] for piece in match["ranges"].split(";")]
    # brat cuts a span at each line break it crosses; pieces apart by white space only are one stretch.
    for (_, end_before), (start_after, _) in itertools.pairwise(pieces):
        if start_after < end_before or text[end_before:start_after].strip():
            raise Problem(
                f"{ident} is a discontinuous span ({match['ranges']}); a claim must be one stretch of text"
            )
    start, end = pieces[0][0], pieces[-1][1]
    if end > len(text):
        raise Problem(f"{ident} ends at {end}, past the end of the text ({len(text)} characters)")
    stored = rest[1] if len(rest) > 1 else None
    # brat writes a span's line breaks as spaces in the .ann file; the text is what the offsets say.
    if stored is not None and stored.split() == text[start:end].split():
        stored = text[start:end]
    doc.spans[ident] = (match["label"], start, end, stored)


def _normalised_field(spec: str) -> str | None:
    parts = spec.split()
    if len(parts) != 3:
        return None
    return NORMALISED_FIELDS.get(parts[2].split(":", 1)[0].lower())


def _parse_line(doc: _Document, line: str, text: str) -> None:
    ident, _, tail = line.partition("\t")
    rest = tail.split("\t", 1)
    kind = ident[:1]
    if kind == "T":
        _text_bound(doc, ident, rest, text)
    elif kind == "R":
        parts = rest[0].split()
        args = dict(part.split(":", 1) for part in parts[1:] if ":" in part)
        if len(parts) != 3 or not {"Arg1", "Arg2"} <= set(args):
            raise Problem(f"{ident}: expected TYPE Arg1:T1 Arg2:T2, found {rest[0]!r:.60}")
        doc.relations.append(ForeignRelation("", args["Arg1"], args["Arg2"], parts[0]))
    elif kind == "A":
        parts = rest[0].split()
        if len(parts) not in (2, 3):
            raise Problem(f"{ident}: expected NAME TARGET [VALUE], found {rest[0]!r:.60}")
        doc.attributes.setdefault(parts[1], {})[parts[0]] = parts[2] if len(parts) == 3 else "true"
    elif kind == "#":
        parts = rest[0].split()
        if len(parts) == 2 and len(rest) == 2:
            doc.attributes.setdefault(parts[1], {})["note"] = rest[1]
    elif kind == "N" and len(rest) == 2 and _normalised_field(rest[0]):
        # A normalisation to the speaker or target list (our own brat export writes them) fills that field.
        doc.attributes.setdefault(rest[0].split()[1], {})[_normalised_field(rest[0])] = rest[1].strip()
    elif kind in _LOST:
        doc.lost.add(_LOST[kind])
    else:
        raise Problem(f"unknown annotation {ident!r}")


def _document(
    ann: str, text: str, *, file_name: str, name: str, stem: str
) -> ForeignRecord | list[RecordError]:
    doc, errors = _Document(), []
    for number, line in enumerate(ann.splitlines(), 1):
        if not line.strip():
            continue
        try:
            _parse_line(doc, line, text)
        except Problem as problem:
            errors.append(RecordError(file_name, number, str(problem)))
    for relation in doc.relations:
        missing = [end for end in (relation.from_id, relation.to_id) if end not in doc.spans]
        if missing:
            errors.append(
                RecordError(
                    file_name, 0, f"a {relation.type!r} relation joins {missing[0]}, which is not a span"
                )
            )
    if errors:
        return errors
    spans = [
        ForeignSpan(
            name, start, end, label, text=stored, attributes=doc.attributes.get(ident, {}), span_id=ident
        )
        for ident, (label, start, end, stored) in doc.spans.items()
    ]
    relations = [ForeignRelation(name, r.from_id, r.to_id, r.type) for r in doc.relations]
    meta: dict[str, Any] = {"document": stem}
    if doc.lost:
        meta["_lost"] = sorted(doc.lost)
    return ForeignRecord(
        file_name, 1, text, meta, spans, record_id=stem, relations=relations, annotators=(name,)
    )


def _decoded(name: str, data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise Problem(f"{PurePosixPath(name).name}: {not_utf8(data, error)}") from None


def read_brat(
    files: Iterable[tuple[str, bytes | str]], *, annotator: str | None = None
) -> Iterator[ForeignRecord | RecordError]:
    """Read brat ``.txt``/``.ann`` pairs given as (path, content); one record per annotated document.

    A pair is two paths that differ only in the suffix. The annotator is the name of the folder the pair is
    in (brat keeps one collection per annotator); a pair at the top level needs ``annotator``. Text-bound
    annotations become spans (``span_id`` "T1"), their attributes and notes the span's ``attributes``
    (a binary attribute is "true", a note is under "note"), relations ForeignRelations as written
    (Arg1 → Arg2). A document with a discontinuous span or a malformed line yields errors (with the
    ``.ann`` line number) instead of a record; other files are ignored.
    """
    texts: dict[PurePosixPath, tuple[str, bytes | str]] = {}
    anns: dict[PurePosixPath, tuple[str, bytes | str]] = {}
    for path, data in files:
        pure = PurePosixPath(path)
        if pure.suffix.lower() in (".txt", ".ann"):
            (texts if pure.suffix.lower() == ".txt" else anns)[pure.with_suffix("")] = (path, data)
    for key, (ann_name, ann_data) in sorted(anns.items()):
        name = key.parent.name.strip() or annotator
        if key not in texts:
            yield RecordError(
                ann_name, 0, f"no {key.name}.txt beside it: brat keeps the text in a .txt of the same name"
            )
        elif not name:
            yield RecordError(
                ann_name, 0, "brat files at the top level name no annotator: put each annotator's files in a "
                "folder of their name, or name the annotator (--annotator NAME, the annotator field)",
            )  # fmt: skip
        else:
            txt_name, txt_data = texts[key]
            try:
                text, ann = _decoded(txt_name, txt_data), _decoded(ann_name, ann_data)
            except Problem as problem:
                yield RecordError(ann_name, 0, str(problem))
                continue
            result = _document(ann, text, file_name=ann_name, name=name, stem=key.name)
            yield from result if isinstance(result, list) else [result]
    for key, (txt_name, _) in sorted(texts.items()):
        if key not in anns:
            yield RecordError(txt_name, 0, f"no {key.name}.ann beside it: nothing annotated; skipped")
