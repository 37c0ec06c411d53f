"""A project's history (researchers, reviewers, managers): deleted claims stay readable; filters by
entity, entity id and actor; keyset pages; a passage's gold history for reviewers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.review.services import adjudication_save
from tests.integration.history.conftest import claim_body

pytestmark = pytest.mark.django_db

SIGNAL = "the summit was a signal to Washington"


@pytest.fixture
def deleted_claim(api_for, members, assignment_of):
    api = api_for(members["ann1"])
    claim = api.post("/api/v1/claims/", claim_body(assignment_of("ann1"), SIGNAL), format="json").json()
    api.patch(f"/api/v1/claims/{claim['id']}/", {"version": 1, "note": "doubtful"}, format="json")
    assert api.delete(f"/api/v1/claims/{claim['id']}/?version=2").status_code == 204
    return claim


def url(project, query: str = "") -> str:
    return f"/api/v1/projects/{project.pk}/history/{query}"


def test_a_deleted_claims_history_stays_readable_by_reviewers(api_for, members, assigned, deleted_claim):
    api = api_for(members["rev"])
    assert api.get(f"/api/v1/claims/{deleted_claim['id']}/history/").status_code == 404
    response = api.get(url(assigned, f"?entity=claim&entity_id={deleted_claim['id']}"))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["action"] for r in rows] == ["delete", "update", "create"]
    assert rows[0]["before"]["note"] == "doubtful" and rows[0]["actor"] == "ann1"


@pytest.mark.parametrize(
    ("who", "status"), [("rev", 200), ("res", 200), ("man", 200), ("ann1", 404), ("outsider", 404)]
)
def test_who_reads_a_projects_history(api_for, members, assigned, deleted_claim, who, status):
    response = api_for(members[who]).get(url(assigned))
    assert response.status_code == status
    if status == 404:
        assert SIGNAL not in response.content.decode()


def test_filters_by_actor_and_kind_and_pages_by_key(api_for, members, assigned, deleted_claim, speakers):
    api = api_for(members["rev"])
    by_ann1 = api.get(url(assigned, "?actor=ann1")).json()["results"]
    assert {r["actor"] for r in by_ann1} == {"ann1"} and len(by_ann1) == 3
    speakers_only = api.get(url(assigned, "?entity=speaker")).json()["results"]
    assert {r["entity"] for r in speakers_only} == {"speaker"} and len(speakers_only) == 2
    first = api.get(url(assigned, "?page_size=2")).json()
    second = api.get(first["next"]).json()
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 4


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?entity=planet", "entity"),
        ("?entity_id=²", "entity_id"),
        ("?entity_id=0", "entity_id"),
        ("?actor=nobody", "actor"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(api_for, members, assigned, query, field):
    response = api_for(members["rev"]).get(url(assigned, query))
    assert response.status_code == 400
    assert field in response.json()


def test_a_page_of_history_costs_the_same_queries_for_3_or_30_changes(
    api_for, members, assigned, assignment_of
):
    api = api_for(members["ann1"])
    reviewer = api_for(members["rev"])
    claim = api.post("/api/v1/claims/", claim_body(assignment_of("ann1"), SIGNAL), format="json").json()

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert reviewer.get(url(assigned)).status_code == 200
            assert reviewer.get(f"/api/v1/claims/{claim['id']}/history/").status_code == 200
        return len(captured)

    few = count()
    for version in range(1, 28):
        api.patch(
            f"/api/v1/claims/{claim['id']}/", {"version": version, "note": f"n{version}"}, format="json"
        )
    assert count() == few


def test_a_passages_gold_history_is_for_reviewers(api_for, members, assigned, assignment_of):
    passage = assignment_of("ann1").passage
    start = passage.text.index(SIGNAL)
    gold = {"start": start, "end": start + len(SIGNAL), "attribution": "authorial", "perspective": "chinese"}
    adjudication_save(
        passage=passage, reviewer=members["rev"], version=0, claims=[{**gold, "stance": "neutral"}]
    )
    adjudication_save(
        passage=passage, reviewer=members["man"], version=1, claims=[{**gold, "stance": "favor"}]
    )
    response = api_for(members["rev"]).get(f"/api/v1/review-passages/{passage.pk}/history/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["action"], r["version"], r["actor"]) for r in rows] == [
        ("update", 2, "man"),
        ("create", 1, "rev"),
    ]
    assert rows[0]["before"]["claims"][0]["stance"] == "neutral"
    assert api_for(members["ann1"]).get(f"/api/v1/review-passages/{passage.pk}/history/").status_code == 404


@pytest.mark.parametrize("which", ["claim", "project"])
def test_the_history_reads_are_index_scans(assigned, deleted_claim, which):
    from annotator.history.selectors import changes_of, project_changes

    changes = (
        changes_of(entity="claim", entity_id=deleted_claim["id"])
        if which == "claim"
        else project_changes(project_id=assigned.pk)
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: make the planner show its index
        plan = changes[:50].explain()
    assert ("change_of_entity" if which == "claim" else "change_project_recent") in plan, plan
