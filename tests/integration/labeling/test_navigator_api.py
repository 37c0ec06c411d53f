"""The navigator's list (GET /api/v1/assignments/?project=ID): filters, numbering and a fixed query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import
from annotator.labeling.assignment_services import assignment_flag, assignment_submit, assignments_distribute
from annotator.labeling.models import Assignment
from annotator.labeling.services import claim_create

pytestmark = pytest.mark.django_db


def listed(api, **params) -> list[dict]:
    response = api.get("/api/v1/assignments/", params)
    assert response.status_code == 200
    return response.json()["results"]


def claim_on(assignment, phrase: str) -> None:
    start = assignment.passage.text.index(phrase)
    claim_create(
        assignment=assignment,
        start=start,
        end=start + len(phrase),
        attribution="authorial",
        perspective="chinese",
        stance="neutral",
    )


def test_an_annotator_lists_their_own_passages_in_document_order(api_client, members, assigned):
    items = listed(api_client(members["ann1"]), project=assigned.pk)
    assert [item["passage_number"] for item in items] == [1, 2, 3]
    assert {item["annotator"] for item in items} == {"ann1"}
    first = items[0]
    assert first["document_title"] == "Summit watch"
    for field in ("passage", "document", "status", "claim_count", "flag_reason", "active_seconds"):
        assert field in first


def test_the_list_counts_claims_and_filters_by_status_flag_document_and_text(
    api_client, members, assigned, assignment_of
):
    claim_on(assignment_of("ann1", 0), "Officials")
    claim_on(assignment_of("ann1", 0), "Scholars")
    assignment_submit(assignment=assignment_of("ann1", 0))
    assignment_flag(assignment=assignment_of("ann1", 2), reason="unclear", note="")
    api = api_client(members["ann1"])

    assert [i["claim_count"] for i in listed(api, project=assigned.pk)] == [2, 0, 0]
    assert [i["passage_number"] for i in listed(api, project=assigned.pk, status="submitted")] == [1]
    assert [i["passage_number"] for i in listed(api, project=assigned.pk, flagged="true")] == [3]
    assert [i["flag_reason"] for i in listed(api, project=assigned.pk, flagged="true")] == ["unclear"]
    assert [i["passage_number"] for i in listed(api, project=assigned.pk, flagged="false")] == [1, 2]
    assert [i["passage_number"] for i in listed(api, project=assigned.pk, q="WANG JUNSHENG")] == [2]
    document = assignment_of("ann1").passage.document_id
    assert len(listed(api, project=assigned.pk, document=document)) == 3
    assert listed(api, project=assigned.pk, document=document + 999) == []


def test_another_annotators_passages_are_not_listed(api_client, members, assigned, assignment_of):
    assignment_flag(assignment=assignment_of("ann2", 0), reason="unclear", note="")
    assert listed(api_client(members["ann1"]), project=assigned.pk, flagged="true") == []


def add_documents(project, count: int) -> None:
    records = [
        ArticleRecord(title=f"Extra {i}", text=f"Extra {i}\n\nFirst part {i}.\n\nSecond part {i}.\n")
        for i in range(count)
    ]
    documents_import(project=project, records=records)
    assignments_distribute(project=project)


def queries_for(fetch) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert response.status_code == 200
    return len(captured)


def test_the_list_costs_the_same_with_3_or_13_passages(api_client, members, assigned, assignment_of):
    api = api_client(members["ann1"])
    claim_on(assignment_of("ann1", 0), "Officials")
    url = f"/api/v1/assignments/?project={assigned.pk}&flagged=false&q=e"
    few = queries_for(lambda: api.get(url))
    add_documents(assigned, 10)
    many = queries_for(lambda: api.get(url))
    assert few == many <= 2  # the page and the session user: no COUNT
    assert len(api.get(url).json()["results"]) == 13


def test_the_list_pages_by_key_in_document_order(api_client, members, assigned):
    api = api_client(members["ann1"])
    add_documents(assigned, 10)
    url = f"/api/v1/assignments/?project={assigned.pk}&annotator=ann1&page_size=5"
    seen, pages = [], 0
    while url:
        body = api.get(url).json()
        assert "count" not in body  # nothing counted over the whole list
        seen += [(row["document"], row["position"]) for row in body["results"]]
        url, pages = body["next"], pages + 1
    total = Assignment.objects.filter(project=assigned, annotator=members["ann1"]).count()
    assert total > 10 and pages == -(-total // 5) and len(seen) == total
    assert seen == sorted(seen)  # document order across page boundaries
    last = api.get(f"/api/v1/assignments/?project={assigned.pk}&annotator=ann1&page_size={total}").json()
    assert len(last["results"]) == total and last["next"] is None
    empty = api.get(f"/api/v1/assignments/?project={assigned.pk}&q=no-such-words-anywhere").json()
    assert empty == {"next": None, "previous": None, "results": []}
