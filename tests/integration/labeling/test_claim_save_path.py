"""The claim save path over the API: create and update cost at most three SQL statements each, the
authentication included (session auth with a shared session cache, or a token), and the checks folded
into those statements refuse what the full querysets refused."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotator.accounts.services import api_token_create
from annotator.corpus.models import Membership, Speaker
from annotator.history.models import Change
from annotator.labeling.models import AssignmentStatus, Claim

from .conftest import make_claim_body

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"
CACHED_SESSIONS = "django.contrib.sessions.backends.cached_db"


def session_client(settings, user, engine: str = CACHED_SESSIONS) -> Client:
    """A browser's client: logged in with a session cookie (sessions kept as `engine` keeps them)."""
    settings.SESSION_ENGINE = engine
    client = Client()
    client.force_login(user)
    return client


def token_client(user) -> Client:
    _, secret = api_token_create(user=user, name="save path")
    return Client(headers={"Authorization": f"Token {secret}"})


def post(client: Client, body: dict, **headers):
    return client.post(CLAIMS, body, content_type="application/json", headers=headers)


def patch(client: Client, claim_id: int, body: dict):
    return client.patch(f"{CLAIMS}{claim_id}/", body, content_type="application/json")


def counted(request) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = request()
    return response, [query["sql"] for query in captured.captured_queries]


@pytest.fixture(params=["session", "token"])
def ann1(request, settings, members, assigned):
    """ann1's client, by session (sessions in the shared cache, as with CACHE_URL) or by token."""
    user = members["ann1"]
    client = session_client(settings, user) if request.param == "session" else token_client(user)
    client.get("/api/v1/claims/?page_size=1")  # the token's once-a-minute use stamp, out of the way
    return client


def test_create_on_a_fresh_assignment_and_update_cost_three_statements_each(ann1, assignment_of):
    assignment = assignment_of("ann1")
    assert assignment.status == AssignmentStatus.ASSIGNED
    created, create_sql = counted(lambda: post(ann1, make_claim_body(assignment, "Officials in Beijing")))
    assert created.status_code == 201, created.json()
    assert len(create_sql) <= 3, create_sql
    claim = created.json()
    updated, update_sql = counted(lambda: patch(ann1, claim["id"], {"version": 1, "stance": "favor"}))
    assert updated.status_code == 200, updated.json()
    assert len(update_sql) <= 3, update_sql
    assert updated.json()["version"] == 2 and updated.json()["stance"] == "favor"
    again, again_sql = counted(lambda: post(ann1, make_claim_body(assignment, "Scholars")))
    assert again.status_code == 201 and len(again_sql) <= 3
    # The one write statement also moved the assignment to in progress and recorded both changes.
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.IN_PROGRESS
    recorded = Change.objects.filter(entity="claim", entity_id=claim["id"]).order_by("version")
    assert [(c.action, c.version) for c in recorded] == [("create", 1), ("update", 2)]
    assert recorded[1].before == {"stance": "neutral"} and recorded[1].after == {"stance": "favor"}


def test_without_a_shared_cache_the_session_row_is_the_one_more_statement(settings, members, assignment_of):
    client = session_client(settings, members["ann1"], engine="django.contrib.sessions.backends.db")
    assignment = assignment_of("ann1")
    created, create_sql = counted(lambda: post(client, make_claim_body(assignment, "Officials in Beijing")))
    assert created.status_code == 201 and len(create_sql) == 4
    assert "django_session" in create_sql[0]


def test_the_answer_is_the_claim_as_the_api_reads_it(ann1, assignment_of, speaker):
    assignment = assignment_of("ann1", 1)
    body = make_claim_body(assignment, "Wang Junsheng said", attribution="indirect", speaker=speaker.pk)
    created = post(ann1, {**body, "confidence": 4, "note": "n"}).json()
    read = ann1.get(f"{CLAIMS}{created['id']}/").json()
    assert created == {**read, "span_adjusted": created["span_adjusted"]}
    assert list(created) == list(read)
    assert created["speaker"] == {"id": speaker.pk, "name": "Wang Junsheng", "kind": "person",
                                  "affiliation": "cn_scholar"}  # fmt: skip
    updated = patch(ann1, created["id"], {"version": 1, "note": "m"}).json()
    assert updated == {**ann1.get(f"{CLAIMS}{created['id']}/").json(), "span_adjusted": None}


