"""Several article files at once, each on its own: a bad file writes nothing, the good ones still import.

The summary per file is the command's (documents, passages, skipped duplicates) plus the page furniture
lines the new documents hold, so a manager sees what the segmenter kept out of the passages.
"""

import posixpath
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ValidationError

from annotator.corpus.importing import ImportRefused
from annotator.corpus.models import Project
from annotator.corpus.readers import MAX_FILE_BYTES, ReadError, check_size, read_article_file
from annotator.corpus.services import documents_import


class ArticleFile(Protocol):
    """An uploaded file as Django hands it over (UploadedFile) or as a job reopens it from disk."""

    name: str
    size: int

    def chunks(self) -> Iterator[bytes]: ...


@dataclass
class FileOutcome:
    name: str
    documents: int = 0
    passages: int = 0
    furniture: int = 0
    skipped_duplicates: int = 0
    error: str = ""  # "file, line N: problem"; nothing from the file was written
    encoding: str = ""  # the encoding the file was read in ("UTF-8", "GB18030", …); "" when it failed


@dataclass
class UploadSummary:
    files: list[FileOutcome] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        return {
            "documents": sum(f.documents for f in self.files),
            "passages": sum(f.passages for f in self.files),
            "furniture": sum(f.furniture for f in self.files),
            "skipped_duplicates": sum(f.skipped_duplicates for f in self.files),
            "failed_files": sum(1 for f in self.files if f.error),
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.totals(), "files": [asdict(f) for f in self.files]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "UploadSummary":
        return cls(files=[FileOutcome(**f) for f in data.get("files", [])])


def display_name(name: str) -> str:
    """The file's own name without any folder a browser or client sent along."""
    return posixpath.basename(name.replace("\\", "/")) or "unnamed"


def upload_sizes_check(files: Iterable[ArticleFile]) -> None:
    """Raise ImportRefused (HTTP 413) naming the first file over the per-file limit; nothing is read."""
    for upload in files:
        try:
            check_size(display_name(upload.name), upload.size)
        except ReadError as error:
            raise ImportRefused(str(error)) from error


def article_file_import(*, project: Project, upload: ArticleFile) -> FileOutcome:
    """Import one file whole or not at all; a problem with it is the outcome's error, not an exception."""
    name = display_name(upload.name)
    data = b"".join(upload.chunks())
    if len(data) > MAX_FILE_BYTES:  # the declared size can lie; the bytes cannot
        return FileOutcome(
            name=name, error=f"{name}: file is over the {MAX_FILE_BYTES // (1024 * 1024)} MB limit"
        )
    try:
        records, encoding = read_article_file(name, data)
        summary = documents_import(project=project, records=records)
    except ReadError as error:  # a bad line anywhere in the file: its transaction wrote nothing
        return FileOutcome(name=name, error=str(error))
    except ValidationError as error:
        return FileOutcome(name=name, error=f"{name}: {'; '.join(error.messages)}")
    return FileOutcome(
        name=name,
        documents=summary.documents,
        passages=summary.passages,
        furniture=summary.furniture,
        skipped_duplicates=summary.skipped_duplicates,
        encoding=encoding,
    )


def articles_import_now(*, project: Project, files: Iterable[ArticleFile]) -> UploadSummary:
    """Import the files one after another (each in its own transaction); per-file outcomes in order."""
    return UploadSummary(files=[article_file_import(project=project, upload=upload) for upload in files])
