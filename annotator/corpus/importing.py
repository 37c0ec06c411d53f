"""Importing article files: size check, parse the whole file, then write it in one transaction.

A file that fails to parse writes nothing (the error names the file and line); a file over the limit
is refused before it is read.
"""

from collections.abc import Iterable
from pathlib import Path

from django.core.exceptions import ValidationError

from annotator.corpus.models import Project
from annotator.corpus.readers import MAX_FILE_BYTES, ReadError, check_size, read_articles
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
        records = list(read_articles(file_name, data))
    except ReadError as error:
        raise ValidationError(str(error)) from error
    return documents_import(project=project, records=records)


def import_path(*, project: Project, path: Path) -> ImportSummary:
    """Import one file from disk; raises ImportRefused or ValidationError naming the file."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        return import_uploaded_file(
            project=project, file_name=path.name, size=size, chunks=iter(lambda: handle.read(1 << 20), b"")
        )
