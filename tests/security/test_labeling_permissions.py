"""Blind annotation: who sees and changes which assignments, claims and speakers, in the API and pages.

An annotator sees only their own work (another's id is a 404, as if it did not exist); reviewers,
researchers and managers read everything in their projects but change nothing they do not own; a
non-member learns nothing; an anonymous visitor is refused.
"""

import json

import pytest
from rest_framework.test import APIClient

from annotator.corpus.models import Membership
from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import, speaker_create
from annotator.labeling.assignment_services import assignments_distribute
from annotator.labeling.models import Assignment, AssignmentStatus, Claim
from annotator.labeling.services import claim_create

pytestmark = pytest.mark.django_db

TEXT = (
    "Watch\n\nOfficials described the talks as useful. Scholars disagreed.\n\n"
    "A second paragraph ends it here.\n"
)
READERS = ["rev", "res", "man"]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def work(project, members):
    """ann1's first assignment with one claim on it, in a project where every annotator has every passage."""
    documents_import(project=project, records=[ArticleRecord(title="Watch", text=TEXT)])
    assignments_distribute(project=project)
    assignment = Assignment.objects.select_related("passage__document__project").get(
        annotator=members["ann1"], passage__position=0
    )
    start = assignment.passage.text.index("Scholars disagreed.")
    claim = claim_create(
        assignment=assignment,
        start=start,
        end=start + 19,
        attribution="authorial",
        perspective="chinese",
        stance="neutral",
    )
    return {"project": project, "assignment": assignment, "claim": claim}


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def write_attempts(client: APIClient, work: dict) -> dict[str, int]:
    claim, assignment = work["claim"], work["assignment"]
    start = assignment.passage.text.index("Officials")
    body = {
        "assignment": assignment.pk,
        "start": start,
        "end": start + 9,
        "attribution": "authorial",
        "perspective": "chinese",
        "stance": "favor",
    }
    return {
        "create": client.post("/api/v1/claims/", body, format="json").status_code,
        "update": client.patch(
            f"/api/v1/claims/{claim.pk}/", {"version": 1, "stance": "against"}, format="json"
        ).status_code,
        "delete": client.delete(f"/api/v1/claims/{claim.pk}/?version=1").status_code,
        "submit": client.post(f"/api/v1/assignments/{assignment.pk}/submit/").status_code,
        "skip": client.post(f"/api/v1/assignments/{assignment.pk}/skip/").status_code,
    }


def assert_untouched(work: dict) -> None:
    claim = Claim.objects.get(pk=work["claim"].pk)
    assert (claim.stance, claim.version) == ("neutral", 1)
    assert Claim.objects.count() == 1
    assert Assignment.objects.get(pk=work["assignment"].pk).status == AssignmentStatus.IN_PROGRESS


# --- annotators ------------------------------------------------------------------------------------


def test_an_annotator_sees_and_changes_their_own_work(work, members):
    client = client_for(members["ann1"])
    assert client.get(f"/api/v1/claims/{work['claim'].pk}/").status_code == 200
    assert client.get(f"/api/v1/assignments/{work['assignment'].pk}/").json()["editable"] is True
    assert write_attempts(client, work) == {
        "create": 201,
        "update": 200,
        "delete": 409,
        "submit": 200,
        "skip": 400,
    }  # delete: the update just before made version 1 stale


def test_another_annotators_work_is_a_404_everywhere_and_stays_unchanged(work, members, client):
    api = client_for(members["ann2"])
    claim, assignment = work["claim"], work["assignment"]
    assert api.get(f"/api/v1/claims/{claim.pk}/").status_code == 404
    assert api.get(f"/api/v1/assignments/{assignment.pk}/").status_code == 404
    assert set(write_attempts(api, work).values()) == {404}
    assert_untouched(work)
    listed = api.get(f"/api/v1/claims/?project={work['project'].pk}").json()
    assert listed["results"] == []
    for url in (
        f"/api/v1/claims/?assignment={assignment.pk}",
        f"/api/v1/claims/?passage={assignment.passage_id}",
    ):
        assert api.get(url).json()["results"] == []
    assignments = api.get(f"/api/v1/assignments/?project={work['project'].pk}").json()["results"]
    assert {a["annotator"] for a in assignments} == {"ann2"}
    client.force_login(members["ann2"])
    assert client.get(f"/projects/{work['project'].slug}/annotate/{assignment.pk}/").status_code == 404


def test_an_annotators_own_page_never_carries_other_annotators_claims(work, members, client):
    own = Assignment.objects.get(annotator=members["ann2"], passage=work["assignment"].passage)
    client.force_login(members["ann2"])
    page = client.get(f"/projects/{work['project'].slug}/annotate/{own.pk}/").content.decode()
    data = json.loads(
        page.split('<script id="editor-workspace" type="application/json">')[1].split("</script>")[0]
    )
    assert data["claims"] == []
    assert "Scholars disagreed." in data["passage"]["text"]


