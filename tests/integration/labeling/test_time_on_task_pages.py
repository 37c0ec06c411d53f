"""Time on task where people read it: the managers' progress page (total and median per submitted passage)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotator.labeling.assignment_services import assignment_submit
from annotator.labeling.models import Assignment
from annotator.labeling.time_on_task import assignment_time_add

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def spend(username: str, seconds: list[int], *, submitted: int) -> None:
    """Give the annotator's first assignments these times; submit the first `submitted` of them."""
    rows = list(Assignment.objects.filter(annotator__username=username).order_by("pk"))
    for assignment, amount in zip(rows, seconds, strict=False):
        assignment_time_add(assignment_id=assignment.pk, annotator=assignment.annotator, seconds=amount)
    for assignment in rows[:submitted]:
        assignment_submit(assignment=assignment)


def test_progress_page_shows_total_and_median_per_submitted_passage(assigned, members):
    spend("ann1", [60, 300, 120], submitted=2)  # submitted: 60 and 300 → median 180; total 480
    response = client_of(members["man"]).get(f"/projects/{assigned.slug}/progress/")
    rows = {row.username: row for row in response.context["annotators"]}
    assert (rows["ann1"].active_seconds, rows["ann1"].median_seconds) == (480, 180)
    assert (rows["ann2"].active_seconds, rows["ann2"].median_seconds) == (0, None)
    body = response.content.decode()
    assert "8 min 00 s" in body and "3 min 00 s" in body


def test_progress_page_queries_do_not_grow_with_recorded_time(assigned, members):
    client = client_of(members["man"])
    url = f"/projects/{assigned.slug}/progress/"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for name in ("ann1", "ann2", "ann3"):
        spend(name, [30, 40, 50], submitted=3)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)