def test_others_assignments_and_claims_are_404_and_readers_get_403(settings, members, assignment_of):
    theirs = assignment_of("ann2")
    ann2 = session_client(settings, members["ann2"])
    claim = post(ann2, make_claim_body(theirs, "Officials in Beijing")).json()
    for who, status in [("ann1", 404), ("outsider", 404), ("rev", 403), ("man", 403)]:
        client = session_client(settings, members[who])
        assert post(client, make_claim_body(theirs, "Scholars")).status_code == status, who
        assert patch(client, claim["id"], {"version": 1, "stance": "favor"}).status_code == status, who
    assert patch(ann2, 10**30, {"version": 1}).status_code == 404
    assert post(ann2, {**make_claim_body(theirs, "Scholars"), "assignment": 10**30}).status_code == 404
    # A removed annotator no longer writes (nor reads) their own old work.
    Membership.objects.filter(user=members["ann2"]).delete()
    assert post(ann2, make_claim_body(theirs, "Scholars")).status_code == 404
    assert patch(ann2, claim["id"], {"version": 1, "stance": "favor"}).status_code == 404
    assert Claim.objects.get(pk=claim["id"]).version == 1 and Claim.objects.count() == 1


def test_a_stale_version_is_409_with_the_current_claim_and_writes_nothing(ann1, assignment_of):
    claim = post(ann1, make_claim_body(assignment_of("ann1"), "Officials in Beijing")).json()
    assert patch(ann1, claim["id"], {"version": 1, "stance": "favor"}).status_code == 200
    history = Change.objects.count()
    stale = patch(ann1, claim["id"], {"version": 1, "stance": "against"})
    assert stale.status_code == 409
    assert stale.json()["current"]["version"] == 2 and stale.json()["current"]["stance"] == "favor"
    assert Change.objects.count() == history
    assert Claim.objects.get(pk=claim["id"]).stance == "favor"


def test_another_annotators_private_speaker_is_no_speaker_in_a_blind_project(ann1, members, assignment_of):
    assignment = assignment_of("ann1")
    private = Speaker.objects.create(
        project=assignment.project, name="Kurt Campbell", approved=False, created_by=members["ann2"]
    )
    body = make_claim_body(assignment, "Officials in Beijing", attribution="indirect")
    refused = post(ann1, {**body, "speaker": private.pk})
    assert refused.status_code == 400 and "No such speaker" in refused.json()["speaker"][0]
    assert "Campbell" not in refused.content.decode()
    claim = post(ann1, body).json()
    changed = patch(ann1, claim["id"], {"version": 1, "speaker": private.pk})
    assert changed.status_code == 400 and "Campbell" not in changed.content.decode()
    as_text = patch(ann1, claim["id"], {"version": 1, "speaker": str(private.pk)})  # any form of the id
    assert as_text.status_code == 400 and "speaker" in as_text.json()
    Speaker.objects.filter(pk=private.pk).update(approved=True)
    assert (
        patch(ann1, claim["id"], {"version": 1, "speaker": str(private.pk)}).json()["speaker"]["id"]
        == private.pk
    )
    assert Claim.objects.get(pk=claim["id"]).speaker_id == private.pk


def test_session_writes_still_need_the_csrf_token(settings, members, assignment_of):
    settings.SESSION_ENGINE = CACHED_SESSIONS
    client = Client(enforce_csrf_checks=True)
    client.force_login(members["ann1"])
    refused = post(client, make_claim_body(assignment_of("ann1"), "Officials in Beijing"))
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert not Claim.objects.exists()


def test_a_session_ends_with_logout_a_password_change_or_deactivation(settings, members, assignment_of):
    """Sessions read from the cache and users read by plain SQL: what ends a session still ends it."""
    body = make_claim_body(assignment_of("ann1"), "Officials in Beijing")
    for end in ("logout", "password", "inactive"):
        user = members["ann1"]
        user.refresh_from_db()
        client = session_client(settings, user)
        stolen = Client(headers={"Cookie": f"sessionid={client.cookies['sessionid'].value}"})
        assert post(stolen, body).status_code == 201
        if end == "logout":
            client.post("/accounts/logout/")
        elif end == "password":
            user.set_password("another-pw-456")
            user.save()
        else:
            type(user).objects.filter(pk=user.pk).update(is_active=False)
        assert post(stolen, body).status_code == 403, end
        type(user).objects.filter(pk=user.pk).update(is_active=True)
