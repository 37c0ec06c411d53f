"""Exports: stream a project (or part of it) in one of the formats, or run the export as a job.

``export_stream`` is what a view returns (constant memory: JSON Lines and CSV are rendered by PostgreSQL
and streamed with COPY, see ``exports.rendered``; the other formats' records come from a server-side cursor
a chunk at a time and each writer holds one passage; zips are built by ``exports.archives``);
``export_job_request``/``export_job_execute`` write the same bytes to ``MEDIA_ROOT/exports/`` in a worker,
reporting progress on the ``ExportJob`` row.
"""

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from annotator.agreement.models import RunStatus
from annotator.analytics.services import who_says_what_current
from annotator.corpus.models import Project
from annotator.exports import archives, formats, rendered
from annotator.exports.formats.records import PassageRecord
from annotator.exports.models import ExportJob
from annotator.exports.selectors import (
    SOURCES,
    STATUSES,
    ExportFilters,
    latest_agreement,
    passage_count,
    passage_records,
)
from annotator.jobs import EXPORT_JOB, job_claim, job_send
from annotator.numbers import parse_whole_number

EXPORT_DIR = "exports"
PARTIAL_PREFIX = ".partial-"  # a file being written; retention sweeps the ones a dead worker left
BUFFER_BYTES = 64 * 1024
PROGRESS_EVERY_SECONDS = 1.0


NDJSON = "application/x-ndjson; charset=utf-8"
ZIP = "application/zip"
TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    content_type: str
    extension: str


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("jsonl", "JSON Lines: passages with all claims", NDJSON, "jsonl"),
        ExportFormat("csv", "CSV: one claim a row", "text/csv; charset=utf-8", "csv"),
        ExportFormat("conll", "CoNLL / BIO, perspective tags, a block per annotator", TEXT, "conll"),
        ExportFormat("conll_plain", "Plain CoNLL, a file per annotator (zip)", ZIP, "zip"),
        ExportFormat("hf", "Hugging Face datasets folder (zip)", ZIP, "zip"),
        ExportFormat("doccano", "doccano JSONL, a file per annotator (zip)", ZIP, "zip"),
        ExportFormat("label_studio", "Label Studio JSON", "application/json; charset=utf-8", "json"),
        ExportFormat("label_studio_config", "Label Studio labeling config (XML)", "application/xml", "xml"),
        ExportFormat("brat", "brat standoff, a folder per annotator (zip)", ZIP, "zip"),
    )
}
# Formats PostgreSQL renders itself (see exports.rendered), with the same bytes as their Python writers.
RENDERED_IN_DATABASE = {"jsonl": "jsonl_chunks", "csv": "csv_chunks"}
# Formats whose file name says what the file is rather than the format's name.
FILE_NAMES = {"label_studio_config": "{slug}-label-studio-config.xml"}


def _items(value: Any) -> list[str]:
    """A list or a comma-separated string (or a list of them, or one number) → the non-blank items."""
    values = list(value) if isinstance(value, list | tuple) else [] if value is None else [value]
    return [item.strip() for v in values for item in str(v).split(",") if item.strip()]


def export_options(data: Mapping[str, Any]) -> tuple[str, ExportFilters]:
    """Read and check the format and filters of an export request (query string, form or job parameters).

    Keys: ``format``; ``documents`` (ids) and ``annotators`` (usernames), each a list or a comma-separated
    string (repeated keys of a QueryDict count too); ``status`` (submitted | all) and ``source``
    (annotators | gold | all). Raises ValidationError.
    """
    many = data.getlist if hasattr(data, "getlist") else data.get
    problems: dict[str, str] = {}
    name = str(data.get("format") or "")
    if name not in FORMATS:
        problems["format"] = f"Unknown format {name!r}; choose one of {', '.join(FORMATS)}."
    status = str(data.get("status") or "submitted")
    if status not in STATUSES:
        problems["status"] = f"Unknown status {status!r}; choose one of {', '.join(STATUSES)}."
    source = str(data.get("source") or "annotators")
    if source not in SOURCES:
        problems["source"] = f"Unknown source {source!r}; choose one of {', '.join(SOURCES)}."
    documents: tuple[int, ...] = ()
    ids = [parse_whole_number(item) for item in _items(many("documents"))]
    if None in ids:
        problems["documents"] = "Give document ids as whole numbers, separated by commas."
    else:
        documents = tuple(sorted(set(ids)))  # type: ignore[arg-type]
    annotators = _items(many("annotators"))
    if any("\x00" in name for name in annotators):
        problems["annotators"] = "Usernames must not contain NUL characters."
    if problems:
        raise ValidationError(problems)
    filters = ExportFilters(
        documents=documents,
        annotators=tuple(sorted(set(annotators))),
        status=status,  # type: ignore[arg-type]
        source=source,  # type: ignore[arg-type]
    )
    return name, filters


