"""Time on task: the editor's active seconds add up on the annotator's own assignment, capped per report."""

import threading

import pytest
from django.db import connection
from django.test import Client

from annotator.labeling.models import Assignment
from annotator.labeling.time_on_task import MAX_INCREMENT_SECONDS, assignment_time_add

pytestmark = pytest.mark.django_db


def seconds_of(assignment: Assignment) -> int:
    return Assignment.objects.values_list("active_seconds", flat=True).get(pk=assignment.pk)


def test_reports_add_up_on_the_annotators_own_assignment(api_client, members, assignment_of):
    assignment = assignment_of("ann1")
    client = api_client(members["ann1"])
    first = client.post(f"/api/v1/assignments/{assignment.pk}/time/", {"seconds": 12}, format="json")
    second = client.post(f"/api/v1/assignments/{assignment.pk}/time/", {"seconds": 30}, format="json")
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == {"active_seconds": 42}
    assert seconds_of(assignment) == 42


def test_one_report_is_capped_so_a_broken_client_cannot_inflate_the_time(api_client, members, assignment_of):
    assignment = assignment_of("ann1")
    response = api_client(members["ann1"]).post(
        f"/api/v1/assignments/{assignment.pk}/time/", {"seconds": 100_000}, format="json"
    )
    assert response.status_code == 200
    assert seconds_of(assignment) == MAX_INCREMENT_SECONDS


@pytest.mark.parametrize("seconds", [-5, "soon", None])
def test_a_negative_or_missing_number_is_a_400_and_adds_nothing(api_client, members, assignment_of, seconds):
    assignment = assignment_of("ann1")
    body = {} if seconds is None else {"seconds": seconds}
    response = api_client(members["ann1"]).post(
        f"/api/v1/assignments/{assignment.pk}/time/", body, format="json"
    )
    assert response.status_code == 400
    assert seconds_of(assignment) == 0


@pytest.mark.parametrize("who", ["ann2", "man", "rev", "outsider"])
def test_anyone_but_the_annotator_gets_a_404_and_adds_nothing(api_client, members, assignment_of, who):
    assignment = assignment_of("ann1")
    response = api_client(members[who]).post(
        f"/api/v1/assignments/{assignment.pk}/time/", {"seconds": 10}, format="json"
    )
    assert response.status_code == 404
    assert seconds_of(assignment) == 0


def test_an_unknown_assignment_is_a_404(api_client, members, assigned):
    response = api_client(members["ann1"]).post(
        "/api/v1/assignments/999999/time/", {"seconds": 5}, format="json"
    )
    assert response.status_code == 404


def test_a_form_encoded_beacon_with_the_csrf_token_is_accepted(members, assignment_of):
    """sendBeacon cannot set headers: the editor sends the CSRF token as a form field."""
    assignment = assignment_of("ann1")
    client = Client(enforce_csrf_checks=True)
    client.force_login(members["ann1"])
    client.get("/")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    url = f"/api/v1/assignments/{assignment.pk}/time/"
    assert client.post(url, {"seconds": "7"}).status_code == 403
    assert client.post(url, {"seconds": "7", "csrfmiddlewaretoken": token}).status_code == 200
    assert seconds_of(assignment) == 7


@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_both_count(members, assigned):
    from tests.integration.labeling.conftest import find_assignment

    assignment = find_assignment("ann1")
    barrier = threading.Barrier(2)

    def report() -> None:
        try:
            barrier.wait()
            assignment_time_add(assignment_id=assignment.pk, annotator=members["ann1"], seconds=20)
        finally:
            connection.close()

    threads = [threading.Thread(target=report) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seconds_of(assignment) == 40
