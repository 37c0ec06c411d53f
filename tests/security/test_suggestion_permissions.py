"""Who sees and dismisses suggestions: only the annotator of the passage, for their own assignment.

Another annotator's assignment, a reader's (reviewer, researcher, manager) look at it, a non-member or a
former member all get a 404, as if nothing were there; an anonymous visitor is refused. Text the detector
copied from an article reaches the page only escaped.
"""

import pytest
from rest_framework.test import APIClient

from annotator.corpus.models import Document, Membership
from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import
from annotator.labeling.assignment_services import assignments_distribute
from annotator.labeling.models import Assignment, Claim
from annotator.suggestions.models import Suggestion, SuggestionDismissal
from annotator.suggestions.services import suggestions_detect

pytestmark = pytest.mark.django_db

HOSTILE = "“We will <script>alert(1)</script> deepen our partnership in every field,” Wang Junsheng said."


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def quote(project, members) -> Suggestion:
    documents_import(project=project, records=[ArticleRecord(title="Talk", text=f"Talk\n\n{HOSTILE}\n")])
    assignments_distribute(project=project)
    suggestions_detect(document=Document.objects.get(project=project))
    return Suggestion.objects.get(attribution="direct")


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def own(username: str, quote: Suggestion) -> Assignment:
    return Assignment.objects.get(annotator__username=username, passage_id=quote.passage_id)


def test_only_the_passages_own_annotator_lists_its_suggestions(quote, members):
    ann1s = own("ann1", quote)
    assert client_for(members["ann1"]).get(f"/api/v1/suggestions/?assignment={ann1s.pk}").json()["count"] == 1
    for who in ("ann2", "rev", "res", "man", "outsider"):
        response = client_for(members[who]).get(f"/api/v1/suggestions/?assignment={ann1s.pk}")
        assert response.status_code == 404, who
    assert client_for(None).get(f"/api/v1/suggestions/?assignment={ann1s.pk}").status_code in (401, 403)


def test_only_an_annotator_of_the_passage_dismisses_and_only_for_themselves(quote, members):
    for who in ("rev", "res", "man", "outsider"):
        assert client_for(members[who]).post(f"/api/v1/suggestions/{quote.pk}/dismiss/").status_code == 404, (
            who
        )
    assert client_for(None).post(f"/api/v1/suggestions/{quote.pk}/dismiss/").status_code in (401, 403)
    assert not SuggestionDismissal.objects.exists()
    assert client_for(members["ann2"]).post(f"/api/v1/suggestions/{quote.pk}/dismiss/").status_code == 204
    assert list(SuggestionDismissal.objects.values_list("assignment_id", flat=True)) == [
        own("ann2", quote).pk
    ]


def test_a_former_member_sees_and_dismisses_nothing(quote, members, project):
    ann1s = own("ann1", quote)
    Membership.objects.filter(project=project, user=members["ann1"]).delete()
    client = client_for(members["ann1"])
    assert client.get(f"/api/v1/suggestions/?assignment={ann1s.pk}").status_code == 404
    assert client.post(f"/api/v1/suggestions/{quote.pk}/dismiss/").status_code == 404


def test_nobody_accepts_a_suggestion_onto_someone_elses_assignment(quote, members):
    body = {
        "assignment": own("ann1", quote).pk, "suggestion": quote.pk, "start": quote.start, "end": quote.end,
        "attribution": "direct", "perspective": "chinese", "stance": "neutral",
    }  # fmt: skip
    assert client_for(members["ann2"]).post("/api/v1/claims/", body, format="json").status_code == 404
    assert client_for(members["rev"]).post("/api/v1/claims/", body, format="json").status_code == 403
    assert not Claim.objects.exists()


def test_article_text_in_a_suggestion_reaches_the_page_escaped(quote, members, project, client):
    assert "<script>" in quote.text
    client.force_login(members["ann1"])
    page = client.get(f"/projects/{project.slug}/annotate/{own('ann1', quote).pk}/").content.decode()
    assert "We will \\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E deepen" in page
    assert "<script>alert(1)" not in page
