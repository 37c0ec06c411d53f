"""Importing article files: size check, then read and write the records as a stream in one transaction.

Records are parsed, segmented and written a chunk at a time (``documents_import``), never all held at once;
a file that fails to parse on any line writes nothing (the error names the file and line), since the
transaction holding the chunks already written rolls back. A file over the limit is refused before it is
read.
"""

from collections.abc import Iterable
from pathlib import Path

from django.core.exceptions import ValidationError

from annotator.corpus.models import Project
from annotator.corpus.readers import MAX_FILE_BYTES, ReadError, check_size, read_article_file
from annotator.corpus.services import ImportSummary, documents_import


class ImportRefused(Exception):
    """The file is too large to import (HTTP 413)."""


def import_uploaded_file(
    *, project: Project, file_name: str, size: int, chunks: Iterable[bytes]
) -> ImportSummary:
    try:
        check_size(file_name, size)
    except ReadError as error:
        raise ImportRefused(str(error)) from error
    data = b"".join(chunks)
    if len(data) > MAX_FILE_BYTES:  # the declared size can lie; the bytes cannot
        raise ImportRefused(f"{file_name}: file is over the {MAX_FILE_BYTES // (1024 * 1024)} MB limit")
    try:
        records, encoding = read_article_file(file_name, data)
        summary = documents_import(project=project, records=records)
    except ReadError as error:
        raise ValidationError(str(error)) from error
    summary.encoding = encoding
    return summary


def import_path(*, project: Project, path: Path) -> ImportSummary:
    """Import one file from disk; raises ImportRefused or ValidationError naming the file."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        return import_uploaded_file(
            project=project, file_name=path.name, size=size, chunks=iter(lambda: handle.read(1 << 20), b"")
        )
