"""The review REST API: queue, passage comparison, adjudication save (with 409) and speaker merge."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from annotator.review.models import GoldClaim
from tests.integration.review.builders import (
    ANXIOUS,
    TENSION,
    annotate,
    import_article,
    span_of,
    speaker,
    three_way_disagreement,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def disputed(project, members, seeded):
    return three_way_disagreement(project)


@pytest.fixture
def api(members):
    client = APIClient()
    client.force_authenticate(members["rev"])
    return client


def gold_body(passage, version, claims, phrases=((ANXIOUS, "neutral"),)):
    body = []
    for phrase, stance in phrases:
        start, end = span_of(passage, phrase)
        sources = [c.pk for cs in claims.values() for c in cs if c.start == start]
        body.append(
            {
                "start": start,
                "end": end,
                "attribution": "indirect",
                "perspective": "us_western",
                "stance": stance,
                "source_claim_ids": sources,
            }
        )
    return {"version": version, "note": "settled", "claims": body}


def test_the_queue_lists_passages_by_disagreement_with_counts(api, project, disputed):
    passage, _ = disputed
    response = api.get("/api/v1/review-queue/", {"project": project.pk})
    assert response.status_code == 200
    body = response.json()
    assert body["counts"] == {"reviewable": 1, "disagree": 1, "adjudicated": 0, "open": 1}
    (entry,) = body["results"]
    assert entry["passage"] == passage.pk and entry["annotators"] == ["ann1", "ann2", "ann3"]
    assert entry["differences"] == ["missing", "stance"] and entry["score"] > 0
    assert entry["adjudicated"] is False and body["count"] == 1


def test_queue_parameters_are_checked(api, project, disputed):
    assert api.get("/api/v1/review-queue/", {"project": project.pk, "status": "closed"}).status_code == 400
    assert api.get("/api/v1/review-queue/").status_code == 400
    assert api.get("/api/v1/review-queue/", {"project": 999999}).status_code == 404


def test_the_passage_comparison_and_a_save_then_a_stale_save(api, project, members, disputed):
    passage, claims = disputed
    review = api.get(f"/api/v1/review-passages/{passage.pk}/").json()
    assert review["version"] == 0 and len(review["rows"]) == 3
    url = f"/api/v1/review-passages/{passage.pk}/adjudication/"
    created = api.put(url, gold_body(passage, 0, claims), format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["version"] == 1 and created.json()["claims"][0]["stance"] == "neutral"
    updated = api.put(
        url, gold_body(passage, 1, claims, [(ANXIOUS, "against"), (TENSION, "against")]), format="json"
    )
    assert updated.status_code == 200 and updated.json()["version"] == 2
    other = APIClient()
    other.force_authenticate(members["man"])
    stale = other.put(url, gold_body(passage, 1, claims), format="json")
    assert stale.status_code == 409
    assert stale.json()["current"]["version"] == 2 and len(stale.json()["current"]["claims"]) == 2
    assert sorted(GoldClaim.objects.values_list("stance", flat=True)) == ["against", "against"]
    assert api.get(url).json()["version"] == 2


def test_bad_gold_claims_are_400_with_the_claim_and_field_named(api, disputed):
    passage, claims = disputed
    body = gold_body(passage, 0, claims, [(ANXIOUS, "furious")])
    response = api.put(f"/api/v1/review-passages/{passage.pk}/adjudication/", body, format="json")
    assert response.status_code == 400 and set(response.json()) == {"claims[0].stance"}
    response = api.put(f"/api/v1/review-passages/{passage.pk}/adjudication/", {"claims": []}, format="json")
    assert response.status_code == 400 and "version" in response.json()


def test_speaker_curation_lists_counts_and_suggestions_and_merges(api, project, disputed):
    full, short = speaker(project, "Antony Blinken"), speaker(project, "Blinken")
    listing = api.get("/api/v1/speaker-curation/", {"project": project.pk}).json()
    assert {s["name"]: s["claim_count"] for s in listing["results"]} == {
        "Antony Blinken": 3,
        "Blinken": 0,
        "Kurt Campbell": 4,
    }
    assert listing["suggestions"] == [sorted([full.pk, short.pk])]
    response = api.post(
        "/api/v1/speaker-curation/merge/",
        {"project": project.pk, "canonical": full.pk, "duplicates": [short.pk]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["aliases"] == ["Blinken"] and response.json()["claim_count"] == 3
    again = api.post(
        "/api/v1/speaker-curation/merge/",
        {"project": project.pk, "canonical": full.pk, "duplicates": [short.pk]},
        format="json",
    )
    assert again.status_code == 400 and "duplicates" in again.json()


def test_the_queue_endpoint_runs_a_fixed_number_of_queries(api, project, members):
    def add(title, paragraphs):
        for passage in import_article(project, title, paragraphs):
            annotate(
                project,
                passage,
                {
                    "ann1": [{"start": 0, "end": 9}, {"start": 20, "end": 40}],
                    "ann2": [{"start": 0, "end": 9, "stance": "favor"}],
                    "ann3": [],
                },
            )

    add("Few", 2)
    with CaptureQueriesContext(connection) as few:
        assert api.get("/api/v1/review-queue/", {"project": project.pk}).json()["count"] == 2
    add("Many", 12)
    with CaptureQueriesContext(connection) as many:
        assert api.get("/api/v1/review-queue/", {"project": project.pk}).json()["count"] == 14
    assert len(few) == len(many)
