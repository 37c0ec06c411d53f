"""Export jobs: queued on commit, claimed once, written to MEDIA_ROOT/exports/, failures kept on the row."""

from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from annotator.agreement.models import RunStatus
from annotator.exports import services
from annotator.exports.models import ExportJob
from annotator.exports.selectors import ExportFilters
from annotator.exports.services import export_job_execute, export_job_request, export_stream
from annotator.jobs import STALE_AFTER

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def request_job(annotated, django_capture_on_commit_callbacks, name="csv", **filters) -> ExportJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_request(
            project=annotated.project,
            format=name,
            filters=ExportFilters(**filters),
            requested_by=annotated.people["res"],
        )
    job.refresh_from_db()
    return job


def test_a_job_runs_after_commit_and_leaves_the_same_file_the_stream_gives(
    annotated, django_capture_on_commit_callbacks, media_root
):
    job = request_job(annotated, django_capture_on_commit_callbacks, "csv", source="all")
    assert (job.status, job.progress, job.error) == (RunStatus.SUCCEEDED, 100, "")
    assert job.rows == len(annotated.submitted) + 1, "claims and the one gold claim"
    assert job.file.name == f"exports/{job.pk}-summits-csv.csv"
    chunks, _, _ = export_stream(project=annotated.project, format="csv", filters=ExportFilters(source="all"))
    assert (media_root / job.file.name).read_bytes() == b"".join(chunks)
    assert job.started_at <= job.finished_at
    assert job.parameters == {"documents": [], "annotators": [], "status": "submitted", "source": "all"}
    assert not list((media_root / "exports").glob(".partial-*"))


def test_a_job_claimed_already_is_not_run_again(annotated, django_capture_on_commit_callbacks):
    job = request_job(annotated, django_capture_on_commit_callbacks)
    assert export_job_execute(job_id=job.pk) is None
    running = ExportJob.objects.create(
        project=annotated.project, format="csv", status=RunStatus.RUNNING, heartbeat_at=timezone.now()
    )
    assert export_job_execute(job_id=running.pk) is None


def test_a_running_job_whose_worker_went_silent_is_taken_over(annotated):
    stale = ExportJob.objects.create(
        project=annotated.project,
        format="jsonl",
        status=RunStatus.RUNNING,
        heartbeat_at=timezone.now() - STALE_AFTER - timedelta(seconds=1),
    )
    assert export_job_execute(job_id=stale.pk).status == RunStatus.SUCCEEDED


def test_progress_is_reported_while_the_job_runs(annotated, monkeypatch):
    reports = []
    monkeypatch.setattr(services, "PROGRESS_EVERY_SECONDS", 0)
    original = services._Progress._save

    def spy(self, progress, rows):
        reports.append((ExportJob.objects.get(pk=self.job_id).status, progress, rows))
        original(self, progress, rows)

    monkeypatch.setattr(services._Progress, "_save", spy)
    job = ExportJob.objects.create(project=annotated.project, format="jsonl", parameters={"status": "all"})
    export_job_execute(job_id=job.pk)
    assert reports and all(status == RunStatus.RUNNING for status, _, _ in reports)
    assert [p for _, p, _ in reports] == sorted(p for _, p, _ in reports) and reports[-1][1] <= 99


def test_a_failing_export_marks_the_job_failed_with_the_error_and_leaves_no_file(annotated, media_root):
    job = ExportJob.objects.create(project=annotated.project, format="csv")
    fire = RuntimeError("disk on fire")
    # The CSV writer: PostgreSQL's rendering, or the Python one on other databases.
    with (
        mock.patch("annotator.exports.rendered.csv_chunks", side_effect=fire),
        mock.patch("annotator.exports.formats.csv_claims", side_effect=fire),
    ):
        export_job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == RunStatus.FAILED and "disk on fire" in job.error and job.finished_at
    assert not job.file
    assert not list(media_root.rglob("*.csv")) and not list(media_root.rglob(".partial-*"))


def test_bad_parameters_fail_the_job_with_the_field_message(annotated):
    job = ExportJob.objects.create(project=annotated.project, format="csv", parameters={"status": "maybe"})
    export_job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == RunStatus.FAILED and "maybe" in job.error


def test_a_database_outage_puts_the_job_back_in_the_queue_for_the_retry(annotated):
    job = ExportJob.objects.create(project=annotated.project, format="csv")
    with (
        mock.patch("annotator.exports.services.passage_count", side_effect=OperationalError("gone")),
        pytest.raises(OperationalError),
    ):
        export_job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == RunStatus.QUEUED
    assert export_job_execute(job_id=job.pk).status == RunStatus.SUCCEEDED


def test_the_hf_job_writes_a_zip(annotated, django_capture_on_commit_callbacks, media_root):
    job = request_job(annotated, django_capture_on_commit_callbacks, "hf")
    assert job.status == RunStatus.SUCCEEDED
    assert (media_root / job.file.name).read_bytes()[:2] == b"PK"