def _writer(
    project: Project, name: str, filters: ExportFilters, records: Iterable[PassageRecord]
) -> Iterator[str | bytes]:
    source = filters.source
    if name == "jsonl":
        return formats.jsonl(records)
    if name == "csv":
        return formats.csv_claims(records)
    if name == "conll":
        return formats.conll_by_annotator(records, source=source, label_field="perspective")
    if name == "conll_plain":
        return archives.folder_zip(
            lambda folder: formats.write_conll_plain_folder(
                folder, records, source=source, label_field="perspective"
            )
        )
    if name == "doccano":
        return archives.folder_zip(
            lambda folder: formats.write_doccano_folder(folder, records, source=source)
        )
    if name == "label_studio":
        return formats.label_studio_json(records, source=source)
    if name == "label_studio_config":
        return iter([formats.label_studio_config(project.schema)])
    if name == "brat":
        return archives.folder_zip(
            lambda folder: formats.write_brat_folder(folder, records, schema=project.schema, source=source)
        )
    if name == "hf":
        return archives.hf_zip(project, records)
    raise ValueError(f"unknown export format {name!r}")


def _counted(records: Iterable[PassageRecord], progress: rendered.Progress) -> Iterator[PassageRecord]:
    """``records`` as they are, telling ``progress`` the passages and claims (gold ones too) passed so far."""
    claims = 0
    for passages, record in enumerate(records, start=1):
        claims += len(record["claims"]) + len(record.get("gold") or ())
        progress(passages, claims)
        yield record


def _buffered(chunks: Iterable[str | bytes], size: int = BUFFER_BYTES) -> Iterator[bytes]:
    """UTF-8 bytes in blocks of about ``size``: fewer, larger writes to the socket or file."""
    parts: list[bytes] = []
    held = 0
    for chunk in chunks:
        data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
        if not data:
            continue
        parts.append(data)
        held += len(data)
        if held >= size:
            yield b"".join(parts)
            parts, held = [], 0
    if parts:
        yield b"".join(parts)


def export_file_name(project: Project, name: str) -> str:
    if name in FILE_NAMES:
        return FILE_NAMES[name].format(slug=project.slug)
    return f"{project.slug}-{name}.{FORMATS[name].extension}"


def export_stream(
    *,
    project: Project,
    format: str,
    filters: ExportFilters,
    records: Iterable[PassageRecord] | None = None,
    progress: rendered.Progress | None = None,
) -> tuple[Iterator[bytes], str, str]:
    """``(byte chunks, content type, file name)`` of the export; nothing is read until iterated.

    ``records`` replaces the database stream (the job passes a counting wrapper around it).
    """
    if format not in FORMATS:
        raise ValidationError({"format": f"Unknown format {format!r}; choose one of {', '.join(FORMATS)}."})
    if records is None and format in RENDERED_IN_DATABASE and rendered.renders_in_database():
        render = getattr(rendered, RENDERED_IN_DATABASE[format])
        chunks = render(project=project, filters=filters, progress=progress)
    else:
        if records is None:
            records = passage_records(project=project, filters=filters)
        if progress is not None:
            records = _counted(records, progress)
        chunks = _buffered(_writer(project, format, filters, records))
    return chunks, FORMATS[format].content_type, export_file_name(project, format)


def export_to_folder(*, project: Project, filters: ExportFilters, folder: Path) -> dict[str, dict[str, int]]:
    """Write the Hugging Face dataset folder itself (not a zip); returns the counts per split."""
    return formats.write_hf_dataset(
        folder,
        passage_records(project=project, filters=filters),
        schema=project.schema,
        schema_version=project.schema_version,
        agreement=latest_agreement(project=project),
        project_name=project.name,
        who_says_what=who_says_what_current(project=project),
    )


# Jobs ------------------------------------------------------------------------------------------------


