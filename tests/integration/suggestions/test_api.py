"""The suggestions API: list one's own open suggestions, dismiss one, accept one through claim create."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.corpus.models import Passage
from annotator.labeling.models import Claim, ClaimOrigin
from annotator.labeling.services import claim_create
from annotator.suggestions.models import Suggestion, SuggestionDismissal
from annotator.suggestions.selectors import suggestions_open_for
from tests.integration.suggestions.builders import assignment_on, suggestion_of

pytestmark = pytest.mark.django_db


def listed(client, assignment) -> list[dict]:
    response = client.get(f"/api/v1/suggestions/?assignment={assignment.pk}")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def accept_body(suggestion: Suggestion, assignment, **extra) -> dict:
    return {
        "assignment": assignment.pk,
        "suggestion": suggestion.pk,
        "start": suggestion.start,
        "end": suggestion.end,
        "attribution": suggestion.attribution,
        "speaker": suggestion.speaker_id,
        "mention_start": suggestion.mention_start,
        "mention_end": suggestion.mention_end,
        "perspective": "chinese",
        "stance": "neutral",
        **extra,
    }


def test_an_annotator_lists_the_open_suggestions_of_their_passage(article, members, api_client, speakers):
    quote = suggestion_of("We will deepen")
    items = listed(api_client(members["ann1"]), assignment_on("ann1", quote))
    assert [item["id"] for item in items] == list(
        Suggestion.objects.filter(passage_id=quote.passage_id).order_by("start").values_list("id", flat=True)
    )
    item = next(i for i in items if i["id"] == quote.pk)
    assert item == {
        "id": quote.pk,
        "passage": quote.passage_id,
        "start": quote.start,
        "end": quote.end,
        "text": "We will deepen our partnership in every field",
        "attribution": "direct",
        "speaker_name": "Wang Junsheng",
        "speaker": {
            "id": speakers["wang"].pk,
            "name": "Wang Junsheng",
            "kind": "person",
            "affiliation": "cn_scholar",
        },
        "mention_start": quote.mention_start,
        "mention_end": quote.mention_end,
        "detector_version": quote.detector_version,
    }


def test_dismissing_hides_it_for_that_annotator_only_and_twice_is_once(article, members, api_client):
    quote = suggestion_of("We will deepen")
    ann1, ann2 = api_client(members["ann1"]), api_client(members["ann2"])
    assert ann1.post(f"/api/v1/suggestions/{quote.pk}/dismiss/").status_code == 204
    assert ann1.post(f"/api/v1/suggestions/{quote.pk}/dismiss/").status_code == 204
    assert SuggestionDismissal.objects.filter(suggestion=quote).count() == 1
    assert quote.pk not in [i["id"] for i in listed(ann1, assignment_on("ann1", quote))]
    assert quote.pk in [i["id"] for i in listed(ann2, assignment_on("ann2", quote))]


def test_accepting_creates_a_claim_with_its_provenance_and_editing_keeps_it(article, members, api_client):
    quote = suggestion_of("We will deepen")
    mine = assignment_on("ann1", quote)
    ann1 = api_client(members["ann1"])
    created = ann1.post("/api/v1/claims/", accept_body(quote, mine), format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["origin"], body["suggestion"], body["text"]) == ("suggestion", quote.pk, quote.text)
    assert quote.pk not in [i["id"] for i in listed(ann1, mine)]  # made into a claim: no longer offered
    changed = ann1.patch(
        f"/api/v1/claims/{body['id']}/",
        {"version": 1, "start": quote.start + 3, "origin": "manual"},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    claim = Claim.objects.get(pk=body["id"])
    assert (claim.origin, claim.suggestion_id, claim.start) == (
        ClaimOrigin.SUGGESTION,
        quote.pk,
        quote.start + 3,
    )
    # A reviewer reads where the claim came from.
    reviewed = api_client(members["rev"]).get(f"/api/v1/claims/?assignment={mine.pk}").json()["results"]
    assert [(c["id"], c["origin"], c["suggestion"]) for c in reviewed] == [(claim.pk, "suggestion", quote.pk)]


def test_a_claim_by_hand_on_the_same_span_hides_the_suggestion_too(article, members, api_client):
    quote = suggestion_of("We will deepen")
    mine = assignment_on("ann1", quote)
    claim_create(
        assignment=mine, start=quote.start, end=quote.end, attribution="direct", perspective="chinese",
        stance="neutral",
    )  # fmt: skip
    assert quote.pk not in [i["id"] for i in listed(api_client(members["ann1"]), mine)]


def test_accepting_a_suggestion_of_another_passage_is_a_400_naming_the_field(article, members, api_client):
    quote = suggestion_of("We will deepen")
    elsewhere = suggestion_of("the meeting was mostly symbolic")
    body = {**accept_body(quote, assignment_on("ann1", quote)), "suggestion": elsewhere.pk}
    response = api_client(members["ann1"]).post("/api/v1/claims/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"suggestion": [f"Suggestion {elsewhere.pk} is not one of this passage's."]}
    for bad in ("abc", 99999999):
        response = api_client(members["ann1"]).post(
            "/api/v1/claims/", {**body, "suggestion": bad}, format="json"
        )
        assert response.status_code == 400 and "suggestion" in response.json()
    assert not Claim.objects.exists()


def test_bad_list_parameters_are_named(article, members, api_client):
    client = api_client(members["ann1"])
    for query in ("", "?assignment=", "?assignment=abc"):
        response = client.get(f"/api/v1/suggestions/{query}")
        assert response.status_code == 400 and "assignment" in response.json()
    assert client.get("/api/v1/suggestions/?assignment=99999999").status_code == 404
    assert client.post("/api/v1/suggestions/99999999/dismiss/").status_code == 404


def test_with_suggestions_off_the_list_is_empty_and_nothing_can_be_dismissed_or_accepted(
    article, project, members, api_client
):
    project.suggestions = False
    project.save(update_fields=["suggestions"])
    quote = suggestion_of("We will deepen")  # computed all the same
    mine = assignment_on("ann1", quote)
    client = api_client(members["ann1"])
    assert listed(client, mine) == []
    assert client.post(f"/api/v1/suggestions/{quote.pk}/dismiss/").status_code == 404
    response = client.post("/api/v1/claims/", accept_body(quote, mine), format="json")
    assert response.status_code == 400 and response.json() == {
        "suggestion": ["This project does not show suggestions."]
    }


def queries(fetch) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert response.status_code == 200
    return len(captured)


def add_suggestions(passage: Passage, count: int) -> None:
    words = [i for i, ch in enumerate(passage.text) if ch == " "][:count]
    Suggestion.objects.bulk_create(
        Suggestion(
            passage=passage,
            start=0,
            end=at,
            text=passage.text[:at],
            attribution="indirect",
            detector_version="1",
        )
        for at in words
    )


def test_the_list_costs_the_same_with_few_or_many_suggestions_dismissals_and_claims(
    article, members, api_client, django_assert_num_queries
):
    few, many = (assignment_on("ann1", suggestion_of(s)) for s in ("We will deepen", "This is a turning"))
    add_suggestions(many.passage, 12)
    for suggestion in Suggestion.objects.filter(passage=many.passage)[:5]:
        SuggestionDismissal.objects.create(suggestion=suggestion, assignment=many)
    for suggestion in Suggestion.objects.filter(passage=many.passage)[5:9]:
        claim_create(
            assignment=many, suggestion_id=suggestion.pk, start=suggestion.start, end=suggestion.end,
            attribution="indirect", perspective="chinese", stance="neutral",
        )  # fmt: skip
    client = api_client(members["ann1"])
    for assignment in (few, many):
        # The assignment, the page's count, the page: whatever the numbers of rows behind them.
        with django_assert_num_queries(3):
            assert client.get(f"/api/v1/suggestions/?assignment={assignment.pk}").status_code == 200
    for assignment in (few, many):  # the selector alone: one query
        with django_assert_num_queries(1):
            assert len(list(suggestions_open_for(assignment=assignment))) >= 1
    claims = list(Claim.objects.filter(assignment=many).values_list("suggestion_id", "start", "end"))
    dismissed = set(
        SuggestionDismissal.objects.filter(assignment=many).values_list("suggestion_id", flat=True)
    )
    expected = [
        s.pk
        for s in Suggestion.objects.filter(passage=many.passage).order_by("start", "end", "id")
        if s.pk not in dismissed and not any(c[0] == s.pk or c[1:] == (s.start, s.end) for c in claims)
    ]
    assert len(expected) >= 3 and [i["id"] for i in listed(client, many)] == expected


def test_the_annotate_page_brings_the_suggestions_at_a_fixed_query_count(article, members, client):
    few, many = (assignment_on("ann1", suggestion_of(s)) for s in ("We will deepen", "This is a turning"))
    add_suggestions(many.passage, 12)
    client.force_login(members["ann1"])
    url = f"/projects/{article.project.slug}/annotate/{{}}/"
    client.get(url.format(few.pk))
    one, lots = (queries(lambda a=a: client.get(url.format(a.pk))) for a in (few, many))
    assert one == lots
    page = client.get(url.format(many.pk)).content.decode()
    assert page.count('"detector_version": "') == Suggestion.objects.filter(passage=many.passage).count()
    assert 'id="suggestion-list"' in page
    # A reviewer opens the same passage read-only: no suggestions come with it.
    client.force_login(members["rev"])
    assert '"detector_version"' not in client.get(url.format(many.pk)).content.decode()


def test_the_openapi_schema_describes_the_suggestions_and_the_claims_origin(members, client):
    client.force_login(members["ann1"])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "/api/v1/suggestions/" in schema["paths"]
    assert "post" in schema["paths"]["/api/v1/suggestions/{id}/dismiss/"]
    parameters = schema["paths"]["/api/v1/suggestions/"]["get"]["parameters"]
    assert any(p["name"] == "assignment" and p["required"] for p in parameters)
    claim = schema["components"]["schemas"]["Claim"]["properties"]
    assert claim["origin"]["readOnly"] and claim["suggestion"]["readOnly"]
    assert "suggestion" in schema["components"]["schemas"]["ClaimCreate"]["properties"]
    assert set(schema["components"]["schemas"]["Suggestion"]["properties"]) >= {
        "speaker_name",
        "speaker",
        "text",
    }
