"""Article import jobs: claimed once, taken over from a silent worker, run by a real Celery worker."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from annotator.corpus.article_jobs import article_import_execute, article_import_request
from annotator.corpus.models import ArticleImportJob, Document, JobStatus
from annotator.jobs import STALE_AFTER
from tests.integration.agreement.test_worker import (  # noqa: F401  (fixtures)
    on_redis,
    queue,
    start_worker,
    wait_for,
)

REPO = Path(__file__).resolve().parents[3]
SEEDS = sorted((REPO / "seeds").glob("*.txt"))


def seed_files() -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(path.name, path.read_bytes()) for path in SEEDS]


@pytest.fixture
def media_root(settings, tmp_path, monkeypatch) -> Path:
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setenv("MEDIA_ROOT", str(tmp_path))  # the worker processes read it from the environment
    return tmp_path


@pytest.mark.django_db
def test_the_request_keeps_the_files_under_media_root_by_job_id(project, members, media_root):
    job = article_import_request(project=project, files=seed_files(), requested_by=members["man"])
    assert job.status == JobStatus.QUEUED
    assert [f["name"] for f in job.files] == [p.name for p in SEEDS]
    for index, kept in enumerate(job.files):
        assert kept["path"] == f"article-imports/{job.pk}/{index:04d}.txt"
        assert (media_root / kept["path"]).read_bytes() == SEEDS[index].read_bytes()


@pytest.mark.django_db
def test_a_job_is_claimed_once_and_a_silent_workers_job_is_taken_over(project, members, media_root):
    job = article_import_request(project=project, files=seed_files(), requested_by=members["man"])
    ArticleImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, heartbeat_at=timezone.now())
    assert article_import_execute(job_id=job.pk) is None  # another worker is alive and has it
    # That worker died after the first file (its outcome saved), and has been silent since.
    first = {"name": SEEDS[0].name, "documents": 1, "passages": 26, "furniture": 12, "skipped_duplicates": 0}
    ArticleImportJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - STALE_AFTER - timedelta(seconds=1),
        summary={"files": [first | {"error": ""}]},
    )
    done = article_import_execute(job_id=job.pk)
    assert done.status == JobStatus.SUCCEEDED and done.progress == 100
    assert [f["passages"] for f in done.summary["files"]] == [26, 37]
    assert Document.objects.count() == 1  # the first file was not imported again
    assert article_import_execute(job_id=job.pk) is None  # finished: nothing to claim


@pytest.mark.django_db
def test_a_bad_file_in_a_job_is_reported_per_file(project, members, media_root):
    files = [*seed_files(), SimpleUploadedFile("bad.jsonl", b'{"text": "fine"}\n{broken\n')]
    job = article_import_request(project=project, files=files, requested_by=members["man"])
    done = article_import_execute(job_id=job.pk)
    assert done.status == JobStatus.SUCCEEDED
    assert "bad.jsonl, line 2" in done.summary["files"][2]["error"]
    assert done.summary["documents"] == 2 and done.summary["failed_files"] == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_a_queued_upload(project, members, media_root, queue, start_worker):  # noqa: F811
    with on_redis(queue):
        job = article_import_request(project=project, files=seed_files(), requested_by=members["man"])
        worker = start_worker()
        wait_for(
            lambda: ArticleImportJob.objects.get(pk=job.pk).status in (JobStatus.SUCCEEDED, JobStatus.FAILED),
            timeout=60, what="the import job", logs=[worker],
        )  # fmt: skip
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.summary["passages"] == 63 and job.summary["furniture"] == 18
    assert job.started_at and job.heartbeat_at and job.finished_at
    assert Document.objects.filter(project=project).count() == 2
    assert "article_import_execute" in Path(worker.log_path).read_text()
