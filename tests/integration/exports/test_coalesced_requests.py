"""Identical export requests by one user share the job that is still queued or running."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from annotator.agreement.models import RunStatus
from annotator.celery import app
from annotator.exports.models import ExportJob
from annotator.exports.selectors import ExportFilters
from annotator.exports.services import export_job_request_or_join, export_request_key

BODY = {"format": "csv", "source": "all", "documents": [], "annotators": ["ann2", "ann1"]}


@pytest.fixture
def queued_only():
    """Sent jobs wait in the in-memory broker instead of running in the request, as behind a busy worker."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = eager


def post_export(user, project, **changes):
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/v1/exports/", {"project": project.pk, **BODY, **changes}, format="json")


@pytest.mark.django_db
def test_five_identical_requests_make_one_job(project, members, queued_only):
    responses = [post_export(members["res"], project) for _ in range(5)]

    assert [r.status_code for r in responses] == [202, 200, 200, 200, 200]
    assert len({r.json()["id"] for r in responses}) == 1
    assert ExportJob.objects.count() == 1


@pytest.mark.django_db
def test_the_order_of_listed_annotators_does_not_make_a_request_different(project, members, queued_only):
    first = post_export(members["res"], project)
    second = post_export(members["res"], project, annotators=["ann1", "ann2"])

    assert (first.status_code, second.status_code) == (202, 200)
    assert first.json()["id"] == second.json()["id"]


@pytest.mark.django_db
def test_other_parameters_another_user_or_a_finished_job_make_a_new_job(project, members, queued_only):
    first = post_export(members["res"], project)
    other_format = post_export(members["res"], project, format="jsonl")
    other_user = post_export(members["rev"], project)
    ExportJob.objects.filter(pk=first.json()["id"]).update(status=RunStatus.SUCCEEDED)
    after_it_finished = post_export(members["res"], project)

    assert [r.status_code for r in (first, other_format, other_user, after_it_finished)] == [202] * 4
    assert ExportJob.objects.count() == 4


@pytest.mark.django_db
def test_the_database_holds_one_pending_job_per_request(project, members):
    filters = ExportFilters(source="all")
    job, created = export_job_request_or_join(
        project=project, format="csv", filters=filters, requested_by=members["res"]
    )
    assert created
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportJob.objects.create(
            project=project,
            requested_by=members["res"],
            format="csv",
            request_key=export_request_key("csv", filters),
        )


@pytest.mark.django_db(transaction=True)
def test_five_concurrent_identical_requests_make_one_job(project, members, queued_only):
    start = threading.Barrier(5)
    statuses: list[int] = []
    ids: set[int] = set()

    def request() -> None:
        try:
            start.wait()
            response = post_export(members["res"], project)
            statuses.append(response.status_code)
            ids.add(response.json()["id"])
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(statuses) == [200, 200, 200, 200, 202]
    assert len(ids) == 1
    assert ExportJob.objects.count() == 1
