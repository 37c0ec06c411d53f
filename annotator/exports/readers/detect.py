"""Which tool wrote an uploaded file, and reading any of them (pure; no Django).

``detect_format`` sniffs the content (zip magic, a JSON array or JSON lines, ``.ann`` lines, a CSV
header), not only the name, and refuses what it can name but not import (Label Studio's CSV and CONLL
exports, this tool's own exports, binaries, text that is not UTF-8) with a message that says what to do.
``read_annotations`` opens zips (doccano's Download button serves one; brat collections travel as one),
pairs brat files and hands each file to its reader.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

from annotator import jsonsafe
from annotator.exports.readers.brat import read_brat
from annotator.exports.readers.doccano import COLLABORATIVE, read_doccano
from annotator.exports.readers.foreign import ForeignRecord, RecordError, not_utf8
from annotator.exports.readers.label_studio import is_json_min_row, read_label_studio

__all__ = ["FORMATS", "FormatRefused", "detect_format", "read_annotations"]

FORMATS = ("auto", "doccano", "label_studio", "brat")
_NAMES = {
    "doccano": "a doccano JSONL export",
    "label_studio": "a Label Studio JSON export",
    "brat": "brat standoff annotations (.ann)",
}
_USE_LS_JSON = (
    "export the project from Label Studio as JSON instead, which carries annotators, relations and "
    "per-region choices"
)
_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "a gzip archive",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office file (.xls/.doc)",
}
_OFFICE = {
    "xl/": "an Excel workbook (.xlsx)",
    "word/": "a Word document (.docx)",
    "ppt/": "a PowerPoint file",
}
_ZIP_LIMIT = 512 * 1024 * 1024  # uncompressed bytes; more is not an annotation export
_BRAT_LINE = re.compile(r"^(?:[TRAEMN#]\d+|\*)\t")
_CONLL_LINE = re.compile(r"^\S+ -X- _ \S+$")


class FormatRefused(ValueError):
    """A file that is not an import this reader takes: the message names what it is and what to do.

    ``definite`` is False when the content merely failed to show a known shape (a first line that is
    not JSON, say); an explicitly chosen format is then tried anyway, so its reader can say where.
    """

    def __init__(self, message: str, *, definite: bool = True) -> None:
        super().__init__(message)
        self.definite = definite


def _is_zip(data: bytes) -> bool:
    return data[:4] in (b"PK\x03\x04", b"PK\x05\x06")


# What exports put beside the annotations: a README (ours), brat's configuration files.
_NOT_ANNOTATIONS = {"readme.txt", "readme.md", "readme"}
_CONFIG_SUFFIXES = (".conf",)


def _readable_member(path: str) -> bool:
    parts = PurePosixPath(path).parts
    if path.endswith("/") or parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts):
        return False
    return parts[-1].lower() not in _NOT_ANNOTATIONS and not parts[-1].lower().endswith(_CONFIG_SUFFIXES)


def _zip_names(name: str, data: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise FormatRefused(f"a damaged zip archive ({error}); download it again") from None
    if sum(info.file_size for info in infos) > _ZIP_LIMIT:
        raise FormatRefused(f"a zip that unpacks to more than {_ZIP_LIMIT >> 20} MB; split it")
    return [info.filename for info in infos]


def _zip_members(name: str, data: bytes) -> list[tuple[str, bytes]]:
    names = [n for n in _zip_names(name, data) if _readable_member(n)]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(n, archive.read(n)) for n in names]


def _zip_kind(name: str, data: bytes) -> str:
    names = _zip_names(name, data)
    for prefix, what in _OFFICE.items():
        if any(n.startswith(prefix) for n in names) and "[Content_Types].xml" in names:
            raise FormatRefused(f"{what}, not an annotation export; {_USE_EXPORT}")
    members = [n for n in names if _readable_member(n)]
    suffixes = {PurePosixPath(n).suffix.lower() for n in members}
    for suffix, kind in ((".ann", "brat"), (".jsonl", "doccano"), (".json", "label_studio")):
        if suffix in suffixes:
            return kind
    held = ", ".join(members[:8]) + (f" and {len(members) - 8} more" if len(members) > 8 else "")
    raise FormatRefused(
        f"a zip holding {held or 'nothing'}: no doccano .jsonl, Label Studio .json or brat .ann file in it"
    )


_USE_EXPORT = (
    "export the annotations from doccano (JSONL), Label Studio (JSON) or brat (.txt + .ann) and import that"
)


def _first_json(text: str) -> tuple[Any, bool]:
    """The first element of a JSON array (or None for an empty one), and whether it parsed."""
    body = text[1:].lstrip()
    if body.startswith("]"):
        return None, True
    try:
        element, _ = jsonsafe.raw_decode(json.JSONDecoder(), body, 0)
    except json.JSONDecodeError:
        return None, False
    return element, True


def _array_kind(text: str) -> str:
    element, parsed = _first_json(text)
    if not parsed:
        return "label_studio"  # its reader says where the JSON breaks
    if element is None:
        raise FormatRefused("an empty JSON array: the export holds no tasks")
    if isinstance(element, Mapping) and (
        "data" in element and "annotations" in element or is_json_min_row(element)
    ):
        return "label_studio"
    if isinstance(element, Mapping) and isinstance(element.get("data"), Mapping):
        return "label_studio"  # tasks nobody annotated
    keys = sorted(element)[:8] if isinstance(element, Mapping) else type(element).__name__
    raise FormatRefused(
        f"a JSON array whose first element ({keys}) is not a Label Studio task", definite=False
    )


def _lines_kind(text: str) -> str:
    first = text.lstrip().split("\n", 1)[0]
    try:
        obj = jsonsafe.loads(first)
    except json.JSONDecodeError:
        return "doccano"  # its reader numbers the bad lines
    if not isinstance(obj, Mapping):
        raise FormatRefused(f"JSON lines of {type(obj).__name__}s, not doccano records", definite=False)
    if "passage_id" in obj and "claims" in obj:
        raise FormatRefused(
            "this tool's own JSONL export: its claims were made here; import annotations made in doccano, "
            "Label Studio or brat"
        )
    if "data" in obj and "annotations" in obj:
        raise FormatRefused(f"Label Studio tasks written one per line; {_USE_LS_JSON} (an array of tasks)")
    if "text" not in obj:
        raise FormatRefused(
            f'JSON lines without "text" (keys {sorted(obj)[:8]}), not doccano records', definite=False
        )
    return "doccano"


def _csv_refusal(text: str) -> FormatRefused | None:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    header = {h.strip() for h in next(csv.reader([first], delimiter=delimiter), [])}
    if len(header) < 2:
        return None
    if {"annotation_id", "annotator"} <= header:
        kind = "TSV" if delimiter == "\t" else "CSV"
        return FormatRefused(
            f"This is Label Studio's {kind} export, which flattens regions and drops relations; "
            + _USE_LS_JSON
        )
    if {"passage_id", "claim_id"} <= header:
        return FormatRefused(
            "this tool's own CSV export: its claims were made here; import annotations from another tool"
        )
    return FormatRefused(
        f"a table (columns {', '.join(sorted(header)[:8])}) with no annotations this importer reads; "
        + _USE_EXPORT
    )


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise FormatRefused(not_utf8(data, error)) from None


def detect_format(name: str, data: bytes) -> str:
    """ "doccano", "label_studio" or "brat" for a file (or zip) of that tool's annotations.

    Raises FormatRefused naming what the file is and what to do instead.
    """
    if _is_zip(data):
        return _zip_kind(name, data)
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise FormatRefused(f"{what}, not an annotation export; {_USE_EXPORT}")
    text = _decode(data)
    if "\x00" in text:
        raise FormatRefused(f"a binary file, not an annotation export; {_USE_EXPORT}")
    body = text.lstrip()
    if not body:
        raise FormatRefused("an empty file")
    first_line = body.split("\n", 1)[0].rstrip("\r")
    if PurePosixPath(name).suffix.lower() == ".ann" or _BRAT_LINE.match(first_line):
        return "brat"
    if body.startswith("["):
        return _array_kind(body)
    if body.startswith("{"):
        return _lines_kind(body)
    if first_line.startswith("-DOCSTART-") or _CONLL_LINE.match(first_line):
        raise FormatRefused(
            f"This is Label Studio's CONLL2003 export: tokens and BIO tags, without annotators, relations or "
            f"choices; {_USE_LS_JSON}"
        )
    refusal = _csv_refusal(body) if "," in first_line or "\t" in first_line else None
    raise refusal or FormatRefused(
        "plain text with no annotations: import it as an article, or for brat put its .ann file beside it"
    )


def _prefixed(items: Iterable[ForeignRecord | RecordError], archive: str | None) -> Iterator[Any]:
    for item in items:
        yield replace(item, file_name=f"{archive}: {item.file_name}") if archive else item


def _read_one(
    name: str, data: bytes, kind: str, annotator: str | None, in_zip: bool, user_names: Any
) -> Iterator:
    if kind == "doccano":
        # In doccano's zip each member is <username>.jsonl; only the collaborative all.jsonl takes a name.
        stem = PurePosixPath(name).stem
        who = stem if in_zip and stem != COLLABORATIVE else annotator
        yield from read_doccano(data.splitlines(keepends=True), file_name=name, annotator=who)
    elif kind == "label_studio":
        yield from read_label_studio(data, file_name=name, user_names=user_names)
    else:
        yield from read_brat([(name, data)], annotator=annotator)


def _read_group(
    files: Sequence[tuple[str, bytes]],
    archive: str | None,
    format: str,
    annotator: str | None,
    user_names: Any,
) -> Iterator[ForeignRecord | RecordError]:
    stems = {PurePosixPath(n).with_suffix("") for n, _ in files if n.lower().endswith(".ann")}
    brat = [
        (n, d)
        for n, d in files
        if PurePosixPath(n).with_suffix("") in stems and n.lower().endswith((".ann", ".txt"))
    ]
    if brat and format in ("auto", "brat"):
        yield from _prefixed(read_brat(brat, annotator=annotator), archive)
        files = [f for f in files if f not in brat]
    for name, data in files:
        try:
            kind = detect_format(name, data)
        except FormatRefused as refused:
            if format == "auto" or refused.definite:
                yield from _prefixed([RecordError(name, 0, str(refused))], archive)
                continue
            kind = format
        if format != "auto" and kind != format:
            message = (
                f"read as {_NAMES[format]}, but it looks like {_NAMES[kind]}; choose that format or auto"
            )
            yield from _prefixed([RecordError(name, 0, message)], archive)
            continue
        yield from _prefixed(_read_one(name, data, kind, annotator, archive is not None, user_names), archive)


def read_annotations(
    files: Sequence[tuple[str, bytes]],
    *,
    format: str = "auto",
    annotator: str | None = None,
    user_names: Mapping[Any, str] | None = None,
) -> Iterator[ForeignRecord | RecordError]:
    """Read uploaded (name, content) files of doccano, Label Studio or brat annotations.

    ``format`` is "auto" (sniff each file) or one of "doccano", "label_studio", "brat" (a file that looks
    like something else is an error saying so). Zips are opened: a doccano zip's members are
    ``<annotator>.jsonl``, a brat zip's folders are annotators; directory entries, ``__MACOSX/`` and hidden
    files are skipped. ``annotator`` names whoever the files do not: a single doccano file (instead of its
    name), doccano's collaborative ``all.jsonl``, brat files outside a folder. ``user_names`` maps Label
    Studio user ids to names. Yields records and per-file or per-record errors; never raises for content.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {format!r}")
    annotator = annotator.strip() if annotator and annotator.strip() else None
    # Loose files are read together, so that a brat .txt and its .ann uploaded side by side pair up.
    loose = [(name, data) for name, data in files if not _is_zip(data)]
    yield from _read_group(loose, None, format, annotator, user_names)
    for name, data in files:
        if not _is_zip(data):
            continue
        try:
            _zip_kind(name, data)
            members = _zip_members(name, data)
        except FormatRefused as refused:
            yield RecordError(name, 0, str(refused))
            continue
        yield from _read_group(members, name, format, annotator, user_names)
