"""POST /api/v1/claims/ with an Idempotency-Key: a repeat returns the first claim, never a second one."""

import threading
import time
import uuid
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotator.corpus.services import speaker_create
from annotator.corpus.speakers import speaker_merge
from annotator.idempotency import services as idempotency_services
from annotator.idempotency.models import IdempotencyKey
from annotator.idempotency.services import idempotency_keys_expire
from annotator.labeling.models import Claim
from annotator.labeling.services import claim_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/claims/"


def post(api, body, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api.post(URL, body, format="json", **headers)


@pytest.fixture
def ann1_api(api_client, members):
    return api_client(members["ann1"])


@pytest.fixture
def body(assignment_of, claim_body):
    return claim_body(assignment_of("ann1", 0), "Officials in Beijing")


def test_a_repeat_with_the_same_key_returns_the_first_claim_and_makes_no_second(ann1_api, body):
    key = str(uuid.uuid4())
    first = post(ann1_api, body, key)
    again = post(ann1_api, body, key)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Claim.objects.filter(assignment_id=body["assignment"]).count() == 1


def test_a_repeat_answers_with_the_claim_as_it_is_now(ann1_api, body):
    key = str(uuid.uuid4())
    claim_id = post(ann1_api, body, key).json()["id"]
    changed = ann1_api.patch(f"{URL}{claim_id}/", {"version": 1, "stance": "against"}, format="json")
    assert changed.status_code == 200
    again = post(ann1_api, body, key).json()
    assert (again["id"], again["version"], again["stance"]) == (claim_id, 2, "against")


def test_the_same_key_with_another_body_is_a_422_naming_the_header(ann1_api, body):
    key = str(uuid.uuid4())
    post(ann1_api, body, key)
    other = post(ann1_api, {**body, "stance": "favor"}, key)
    assert other.status_code == 422
    assert "different request" in other.json()["Idempotency-Key"][0]
    assert Claim.objects.filter(assignment_id=body["assignment"]).count() == 1


def test_without_a_key_every_create_makes_a_claim(ann1_api, body):
    assert post(ann1_api, body).status_code == post(ann1_api, body).status_code == 201
    assert Claim.objects.filter(assignment_id=body["assignment"]).count() == 2


def test_keys_are_per_user(api_client, members, assignment_of, claim_body):
    key = str(uuid.uuid4())
    mine = post(api_client(members["ann1"]), claim_body(assignment_of("ann1"), "Scholars focused"), key)
    theirs = post(api_client(members["ann2"]), claim_body(assignment_of("ann2"), "Scholars focused"), key)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


def test_a_repeat_after_the_claim_was_deleted_is_a_409_and_does_not_bring_it_back(ann1_api, body):
    key = str(uuid.uuid4())
    claim_id = post(ann1_api, body, key).json()["id"]
    assert ann1_api.delete(f"{URL}{claim_id}/?version=1").status_code == 204
    again = post(ann1_api, body, key)
    assert again.status_code == 409
    assert again.json()["current"] is None and "deleted" in again.json()["detail"]
    assert not Claim.objects.filter(assignment_id=body["assignment"]).exists()


def test_a_repeat_whose_body_no_longer_validates_still_gets_the_first_claim(
    ann1_api, body, assigned, speaker, members
):
    """The first create went through; since then a reviewer merged its speaker into another one."""
    key = str(uuid.uuid4())
    sent = {**body, "attribution": "indirect", "speaker": speaker.pk}
    claim_id = post(ann1_api, sent, key).json()["id"]
    other = speaker_create(project=assigned, name="Wang J.", kind="person", created_by=members["rev"])
    speaker_merge(project=assigned, canonical=other, duplicates=[speaker], merged_by=members["rev"])
    assert post(ann1_api, sent, str(uuid.uuid4())).status_code == 400  # no such speaker any more
    again = post(ann1_api, sent, key)
    assert again.status_code == 201
    assert (again.json()["id"], again.json()["speaker"]["id"]) == (claim_id, other.pk)


@pytest.mark.parametrize("key", ["", "x" * 201, "naïve-key", "two words", "nul\x00"])
def test_a_malformed_key_is_a_400_naming_the_header(ann1_api, body, key):
    response = post(ann1_api, body, key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not Claim.objects.filter(assignment_id=body["assignment"]).exists()


def test_an_invalid_create_with_a_key_stores_no_key(ann1_api, body):
    key = str(uuid.uuid4())
    assert post(ann1_api, {**body, "stance": "nonsense"}, key).status_code == 400
    assert not IdempotencyKey.objects.filter(key=key).exists()
    assert post(ann1_api, body, key).status_code == 201


def test_a_key_rides_in_the_claims_insert_and_no_key_costs_nothing(ann1_api, assignment_of, claim_body):
    assignment = assignment_of("ann1", 2)
    post(ann1_api, claim_body(assignment, "third paragraph"))  # the passage is in progress from here on

    def queries(key):
        with CaptureQueriesContext(connection) as captured:
            assert post(ann1_api, claim_body(assignment, "short remark"), key).status_code == 201
        # Inside the test's own transaction the statement gets a savepoint; served, it commits by itself.
        return [q["sql"] for q in captured if "SAVEPOINT" not in q["sql"]]

    key = str(uuid.uuid4())
    without, keyed = queries(None), queries(key)
    assert len(keyed) == len(without)
    assert not any("idempotency" in sql for sql in without)
    [insert] = [sql for sql in keyed if 'INSERT INTO "labeling_claim"' in sql]  # the history row is its own
    assert 'INSERT INTO "idempotency_idempotencykey"' in insert
    assert IdempotencyKey.objects.filter(key=key, scope="claim").exists()


def test_expired_keys_are_deleted_and_fresh_ones_kept(ann1_api, body, members):
    old, fresh = str(uuid.uuid4()), str(uuid.uuid4())
    post(ann1_api, body, old)
    post(ann1_api, {**body, "stance": "favor"}, fresh)
    IdempotencyKey.objects.filter(key=old).update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency_keys_expire() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == [fresh]


def test_every_nth_key_expires_the_old_ones_after_its_commit(
    ann1_api, body, monkeypatch, django_capture_on_commit_callbacks
):
    post(ann1_api, body, "old-key")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    monkeypatch.setattr(idempotency_services, "EXPIRE_EVERY", 1)
    with django_capture_on_commit_callbacks(execute=True):
        post(ann1_api, {**body, "stance": "favor"}, "new-key")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new-key"]


def test_the_openapi_schema_documents_the_header(client, members):
    client.force_login(members["ann1"])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    create = schema["paths"]["/api/v1/claims/"]["post"]
    header = next(p for p in create["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and not header.get("required", False)
    assert {"201", "409", "422"} <= set(create["responses"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("passage", ["fresh", "in progress"])
def test_two_racing_requests_with_one_key_make_one_claim(members, assigned, api_client, passage):
    """Both requests reach the INSERT of claim and key while a lock holds them; once it is released the
    first to insert wins and the other, failing on the key, answers with the winner's claim. A fresh
    passage's first claim is saved in a transaction, a passage in progress by the statement alone."""
    from tests.integration.labeling.conftest import find_assignment, make_claim_body

    assignment = find_assignment("ann1")
    if passage == "in progress":
        claim_create(**{**make_claim_body(assignment, "Scholars focused"), "assignment": assignment})
        assignment = find_assignment("ann1")
    body = make_claim_body(assignment, "Officials in Beijing")
    key, answers = str(uuid.uuid4()), []
    settings = connection.settings_dict
    dsn = (
        f"host={settings['HOST']} port={settings['PORT'] or 5432} "
        f"user={settings['USER']} dbname={settings['NAME']}"
    )

    def create() -> None:
        try:
            answers.append(post(api_client(members["ann1"]), body, key))
        finally:
            connection.close()

    with psycopg.connect(dsn) as blocker:
        blocker.execute("LOCK TABLE idempotency_idempotencykey IN EXCLUSIVE MODE")
        threads = [threading.Thread(target=create) for _ in range(2)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while _waiting_on_the_key_table(blocker) < 2:
            assert time.monotonic() < deadline, "both requests should be waiting to insert the key"
            time.sleep(0.02)
        blocker.commit()  # releases the lock: both INSERTs race for the key
    for thread in threads:
        thread.join(timeout=20)
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert sorted(a.has_header("Idempotent-Replayed") for a in answers) == [False, True]
    assert Claim.objects.filter(assignment_id=body["assignment"], text="Officials in Beijing").count() == 1


def _waiting_on_the_key_table(blocker: psycopg.Connection) -> int:
    row = blocker.execute(
        "SELECT count(*) FROM pg_locks"
        " WHERE NOT granted AND relation = 'idempotency_idempotencykey'::regclass"
    ).fetchone()
    return row[0]


def test_the_admin_lists_keys_and_offers_no_way_to_change_them(client, ann1_api, body, django_user_model):
    post(ann1_api, body, "admin-visible-key")
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "root-pw-123"))
    page = client.get("/admin/idempotency/idempotencykey/")
    assert page.status_code == 200 and "admin-visible-key" in page.content.decode()
    assert client.get("/admin/idempotency/idempotencykey/add/").status_code == 403