def export_request_key(format: str, filters: ExportFilters) -> str:
    """The same digest for the same export however its lists were ordered."""
    parameters = filters.as_dict()
    canonical = {
        **parameters,
        "format": format,
        "documents": sorted(parameters["documents"]),
        "annotators": sorted(parameters["annotators"]),
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def export_job_request_or_join(
    *,
    project: Project,
    format: str,
    filters: ExportFilters,
    requested_by: AbstractBaseUser | None,
) -> tuple[ExportJob, bool]:
    """The user's queued or running job for the same export (False), else a new queued one (True).

    A partial unique index on (project, user, request key) over pending jobs makes concurrent identical
    requests meet on one job: the loser of the insert race reads the winner's row. The worker starts a new
    job once this transaction commits.
    """
    if format not in FORMATS:
        raise ValidationError({"format": f"Unknown format {format!r}; choose one of {', '.join(FORMATS)}."})
    key = export_request_key(format, filters)
    for _ in range(3):  # a pending job may finish between the insert that met it and the read
        pending = _pending_export(project=project, requested_by=requested_by, key=key)
        if pending is not None:
            return pending, False
        try:
            with transaction.atomic():
                job = ExportJob.objects.create(
                    project=project,
                    requested_by=requested_by,
                    format=format,
                    parameters=filters.as_dict(),
                    schema_version=project.schema_version,
                    request_key=key,
                )
        except IntegrityError:
            continue
        # Sent after commit; when the broker is down the job waits and the reaper sends it later.
        transaction.on_commit(lambda job_id=job.pk: job_send(EXPORT_JOB, job_id))
        return job, True
    raise RuntimeError("Could not queue the export job; try again.")


def export_job_request(
    *,
    project: Project,
    format: str,
    filters: ExportFilters,
    requested_by: AbstractBaseUser | None,
) -> ExportJob:
    """Queue an export job, or join the same user's identical job still queued or running."""
    job, _ = export_job_request_or_join(
        project=project, format=format, filters=filters, requested_by=requested_by
    )
    return job


def _pending_export(*, project: Project, requested_by: AbstractBaseUser | None, key: str) -> ExportJob | None:
    if requested_by is None:
        return None  # nobody to share with: a command's request always runs
    return (
        ExportJob.objects.select_related("project")
        .filter(
            project=project,
            requested_by=requested_by,
            request_key=key,
            status__in=[RunStatus.QUEUED, RunStatus.RUNNING],
        )
        .first()
    )


class _Progress:
    """Takes the passages and claims streamed so far and reports progress on the job row now and then."""

    def __init__(self, job_id: int, total: int, report: Callable[[int, int], None] | None = None) -> None:
        self.job_id, self.total = job_id, max(total, 1)
        self.passages = self.claims = 0
        self.last = time.monotonic()
        self.report = report or self._save

    def __call__(self, passages: int, claims: int) -> None:
        self.passages, self.claims = passages, claims
        if time.monotonic() - self.last >= PROGRESS_EVERY_SECONDS:
            self.last = time.monotonic()
            self.report(min(99, 100 * self.passages // self.total), self.claims)

    def _save(self, progress: int, rows: int) -> None:
        ExportJob.objects.filter(pk=self.job_id, status=RunStatus.RUNNING).update(
            progress=progress, rows=rows, heartbeat_at=timezone.now()
        )


def export_job_execute(*, job_id: int) -> ExportJob | None:
    """Run a queued export job: write its file under MEDIA_ROOT/exports/, then mark it succeeded or failed.

    Returns None when another worker has the job. Safe to run twice: the file is written under a
    temporary name and renamed into place. A database outage puts the job back in the queue and re-raises
    (the task retries); any other error fails the job with the error text.
    """
    if not job_claim(ExportJob, job_id, progress=0):
        return None
    job = ExportJob.objects.select_related("project").get(pk=job_id)
    try:
        name, filters = export_options({**job.parameters, "format": job.format})
        progress = _Progress(job.pk, passage_count(project=job.project, filters=filters))
        chunks, _, file_name = export_stream(
            project=job.project, format=name, filters=filters, progress=progress
        )
        relative = f"{EXPORT_DIR}/{job.pk}-{file_name}"
        write_export(Path(settings.MEDIA_ROOT) / relative, chunks)
    except OperationalError:
        ExportJob.objects.filter(pk=job.pk, status=RunStatus.RUNNING).update(status=RunStatus.QUEUED)
        raise
    except Exception as error:  # any failure is reported on the job, not lost in a log
        ExportJob.objects.filter(pk=job.pk).update(
            status=RunStatus.FAILED, error=_error_text(error), finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    ExportJob.objects.filter(pk=job.pk).update(
        status=RunStatus.SUCCEEDED,
        progress=100,
        rows=progress.claims,
        file=relative,
        error="",
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)[:2000]
    return f"{type(error).__name__}: {error}"[:2000]


def write_export(path: Path, chunks: Iterable[bytes]) -> None:
    """Write ``chunks`` to ``path`` under a temporary name, then rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle: IO[bytes]
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=PARTIAL_PREFIX, delete=False) as handle:
        try:
            for chunk in chunks:
                handle.write(chunk)
        except BaseException:
            handle.close()
            os.unlink(handle.name)
            raise
    os.chmod(handle.name, 0o640)
    os.replace(handle.name, path)
