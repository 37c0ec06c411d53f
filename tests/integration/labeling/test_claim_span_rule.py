"""The project's span rule on claim writes: service and API, create and re-span, switched by the schema."""

import pytest

from annotator.corpus.schema_services import schema_update
from annotator.labeling.models import Claim
from annotator.labeling.services import claim_create, claim_update
from tests.integration.labeling.conftest import make_claim_body

pytestmark = pytest.mark.django_db

SENTENCE = "Scholars focused on the bridge."


def service_fields(start: int, end: int) -> dict:
    return {
        "start": start,
        "end": end,
        "attribution": "authorial",
        "perspective": "chinese",
        "stance": "neutral",
    }


def test_a_new_claim_loses_surrounding_space_and_its_final_full_stop(assigned, assignment_of):
    assignment = assignment_of("ann1")
    start = assignment.passage.text.index(SENTENCE) - 1  # the space before the sentence too
    claim = claim_create(assignment=assignment, **service_fields(start, start + 1 + len(SENTENCE)))
    stored = Claim.objects.get(pk=claim.pk)
    assert stored.text == "Scholars focused on the bridge"
    assert (stored.start, stored.end) == (start + 1, start + len(SENTENCE))
    assert claim.span_adjusted == {
        "start": [start, start + 1],
        "end": [start + 1 + len(SENTENCE), stored.end],
    }


def test_a_span_the_rule_leaves_alone_reports_no_adjustment(assigned, assignment_of):
    assignment = assignment_of("ann1")
    start = assignment.passage.text.index("Scholars")
    claim = claim_create(assignment=assignment, **service_fields(start, start + len("Scholars")))
    assert claim.span_adjusted is None and claim.text == "Scholars"


def test_re_spanning_applies_the_rule_but_changing_a_label_leaves_an_old_span_alone(assigned, assignment_of):
    assignment = assignment_of("ann1")
    start = assignment.passage.text.index(SENTENCE)
    claim = claim_create(assignment=assignment, **service_fields(start, start + 8))
    # A claim saved before the rule existed, with its full stop: a label change must not move it.
    Claim.objects.filter(pk=claim.pk).update(end=start + len(SENTENCE), text=SENTENCE)
    claim.refresh_from_db()
    relabelled = claim_update(claim=claim, version=claim.version, stance="against")
    assert (relabelled.text, relabelled.span_adjusted) == (SENTENCE, None)
    respanned = claim_update(claim=relabelled, version=relabelled.version, end=start + len(SENTENCE))
    assert Claim.objects.get(pk=claim.pk).text == SENTENCE[:-1]
    assert respanned.span_adjusted == {
        "start": [start, start],
        "end": [start + len(SENTENCE), start + len(SENTENCE) - 1],
    }


def test_a_project_that_turns_the_rule_off_keeps_the_full_stop(assigned, assignment_of, members):
    schema_update(
        project=assigned,
        schema=assigned.schema | {"span_rule": {"trim_final_punctuation": False}},
        changed_by=members["man"],
    )
    assignment = assignment_of("ann1")
    start = assignment.passage.text.index(SENTENCE)
    claim = claim_create(assignment=assignment, **service_fields(start, start + len(SENTENCE)))
    assert (claim.text, claim.span_adjusted) == (SENTENCE, None)


def test_the_api_response_says_where_the_rule_moved_the_edges(assigned, assignment_of, api_client, members):
    client = api_client(members["ann1"])
    assignment = assignment_of("ann1", 1)
    body = make_claim_body(assignment, "Others disagreed.")
    created = client.post("/api/v1/claims/", body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["text"], data["end"]) == ("Others disagreed", body["end"] - 1)
    assert data["span_adjusted"] == {
        "start": [body["start"], body["start"]],
        "end": [body["end"], body["end"] - 1],
    }
    # Sending the saved span again moves nothing; a read never reports an adjustment.
    patched = client.patch(
        f"/api/v1/claims/{data['id']}/",
        {"version": data["version"], "start": data["start"], "end": data["end"]},
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    assert patched.json()["span_adjusted"] is None
    assert client.get(f"/api/v1/claims/{data['id']}/").json()["span_adjusted"] is None