# --- reviewers, researchers, managers --------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_readers_see_every_claim_in_their_project_but_cannot_change_one(work, members, client, who):
    api = client_for(members[who])
    claim, assignment = work["claim"], work["assignment"]
    assert api.get(f"/api/v1/claims/{claim.pk}/").json()["annotator"] == "ann1"
    assert [c["id"] for c in api.get(f"/api/v1/claims/?project={work['project'].pk}").json()["results"]] == [
        claim.pk
    ]
    workspace = api.get(f"/api/v1/assignments/{assignment.pk}/").json()
    assert workspace["editable"] is False and len(workspace["claims"]) == 1
    assert set(write_attempts(api, work).values()) == {403}
    assert_untouched(work)
    client.force_login(members[who])
    page = client.get(f"/projects/{work['project'].slug}/annotate/{assignment.pk}/")
    assert page.status_code == 200
    assert '"editable": false' in page.content.decode()


@pytest.mark.parametrize("who", READERS)
def test_readers_have_no_queue_of_their_own(work, members, who):
    api = client_for(members[who])
    assert api.get(f"/api/v1/assignments/next/?project={work['project'].pk}").status_code == 204


# --- outsiders and anonymous visitors --------------------------------------------------------------


def test_a_non_member_learns_nothing(work, members, client):
    api = client_for(members["outsider"])
    project, claim, assignment = work["project"], work["claim"], work["assignment"]
    assert api.get(f"/api/v1/claims/{claim.pk}/").status_code == 404
    assert api.get("/api/v1/claims/").json()["results"] == []
    assert api.get("/api/v1/assignments/").json()["results"] == []
    assert api.get(f"/api/v1/assignments/{assignment.pk}/").status_code == 404
    assert api.get(f"/api/v1/assignments/next/?project={project.pk}").status_code == 404
    assert api.get(f"/api/v1/speakers/?project={project.pk}").status_code == 404
    speaker_body = {"project": project.pk, "name": "Nosy", "kind": "person"}
    assert api.post("/api/v1/speakers/", speaker_body, format="json").status_code == 404
    assert set(write_attempts(api, work).values()) == {404}
    assert_untouched(work)
    client.force_login(members["outsider"])
    for url in (f"/projects/{project.slug}/annotate/", f"/projects/{project.slug}/annotate/{assignment.pk}/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/projects/{project.slug}/assign/").status_code == 404


def test_a_removed_annotator_no_longer_sees_their_old_work(work, members):
    Membership.objects.filter(user=members["ann1"]).delete()
    api = client_for(members["ann1"])
    assert api.get(f"/api/v1/claims/{work['claim'].pk}/").status_code == 404
    assert set(write_attempts(api, work).values()) == {404}


def test_anonymous_visitors_are_refused(work, client):
    api = client_for(None)
    for url in (
        "/api/v1/claims/",
        f"/api/v1/claims/{work['claim'].pk}/",
        "/api/v1/assignments/",
        f"/api/v1/speakers/?project={work['project'].pk}",
    ):
        assert api.get(url).status_code in (401, 403)
    assert set(write_attempts(api, work).values()) <= {401, 403}
    assert_untouched(work)
    page = client.get(f"/projects/{work['project'].slug}/annotate/{work['assignment'].pk}/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


# --- speakers and the assign button ----------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("ann1", 201), ("rev", 201), ("man", 201), ("res", 404)])
def test_annotators_reviewers_and_managers_create_speakers_researchers_only_read(work, members, who, status):
    api = client_for(members[who])
    body = {"project": work["project"].pk, "name": f"Speaker by {who}", "kind": "person"}
    assert api.post("/api/v1/speakers/", body, format="json").status_code == status
    assert api.get(f"/api/v1/speakers/?project={work['project'].pk}").status_code == 200


def test_speakers_of_another_project_are_not_visible(work, members):
    from annotator.corpus.services import project_create

    other = project_create(name="Other", slug="other")
    secret = speaker_create(project=other, name="Secret Source", kind="person")
    api = client_for(members["ann1"])
    assert api.get(f"/api/v1/speakers/{secret.pk}/").status_code == 404
    assert api.get(f"/api/v1/speakers/?project={other.pk}").status_code == 404


@pytest.mark.parametrize(("who", "status"), [("man", 302), ("rev", 404), ("res", 404), ("ann1", 404)])
def test_only_managers_run_the_assignment_from_the_project_page(work, members, client, who, status):
    client.force_login(members[who])
    url = f"/projects/{work['project'].slug}/assign/"
    assert client.get(url).status_code in (404, 405)
    assert client.post(url).status_code == status
    page = client.get(f"/projects/{work['project'].slug}/").content.decode()
    assert ("Assign passages to annotators" in page) is (who == "man")
