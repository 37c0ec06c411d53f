"""Agreement runs through the services: coalescing, claiming, reuse, failure, recovery, scheduling."""

import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.utils import timezone

from annotator.agreement import chunks, scheduling, services
from annotator.agreement.models import AgreementRun, RunStatus
from annotator.agreement.services import (
    MAX_ATTEMPTS,
    RunBusy,
    agreement_run_execute,
    agreement_run_request,
    agreement_runs_recover,
)
from annotator.labeling.assignment_services import assignment_submit
from annotator.labeling.models import Assignment, Claim
from annotator.labeling.services import claim_update
from tests.integration.agreement.broker import on_broker

pytestmark = pytest.mark.django_db


def queued(project, **parameters) -> AgreementRun:
    return agreement_run_request(project=project, parameters=parameters or None, enqueue=False)


def long_ago() -> timezone.datetime:
    return timezone.now() - services.stale_after() - timedelta(seconds=5)


def test_requests_coalesce_into_one_queued_run_per_project(small, members):
    first = agreement_run_request(project=small, requested_by=members["res"], enqueue=False)
    again = agreement_run_request(project=small, parameters={"n_boot": 50}, enqueue=False)
    automatic = agreement_run_request(project=small, countdown=30, enqueue=False)
    assert first.pk == again.pk == automatic.pk
    assert AgreementRun.objects.filter(project=small).count() == 1
    # explicit parameters replace the queued run's; an automatic refresh keeps them
    assert AgreementRun.objects.get(pk=first.pk).parameters == {"n_boot": 50, "seed": 0}


def test_without_a_broker_a_requested_run_is_computed_on_commit(
    small, members, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = agreement_run_request(project=small, requested_by=members["res"], parameters={"n_boot": 20})
    run.refresh_from_db()  # in production the callback runs as the service's transaction commits
    assert run.status == RunStatus.SUCCEEDED and run.progress == 100 and run.attempts == 1
    assert run.results["report"]["counts"]["annotators"] == 3
    assert run.results["annotators"] == {str(members[n].pk): n for n in ("ann1", "ann2", "ann3")}
    assert run.results["input"]["claims"] == Claim.objects.count()
    assert set(run.timings) >= {"waited", "load", "compute", "total"}
    assert run.started_at and run.finished_at and len(run.input_digest) == 64


def test_a_run_is_computed_once_however_often_its_task_arrives(small):
    run = queued(small, n_boot=0)
    assert agreement_run_execute(run_id=run.pk).status == RunStatus.SUCCEEDED
    finished = AgreementRun.objects.get(pk=run.pk)
    assert agreement_run_execute(run_id=run.pk) is None  # a duplicate message: nothing to do
    assert AgreementRun.objects.get(pk=run.pk).finished_at == finished.finished_at
    assert AgreementRun.objects.get(pk=run.pk).attempts == 1


def test_an_unchanged_input_reuses_the_last_result_and_any_edit_recomputes(small):
    first = agreement_run_execute(run_id=queued(small, n_boot=30).pk)
    second = agreement_run_execute(run_id=queued(small, n_boot=30).pk)
    assert second.reused_from_id == first.pk and second.results == first.results
    assert second.input_digest == first.input_digest and "compute" not in second.timings
    third = agreement_run_execute(run_id=queued(small, n_boot=30).pk)
    assert third.reused_from_id == first.pk  # points at the computation, not at the copy

    other_parameters = agreement_run_execute(run_id=queued(small, n_boot=31).pk)
    assert other_parameters.reused_from_id is None

    claim = Claim.objects.select_related("assignment__passage__document__project").order_by("id").first()
    claim_update(claim=claim, version=claim.version, end=claim.end - 1)
    edited = agreement_run_execute(run_id=queued(small, n_boot=30).pk)
    assert edited.reused_from_id is None and edited.input_digest != first.input_digest
    assert "compute" in edited.timings


def test_a_run_held_by_a_live_worker_is_left_alone(small):
    run = queued(small)
    AgreementRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, attempts=1, heartbeat_at=timezone.now()
    )
    with pytest.raises(RunBusy) as busy:
        agreement_run_execute(run_id=run.pk)
    assert 1 < busy.value.retry_in <= services.stale_after().total_seconds() + 2
    assert AgreementRun.objects.get(pk=run.pk).attempts == 1


def test_a_run_whose_worker_fell_silent_is_taken_over(small):
    run = queued(small, n_boot=0)
    AgreementRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, attempts=1, heartbeat_at=long_ago()
    )
    done = agreement_run_execute(run_id=run.pk)
    assert done.status == RunStatus.SUCCEEDED and done.attempts == 2


def test_a_worker_that_was_replaced_writes_nothing(small, monkeypatch):
    run = queued(small, n_boot=0)
    real_report = services.run_results

    def replaced_meanwhile(*args, **kwargs):
        # another worker took the run over while this one was computing
        AgreementRun.objects.filter(pk=run.pk).update(attempts=2, heartbeat_at=timezone.now())
        return real_report(*args, **kwargs)

    monkeypatch.setattr(services, "run_results", replaced_meanwhile)
    assert agreement_run_execute(run_id=run.pk) is None
    after = AgreementRun.objects.get(pk=run.pk)
    assert after.status == RunStatus.RUNNING and after.results is None


