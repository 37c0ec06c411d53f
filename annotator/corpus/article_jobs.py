"""Article uploads: small ones import at once, large ones become an ``ArticleImportJob`` a worker runs.

``articles_upload`` decides by the upload's total size (``settings.ARTICLE_IMPORT_JOB_BYTES``);
``article_import_request`` keeps the files under ``MEDIA_ROOT/article-imports/<job id>/`` and queues the
task; ``article_import_execute`` claims the job (queued → running, or running with a silent worker) and
imports file after file, saving each file's outcome as it goes so that a worker taking over a dead one's
job does not import a file twice.
"""

import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import OperationalError, transaction
from django.utils import timezone

from annotator.corpus.article_uploads import (
    ArticleFile,
    UploadSummary,
    article_file_import,
    articles_import_now,
    display_name,
    upload_sizes_check,
)
from annotator.corpus.models import ArticleImportJob, JobStatus, Project
from annotator.jobs import ARTICLE_IMPORT_JOB, job_claim, job_send

IMPORT_DIR = "article-imports"


def job_threshold_bytes() -> int:
    """Uploads larger than this in all are imported by a worker; the page polls the job."""
    return settings.ARTICLE_IMPORT_JOB_BYTES


@dataclass(frozen=True)
class StoredFile:
    """An uploaded file the job kept on disk; reads like an UploadedFile for the importer."""

    name: str
    path: Path

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def chunks(self) -> Iterator[bytes]:
        with self.path.open("rb") as handle:
            while block := handle.read(1 << 20):
                yield block


def articles_upload(
    *, project: Project, files: Sequence[ArticleFile], requested_by: AbstractBaseUser | None
) -> UploadSummary | ArticleImportJob:
    """Import the files now (the summary) or, over the job threshold in all, queue a job (the job row).

    Raises ImportRefused (HTTP 413) if any file is over the per-file limit; then nothing is written.
    """
    upload_sizes_check(files)
    if sum(upload.size for upload in files) > job_threshold_bytes():
        return article_import_request(project=project, files=files, requested_by=requested_by)
    return articles_import_now(project=project, files=files)


def article_import_request(
    *, project: Project, files: Sequence[ArticleFile], requested_by: AbstractBaseUser | None
) -> ArticleImportJob:
    """Keep the files under MEDIA_ROOT/article-imports/<job id>/ and queue the import once this commits."""
    upload_sizes_check(files)
    with transaction.atomic():
        job = ArticleImportJob.objects.create(project=project, requested_by=requested_by)
        folder = Path(settings.MEDIA_ROOT) / IMPORT_DIR / str(job.pk)
        try:
            job.files = [_keep(folder, index, upload) for index, upload in enumerate(files)]
            job.save(update_fields=["files"])
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        transaction.on_commit(lambda: job_send(ARTICLE_IMPORT_JOB, job.pk))  # the reaper resends if need be
    return job


def _keep(folder: Path, index: int, upload: ArticleFile) -> dict[str, str]:
    """Write one upload to disk under a name of our own (the client's name is only displayed)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = display_name(upload.name)
    suffix = PurePath(name).suffix.lower()
    suffix = suffix if suffix.isascii() and suffix[1:].isalnum() else ""
    target = folder / f"{index:04d}{suffix}"
    with target.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return {"name": name, "path": target.relative_to(settings.MEDIA_ROOT).as_posix()}


def article_import_execute(*, job_id: int) -> ArticleImportJob | None:
    """Import a queued job's files one by one, then mark it succeeded (summary) or failed (error text).

    Returns None when another worker has the job. Each file's outcome is saved with the heartbeat as soon
    as its transaction commits, so a worker that takes over skips the files already done. A database
    outage puts the job back in the queue and re-raises (the task retries).
    """
    if not job_claim(ArticleImportJob, job_id):
        return None
    job = ArticleImportJob.objects.select_related("project").get(pk=job_id)
    summary = UploadSummary.from_dict(job.summary or {})
    stored = [StoredFile(f["name"], Path(settings.MEDIA_ROOT) / f["path"]) for f in job.files]
    try:
        total = max(sum(f.size for f in stored), 1)
        done_bytes = sum(f.size for f in stored[: len(summary.files)])
        for upload in stored[len(summary.files) :]:
            summary.files.append(article_file_import(project=job.project, upload=upload))
            done_bytes += upload.size
            ArticleImportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                summary=summary.as_dict(),
                progress=min(99, 100 * done_bytes // total),
                heartbeat_at=timezone.now(),
            )
    except OperationalError:
        ArticleImportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(status=JobStatus.QUEUED)
        raise
    except Exception as error:  # any failure is reported on the job, not lost in a log
        ArticleImportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
        return job
    ArticleImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED,
        progress=100,
        summary=summary.as_dict(),
        error="",
        finished_at=timezone.now(),
    )
    shutil.rmtree(Path(settings.MEDIA_ROOT) / IMPORT_DIR / str(job.pk), ignore_errors=True)
    job.refresh_from_db()
    return job
