"""Retention on PostgreSQL: old finished export jobs go with their files, old agreement runs go except each
project's latest succeeded run (and the run it reused), and nothing queued or running is touched; the
worker's reaper runs both once per RETENTION_EVERY."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotator.agreement.models import AgreementRun, RunStatus
from annotator.agreement.retention import agreement_runs_expired_delete
from annotator.corpus.services import project_create
from annotator.exports.models import ExportJob
from annotator.exports.retention import exports_expired_delete, partial_exports_delete
from annotator.exports.services import write_export
from annotator.worker_steps import Reaper

pytestmark = pytest.mark.django_db

NOW = timezone.now()
OLD = NOW - timedelta(days=31)
RECENT = NOW - timedelta(days=29)
RESULTS = {"report": {}}


def export(project, media: Path, *, status: str, finished_at, name: str = "") -> ExportJob:
    job = ExportJob.objects.create(project=project, format="csv", status=status, finished_at=finished_at)
    if name:
        path = media / "exports" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("id,text\n")
        ExportJob.objects.filter(pk=job.pk).update(file=f"exports/{name}")
    return job


def run(project, *, status: str, finished_at, reused_from=None) -> AgreementRun:
    return AgreementRun.objects.create(
        project=project,
        status=status,
        finished_at=finished_at,
        results=RESULTS if status == RunStatus.SUCCEEDED else None,
        reused_from=reused_from,
    )


def test_old_finished_exports_go_with_their_files_and_pending_ones_stay(project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    old_file = export(project, tmp_path, status=RunStatus.SUCCEEDED, finished_at=OLD, name="1-old.csv")
    old_failed = export(project, tmp_path, status=RunStatus.FAILED, finished_at=OLD)
    recent = export(project, tmp_path, status=RunStatus.SUCCEEDED, finished_at=RECENT, name="2-new.csv")
    running = export(project, tmp_path, status=RunStatus.RUNNING, finished_at=None)
    queued = export(project, tmp_path, status=RunStatus.QUEUED, finished_at=None)
    ExportJob.objects.filter(pk__in=[running.pk, queued.pk]).update(created_at=OLD - timedelta(days=300))

    with CaptureQueriesContext(connection) as queries:
        deleted = exports_expired_delete(older_than_days=30, now=NOW)

    assert deleted == 2
    left = set(ExportJob.objects.values_list("pk", flat=True))
    assert left == {recent.pk, running.pk, queued.pk}
    assert old_file.pk not in left and old_failed.pk not in left
    assert not (tmp_path / "exports" / "1-old.csv").exists()
    assert (tmp_path / "exports" / "2-new.csv").exists()
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 1, deletes  # one statement for the batch, not one a row


def test_zero_days_keeps_exports_forever(project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    export(
        project, tmp_path, status=RunStatus.SUCCEEDED, finished_at=OLD - timedelta(days=3000), name="k.csv"
    )
    assert exports_expired_delete(older_than_days=0, now=NOW) == 0
    assert ExportJob.objects.count() == 1 and (tmp_path / "exports" / "k.csv").exists()


def test_old_runs_go_but_the_latest_succeeded_its_origin_and_pending_ones_stay(project):
    other = project_create(name="Other", slug="other")
    origin = run(project, status=RunStatus.SUCCEEDED, finished_at=OLD - timedelta(days=60))
    older = run(project, status=RunStatus.SUCCEEDED, finished_at=OLD - timedelta(days=30))
    failed = run(project, status=RunStatus.FAILED, finished_at=OLD - timedelta(days=1))
    # The latest succeeded run is itself old, and reused the figures of `origin`.
    latest = run(project, status=RunStatus.SUCCEEDED, finished_at=OLD, reused_from=origin)
    running = run(project, status=RunStatus.RUNNING, finished_at=None)
    recent_failed = run(project, status=RunStatus.FAILED, finished_at=RECENT)
    # Another project whose only runs are old: its latest succeeded stays, the older one goes.
    other_old = run(other, status=RunStatus.SUCCEEDED, finished_at=OLD - timedelta(days=10))
    other_latest = run(other, status=RunStatus.SUCCEEDED, finished_at=OLD - timedelta(days=5))
    AgreementRun.objects.filter(pk=running.pk).update(created_at=OLD - timedelta(days=300))

    deleted = agreement_runs_expired_delete(older_than_days=30, now=NOW)

    left = set(AgreementRun.objects.values_list("pk", flat=True))
    assert left == {origin.pk, latest.pk, running.pk, recent_failed.pk, other_latest.pk}
    assert deleted == 3 and {older.pk, failed.pk, other_old.pk}.isdisjoint(left)
    latest.refresh_from_db()
    assert latest.reused_from_id == origin.pk and latest.results == RESULTS


@pytest.mark.django_db(transaction=True)  # the pass closes its thread's connection, as in the worker
def test_the_reaper_cleans_once_per_retention_interval(project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EXPORT_RETENTION_DAYS = 30
    settings.AGREEMENT_RUN_RETENTION_DAYS = 30
    settings.RETENTION_EVERY = 3600
    export(project, tmp_path, status=RunStatus.SUCCEEDED, finished_at=OLD, name="3-old.csv")
    reaper = Reaper(worker=None, recover_every=10)

    reaper._retention_pass()
    assert not ExportJob.objects.exists() and not (tmp_path / "exports" / "3-old.csv").exists()

    export(project, tmp_path, status=RunStatus.SUCCEEDED, finished_at=OLD, name="4-old.csv")
    reaper._retention_pass()  # within the hour: not again
    assert ExportJob.objects.count() == 1


def test_a_partial_file_a_dead_worker_left_goes_once_nothing_wrote_to_it_for_a_day(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    folder = tmp_path / "exports"
    write_export(folder / "5-done.csv", [b"id,text\n"])
    abandoned, writing = folder / ".partial-abandoned", folder / ".partial-writing"
    abandoned.write_bytes(b"id,te")
    writing.write_bytes(b"id,text\n1,")
    two_days = (NOW - timedelta(days=2)).timestamp()
    for old in (abandoned, folder / "5-done.csv"):
        os.utime(old, (two_days, two_days))

    assert partial_exports_delete(now=NOW) == 1
    assert sorted(p.name for p in folder.iterdir()) == [".partial-writing", "5-done.csv"]
    settings.MEDIA_ROOT = tmp_path / "nothing exported yet"
    assert partial_exports_delete(now=NOW) == 0
