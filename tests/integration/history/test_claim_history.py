"""Every change to a claim is recorded with who, when, before → after and its version; restore brings an
earlier version back as a new one; only those who may read a claim read its history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.history.models import Change
from annotator.labeling.models import Claim
from tests.integration.history.conftest import claim_body

pytestmark = pytest.mark.django_db

SIGNAL = "the summit was a signal to Washington"


def claim_changes(claim_id: int) -> list[Change]:
    return list(Change.objects.filter(entity="claim", entity_id=claim_id).order_by("id"))


def create(api, assignment, **extra) -> dict:
    response = api.post("/api/v1/claims/", claim_body(assignment, SIGNAL, **extra), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def patch(api, claim: dict, **changes):
    return api.patch(
        f"/api/v1/claims/{claim['id']}/", {"version": claim["version"], **changes}, format="json"
    )


def test_create_update_and_delete_each_record_who_what_and_the_version(
    api_for, members, assignment_of, speakers
):
    api = api_for(members["ann1"])
    claim = create(api, assignment_of("ann1"), speaker=speakers["Wang Junsheng"].pk, note="first")
    updated = patch(api, claim, stance="favor", note="second")
    assert updated.status_code == 200
    deleted = api.delete(f"/api/v1/claims/{claim['id']}/?version=2")
    assert deleted.status_code == 204

    created, changed, gone = claim_changes(claim["id"])
    assert (created.action, created.version, created.actor, created.before) == (
        "create",
        1,
        members["ann1"],
        None,
    )
    assert created.after["text"] == SIGNAL
    assert created.after["speaker"] == speakers["Wang Junsheng"].pk
    assert created.after["stance"] == "neutral" and created.after["note"] == "first"
    assert created.project_id == assignment_of("ann1").passage.document.project_id
    assert (changed.action, changed.version, changed.actor) == ("update", 2, members["ann1"])
    assert changed.before == {"stance": "neutral", "note": "first"}
    assert changed.after == {"stance": "favor", "note": "second"}
    assert (gone.action, gone.version, gone.after) == ("delete", 2, None)
    assert gone.before["stance"] == "favor" and gone.before["note"] == "second"


def test_a_stale_update_answers_409_and_records_nothing(api_for, members, assignment_of):
    api = api_for(members["ann1"])
    claim = create(api, assignment_of("ann1"))
    assert patch(api, claim, stance="favor").status_code == 200
    stale = patch(api, claim, stance="against")
    assert stale.status_code == 409
    assert stale.json()["current"]["stance"] == "favor"
    assert [c.version for c in claim_changes(claim["id"])] == [1, 2]


def test_restore_writes_the_earlier_fields_as_a_new_version(api_for, members, assignment_of, speakers):
    api = api_for(members["ann1"])
    claim = create(api, assignment_of("ann1"), note="as first written")
    assignment = assignment_of("ann1")
    other = assignment.passage.text.index("Blinken said")
    assert patch(api, claim, stance="against", note="changed").status_code == 200
    moved = patch(
        api,
        {**claim, "version": 2},
        start=other,
        end=other + len("Blinken said the treaty threatens stability"),
        speaker=speakers["Antony Blinken"].pk,
    )
    assert moved.status_code == 200, moved.content

    restored = api.post(f"/api/v1/claims/{claim['id']}/restore/", {"version": 1, "current_version": 3})
    assert restored.status_code == 200, restored.content
    body = restored.json()
    assert body["version"] == 4
    assert (body["text"], body["stance"], body["note"], body["speaker"]) == (
        SIGNAL,
        "neutral",
        "as first written",
        None,
    )
    last = claim_changes(claim["id"])[-1]
    assert (last.action, last.version, last.detail, last.actor) == (
        "restore",
        4,
        {"restored_from": 1},
        members["ann1"],
    )
    assert last.before["speaker"] == speakers["Antony Blinken"].pk and last.after["speaker"] is None
    assert last.after["text"] == SIGNAL

    # Restoring version 2 from 4 puts the re-span back to the original span but keeps version 2's labels.
    again = api.post(f"/api/v1/claims/{claim['id']}/restore/", {"version": 2, "current_version": 4})
    assert again.status_code == 200
    assert (again.json()["stance"], again.json()["note"], again.json()["text"]) == (
        "against",
        "changed",
        SIGNAL,
    )


def test_restore_from_a_stale_version_is_a_409_and_records_nothing(api_for, members, assignment_of):
    api = api_for(members["ann1"])
    claim = create(api, assignment_of("ann1"))
    assert patch(api, claim, stance="favor").status_code == 200
    stale = api.post(f"/api/v1/claims/{claim['id']}/restore/", {"version": 1, "current_version": 1})
    assert stale.status_code == 409
    assert stale.json()["current"]["version"] == 2
    assert len(claim_changes(claim["id"])) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": 2, "current_version": 2}, "version"),  # not an earlier version
        ({"version": 0, "current_version": 2}, "version"),
        ({"version": "²", "current_version": 2}, "version"),
        ({"version": 1}, "current_version"),
    ],
)
def test_a_bad_restore_is_a_400_naming_the_field(api_for, members, assignment_of, body, field):
    api = api_for(members["ann1"])
    claim = create(api, assignment_of("ann1"))
    assert patch(api, claim, stance="favor").status_code == 200
    response = api.post(f"/api/v1/claims/{claim['id']}/restore/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Claim.objects.get(pk=claim["id"]).version == 2


def test_a_version_older_than_the_recorded_history_cannot_be_restored(api_for, members, assignment_of):
    api = api_for(members["ann1"])
    claim = create(api, assignment_of("ann1"))
    assert patch(api, claim, stance="favor").status_code == 200
    Change.objects.filter(
        entity="claim", entity_id=claim["id"], version=2
    ).delete()  # kept from before history
    response = api.post(f"/api/v1/claims/{claim['id']}/restore/", {"version": 1, "current_version": 2})
    assert response.status_code == 400
    assert "older than the recorded history" in response.json()["version"][0]


def test_history_reads_newest_first_with_actor_and_speaker_names(api_for, members, assignment_of, speakers):
    api = api_for(members["ann1"])
    claim = create(api, assignment_of("ann1"))
    assert patch(api, claim, speaker=speakers["Antony Blinken"].pk).status_code == 200
    response = api.get(f"/api/v1/claims/{claim['id']}/history/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["action"], r["version"], r["actor"]) for r in rows] == [
        ("update", 2, "ann1"),
        ("create", 1, "ann1"),
    ]
    assert rows[0]["before"] == {"speaker": None}
    assert rows[0]["speakers"] == {str(speakers["Antony Blinken"].pk): "Antony Blinken"}


@pytest.mark.parametrize(
    ("who", "status"),
    [("ann1", 200), ("rev", 200), ("res", 200), ("man", 200), ("ann2", 404), ("outsider", 404)],
)
def test_who_reads_a_claims_history(api_for, members, assignment_of, who, status):
    claim = create(api_for(members["ann1"]), assignment_of("ann1"))
    response = api_for(members[who]).get(f"/api/v1/claims/{claim['id']}/history/")
    assert response.status_code == status
    if status == 404:
        assert "create" not in response.content.decode()


@pytest.mark.parametrize(("who", "status"), [("rev", 403), ("ann2", 404)])
def test_only_the_claims_annotator_restores_it(api_for, members, assignment_of, who, status):
    api = api_for(members["ann1"])
    claim = create(api, assignment_of("ann1"))
    assert patch(api, claim, stance="favor").status_code == 200
    response = api_for(members[who]).post(
        f"/api/v1/claims/{claim['id']}/restore/", {"version": 1, "current_version": 2}
    )
    assert response.status_code == status
    assert Claim.objects.get(pk=claim["id"]).stance == "favor"


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


def split(captured) -> tuple[list[str], list[str]]:
    """(statements, transaction control) of the captured queries."""
    control = [q["sql"] for q in captured.captured_queries if q["sql"].startswith(TRANSACTION_CONTROL)]
    return [q["sql"] for q in captured.captured_queries if q["sql"] not in control], control


def history_writes(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if 'INSERT INTO "history_change"' in q["sql"]]


def test_a_save_through_the_api_adds_at_most_one_insert(api_for, members, assignment_of):
    api = api_for(members["ann1"])
    create(api, assignment_of("ann1"))  # the passage is in progress from here on
    with CaptureQueriesContext(connection) as created:
        claim = create(api, assignment_of("ann1"))
    with CaptureQueriesContext(connection) as updated:
        assert patch(api, claim, stance="favor").status_code == 200
    assert len(history_writes(created)) == 1
    statements, _ = split(created)
    assert len(statements) <= 5, statements  # the claim's INSERT, its history INSERT, the reads around
    # An update is recorded by the UPDATE statement itself (on PostgreSQL): nothing is added.
    (written,) = history_writes(updated)
    assert written.startswith('WITH changed AS (UPDATE "labeling_claim"')
    statements, control = split(updated)
    assert control == []  # not even a transaction: the one statement is atomic
    assert len(statements) <= 4, statements
