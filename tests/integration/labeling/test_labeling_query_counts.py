"""The annotate page and the claims list run a fixed number of SQL queries however many claims exist."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.corpus.services import speaker_create
from annotator.labeling.services import claim_create

pytestmark = pytest.mark.django_db


def add_claims(assignment, project, count: int) -> None:
    words = assignment.passage.text.split(" ")
    for i in range(count):
        speaker = speaker_create(project=project, name=f"Speaker {assignment.pk}-{i}", kind="person")
        # Claims nest and overlap: each starts at a word and runs to the end of the passage.
        start = len(" ".join(words[: i % len(words)])) + (1 if i % len(words) else 0)
        claim_create(
            assignment=assignment,
            start=start,
            end=len(assignment.passage.text),
            attribution="indirect",
            perspective="chinese",
            stance="favor",
            speaker_id=speaker.pk,
        )


def queries_for(fetch) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def few_and_many(assigned, assignment_of):
    few, many = assignment_of("ann1", 0), assignment_of("ann1", 1)
    add_claims(few, assigned, 1)
    add_claims(many, assigned, 30)
    return few, many


def test_the_annotate_page_costs_the_same_with_1_or_30_claims(client, members, assigned, few_and_many):
    few, many = few_and_many
    client.force_login(members["ann1"])
    url = "/projects/summits/annotate/{}/"
    client.get(url.format(few.pk))  # warm the session
    one = queries_for(lambda: client.get(url.format(few.pk)))
    thirty = queries_for(lambda: client.get(url.format(many.pk)))
    assert one == thirty
    assert thirty <= 12
    assert client.get(url.format(many.pk)).content.decode().count('"speaker": {"id"') == 30


@pytest.mark.parametrize("who", ["ann1", "rev"])
def test_the_claims_list_costs_the_same_with_1_or_30_claims(api_client, members, assigned, few_and_many, who):
    few, many = few_and_many
    api = api_client(members[who])
    one = queries_for(lambda: api.get(f"/api/v1/claims/?assignment={few.pk}"))
    thirty = queries_for(lambda: api.get(f"/api/v1/claims/?assignment={many.pk}"))
    assert one == thirty <= 4
    assert len(api.get(f"/api/v1/claims/?assignment={many.pk}").json()["results"]) == 30


def test_the_workspace_endpoint_costs_the_same_with_1_or_30_claims(api_client, members, few_and_many):
    few, many = few_and_many
    api = api_client(members["ann1"])
    one = queries_for(lambda: api.get(f"/api/v1/assignments/{few.pk}/"))
    thirty = queries_for(lambda: api.get(f"/api/v1/assignments/{many.pk}/"))
    assert one == thirty <= 8


def test_saving_a_claim_costs_a_fixed_handful_of_queries(
    api_client, members, assignment_of, claim_body, speaker
):
    api = api_client(members["ann1"])
    body = claim_body(assignment_of("ann1", 2), "short remark", attribution="indirect", speaker=speaker.pk)
    created = queries_for(lambda: _created(api.post("/api/v1/claims/", body, format="json")))
    claim = api.get(f"/api/v1/claims/?assignment={body['assignment']}").json()["results"][0]
    updated = queries_for(
        lambda: api.patch(f"/api/v1/claims/{claim['id']}/", {"version": 1, "stance": "favor"}, format="json")
    )
    assert created <= 8 and updated <= 8


def _created(response):
    assert response.status_code == 201, response.json()
    response.status_code = 200
    return response


def test_the_claims_list_pages_by_key_through_every_claim_once(api_client, members, assigned, few_and_many):
    few, many = few_and_many
    api = api_client(members["rev"])
    url, seen, pages = f"/api/v1/claims/?project={assigned.pk}&page_size=7", [], 0
    while url:
        body = api.get(url).json()
        assert "count" not in body, "no COUNT over the whole list"
        seen += [claim["id"] for claim in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 5 and seen == sorted(seen) and len(set(seen)) == 31
    own = api_client(members["ann2"]).get(f"/api/v1/claims/?project={assigned.pk}").json()
    assert own["results"] == [] and own["next"] is None