def test_an_error_in_the_computation_fails_the_run_with_its_message(small, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("claims lack column(s): stance")

    monkeypatch.setattr(services, "run_results", broken)
    run = agreement_run_execute(run_id=queued(small).pk)
    assert run.status == RunStatus.FAILED and run.attempts == 1
    assert run.error == "ValueError: claims lack column(s): stance"


def test_a_transient_database_error_gives_the_claim_back_for_the_retry(small, monkeypatch):
    run = queued(small, n_boot=0)

    def flaky(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "load_project_input", flaky)  # the whole project (SQLite)
    monkeypatch.setattr(chunks, "load_project_input", flaky)  # its documents' (PostgreSQL)
    with pytest.raises(OperationalError):
        agreement_run_execute(run_id=run.pk)
    released = AgreementRun.objects.get(pk=run.pk)
    assert released.status == RunStatus.RUNNING and released.heartbeat_at is None
    monkeypatch.undo()
    assert agreement_run_execute(run_id=run.pk).attempts == 2  # the retry claims it at once


def test_the_reaper_requeues_silent_runs_and_resends_them(small, django_capture_on_commit_callbacks):
    run = queued(small, n_boot=0)
    AgreementRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, attempts=1, heartbeat_at=long_ago()
    )
    with django_capture_on_commit_callbacks(execute=True) as sent:
        assert agreement_runs_recover() == 1
    assert len(sent) == 1  # a new message, run eagerly here (no broker)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.attempts == 2


def test_the_reaper_leaves_live_runs_alone_and_costs_two_queries(small, django_assert_num_queries):
    run = queued(small)
    AgreementRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, attempts=1, heartbeat_at=timezone.now()
    )
    with django_assert_num_queries(2):
        assert agreement_runs_recover(project_id=small.pk) == 0
    assert AgreementRun.objects.get(pk=run.pk).status == RunStatus.RUNNING


def test_the_reaper_fails_runs_that_killed_their_worker_too_often(small):
    run = queued(small)
    AgreementRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, attempts=MAX_ATTEMPTS, heartbeat_at=long_ago()
    )
    agreement_runs_recover()
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and f"after {MAX_ATTEMPTS} attempts" in run.error


def test_a_silent_run_gives_way_to_the_run_already_queued(small):
    silent = queued(small)
    AgreementRun.objects.filter(pk=silent.pk).update(
        status=RunStatus.RUNNING, attempts=1, heartbeat_at=long_ago()
    )
    waiting = AgreementRun.objects.create(project=small)
    agreement_runs_recover(project_id=small.pk)
    silent.refresh_from_db()
    waiting.refresh_from_db()
    assert waiting.pk != silent.pk and waiting.status == RunStatus.QUEUED
    assert silent.status == RunStatus.FAILED and "already queued" in silent.error


def test_the_reaper_resends_a_queued_run_whose_message_was_lost(small, django_capture_on_commit_callbacks):
    run = queued(small, n_boot=0)
    AgreementRun.objects.filter(pk=run.pk).update(
        created_at=long_ago() - timedelta(minutes=5), enqueued_at=None
    )
    with django_capture_on_commit_callbacks(execute=True) as sent:
        agreement_runs_recover(project_id=small.pk)
    assert len(sent) == 1
    assert AgreementRun.objects.get(pk=run.pk).status == RunStatus.SUCCEEDED


@pytest.mark.parametrize(
    "parameters", [{"n_boot": -1}, {"n_boot": "many"}, {"n_boot": True}, {"seed": 1.5}, {"colour": "red"}]
)
def test_bad_parameters_are_refused_with_a_field_message(small, parameters):
    with pytest.raises(ValidationError) as error:
        agreement_run_request(project=small, parameters=parameters, enqueue=False)
    assert set(error.value.message_dict) == set(parameters)
    assert not AgreementRun.objects.exists()


def test_submitting_a_passage_schedules_a_refresh(small, django_capture_on_commit_callbacks):
    assignment = Assignment.objects.select_related("passage__document__project").order_by("id").first()
    with django_capture_on_commit_callbacks(execute=True):
        assignment_submit(assignment=assignment)
    run = AgreementRun.objects.get(project=small)
    assert run.status == RunStatus.SUCCEEDED  # no broker: the countdown is moot, it ran in-process


def test_a_redis_outage_neither_fails_nor_holds_up_a_submission(small, django_capture_on_commit_callbacks):
    assignment = Assignment.objects.select_related("passage__document__project").order_by("id").first()
    started = time.monotonic()
    with on_broker("redis://127.0.0.1:1/0"):
        with django_capture_on_commit_callbacks(execute=True):
            assignment_submit(assignment=assignment)
        assert time.monotonic() - started < 1.0  # the task is sent from a thread; its failure is only logged
        for thread in threading.enumerate():
            if thread.name.startswith("agreement-enqueue-"):
                thread.join(timeout=30)
    run = AgreementRun.objects.get(project=small)
    assert run.status == RunStatus.QUEUED and run.enqueued_at is None  # the reaper will send it later
    assert Assignment.objects.get(pk=assignment.pk).version == assignment.version


def test_an_unreachable_broker_is_left_alone_for_a_while(small, caplog):
    run = queued(small)
    with on_broker("redis://127.0.0.1:2/0"):
        assert scheduling.send(run.pk) is False
        started = time.monotonic()
        assert scheduling.send(run.pk) is False  # skipped at once: no second connection timeout
        assert time.monotonic() - started < 0.1
    assert "left for the reaper" in caplog.text
