"""Size limits: a JSON 413 for an oversized API body, and a length limit on every free-text field, checked
by the API (a 400 naming the field and the limit) and by the database (so no other path stores more)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

from annotator import limits
from annotator.corpus.models import Project
from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import
from annotator.db_limits import StoredTextTooLong
from annotator.labeling.assignment_services import assignments_distribute
from annotator.labeling.models import Assignment, Claim
from annotator.labeling.services import claim_create
from annotator.review.models import Adjudication

pytestmark = pytest.mark.django_db

TEXT = "Watch\n\nOfficials described the talks as useful. Scholars disagreed.\n"


@pytest.fixture
def work(project, members):
    documents_import(project=project, records=[ArticleRecord(title="Watch", text=TEXT)])
    assignments_distribute(project=project)
    assignment = Assignment.objects.select_related("passage__document__project").get(
        annotator=members["ann1"], passage__position=0
    )
    start = assignment.passage.text.index("Scholars disagreed")
    claim = claim_create(
        assignment=assignment,
        start=start,
        end=start + 18,
        attribution="authorial",
        perspective="chinese",
        stance="neutral",
    )
    return {"assignment": assignment, "claim": claim}


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- request bodies -----------------------------------------------------------------------------------


def test_an_oversized_api_body_is_a_json_413_naming_the_limit(members, settings):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = '{"note": "' + "x" * (limit + 10) + '"}'

    api = api_as(members["ann1"])

    response = api.generic("POST", "/api/v1/claims/", body, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["limit_bytes"] == limit == 10 * 1024 * 1024
    assert f"the limit is {limit} bytes" in response.json()["detail"]


def test_a_body_just_under_the_limit_reaches_the_api(members, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    body = '{"assignment": "x", "pad": "' + "x" * 1900 + '"}'

    api = api_as(members["ann1"])

    response = api.generic("POST", "/api/v1/claims/", body, content_type="application/json")

    assert response.status_code == 400 and "assignment" in response.json()


def test_file_uploads_keep_their_own_limit(project, members, settings):
    """A multipart upload over the body limit is not refused as a body: the importer decides (50 MB)."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    article = ("Title\n\n" + "The delegation met officials in the capital. " * 60).encode()
    upload = SimpleUploadedFile("long.txt", article, content_type="text/plain")

    response = api_as(members["man"]).post(
        "/api/v1/article-imports/", {"project": project.pk, "file": [upload]}, format="multipart"
    )

    assert len(article) > 1000
    assert response.status_code == 201, response.content


def test_pages_outside_the_api_keep_djangos_own_answer(client, project, members, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(members["man"])

    response = client.post(f"/projects/{project.slug}/settings/", {"name": "x" * 2000})

    assert response.status_code == 400


# --- the API names the field and the limit ------------------------------------------------------------


def test_a_claim_note_over_5000_characters_is_refused_and_5000_is_kept(work, members):
    api, claim = api_as(members["ann1"]), work["claim"]

    too_long = api.patch(f"/api/v1/claims/{claim.pk}/", {"version": 1, "note": "n" * 5001}, format="json")
    assert too_long.status_code == 400
    assert "5000" in too_long.json()["note"][0]

    fits = api.patch(f"/api/v1/claims/{claim.pk}/", {"version": 1, "note": "n" * 5000}, format="json")
    assert fits.status_code == 200
    assert len(Claim.objects.get(pk=claim.pk).note) == 5000


def test_a_new_claim_with_a_long_note_or_target_is_refused(work, members):
    assignment = work["assignment"]
    start = assignment.passage.text.index("Officials")
    body = {
        "assignment": assignment.pk,
        "start": start,
        "end": start + 9,
        "attribution": "authorial",
        "perspective": "chinese",
        "stance": "favor",
    }
    api = api_as(members["ann1"])

    long_note = api.post("/api/v1/claims/", {**body, "note": "n" * 9_000_000}, format="json")
    long_target = api.post("/api/v1/claims/", {**body, "target": "t" * 201}, format="json")

    assert long_note.status_code == 400 and "5000" in long_note.json()["note"][0]  # it was once a 201
    assert long_target.status_code == 400 and "200" in long_target.json()["target"][0]
    assert api.post("/api/v1/claims/", {**body, "note": "n" * 5001}, format="json").status_code == 400
    assert Claim.objects.count() == 1


def test_a_flag_note_over_2000_characters_is_refused(work, members):
    url = f"/api/v1/assignments/{work['assignment'].pk}/flag/"

    response = api_as(members["ann1"]).post(url, {"reason": "unclear", "note": "n" * 2001}, format="json")

    assert response.status_code == 400 and "2000" in response.json()["note"][0]


def test_gold_and_adjudication_notes_are_limited(work, members):
    passage = work["assignment"].passage
    url = f"/api/v1/review-passages/{passage.pk}/adjudication/"
    start = passage.text.index("Officials")
    gold = {
        "start": start,
        "end": start + 9,
        "attribution": "authorial",
        "perspective": "chinese",
        "stance": "favor",
    }
    api = api_as(members["rev"])

    long_gold = api.put(url, {"version": 0, "claims": [{**gold, "note": "n" * 5001}]}, format="json")
    long_note = api.put(url, {"version": 0, "note": "n" * 10_001, "claims": [gold]}, format="json")

    assert long_gold.status_code == 400 and "5000" in str(long_gold.json())
    assert long_note.status_code == 400 and "10000" in long_note.json()["note"][0]
    assert not Adjudication.objects.exists()


def test_speaker_names_and_aliases_are_limited(project, members):
    api = api_as(members["ann1"])
    body = {"project": project.pk, "name": "Wang Junsheng"}

    long_name = api.post("/api/v1/speakers/", {**body, "name": "w" * 301}, format="json")
    long_alias = api.post("/api/v1/speakers/", {**body, "aliases": ["a" * 301]}, format="json")
    aliases = [f"a{i}" for i in range(51)]
    many_aliases = api.post("/api/v1/speakers/", {**body, "aliases": aliases}, format="json")

    assert long_name.status_code == 400 and "300" in long_name.json()["name"][0]
    assert long_alias.status_code == 400 and "aliases" in long_alias.json()
    assert many_aliases.status_code == 400 and "50" in str(many_aliases.json()["aliases"])


def test_project_names_and_guidelines_are_limited(project, members):
    api = api_as(members["man"])

    url = f"/api/v1/projects/{project.pk}/"

    long_guidelines = api.patch(url, {"guidelines": "g" * 100_001}, format="json")
    long_name = api.patch(url, {"name": "p" * 201}, format="json")
    fits = api.patch(url, {"guidelines": "g" * 100_000}, format="json")

    assert long_guidelines.status_code == 400 and "100000" in long_guidelines.json()["guidelines"][0]
    assert long_name.status_code == 400 and "200" in long_name.json()["name"][0]
    assert fits.status_code == 200


def test_the_project_form_names_the_guidelines_limit(client, members, project):
    client.force_login(members["man"])

    response = client.post(
        f"/projects/{project.slug}/settings/",
        {"name": "Summits", "slug": "summits", "overlap": 3, "blind": "1", "guidelines": "g" * 100_001},
    )

    assert response.status_code in (200, 400)
    assert "100000" in response.content.decode() or "100,000" in response.content.decode()
    assert Project.objects.get(pk=project.pk).guidelines == ""


# --- the database holds the same limits -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "field", "limit"),
    [
        (Claim, "note", limits.CLAIM_NOTE),
        (Assignment, "note", limits.ASSIGNMENT_NOTE),
        (Assignment, "flag_note", limits.FLAG_NOTE),
        (Project, "guidelines", limits.GUIDELINES),
    ],
)
def test_the_database_refuses_longer_text_from_any_path(work, model, field, limit):
    rows = model.objects.all()
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(**{field: "x" * (limit + 1)})
    rows.update(**{field: "x" * limit})
    assert all(len(value) == limit for value in rows.values_list(field, flat=True))


def test_longer_gold_notes_and_adjudication_notes_are_refused_by_the_database(work, members):
    adjudication = Adjudication.objects.create(passage=work["assignment"].passage, reviewer=members["rev"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Adjudication.objects.filter(pk=adjudication.pk).update(note="x" * (limits.ADJUDICATION_NOTE + 1))


@pytest.mark.django_db(transaction=True)
def test_the_migration_stops_naming_the_rows_when_stored_text_is_longer(work):
    """Text stored before the limit existed is never cut: the migration names the rows and stops."""
    executor = MigrationExecutor(connection)
    executor.migrate([("labeling", "0009_assignment_project")])
    claim = work["claim"]
    Claim.objects.filter(pk=claim.pk).update(note="x" * (limits.CLAIM_NOTE + 1))

    executor = MigrationExecutor(connection)
    with pytest.raises(StoredTextTooLong) as refused:
        executor.migrate([("labeling", "0010_text_length_limits")])

    message = str(refused.value)
    assert "1 labeling.claim row(s) have a note longer than 5,000 characters" in message
    assert f"ids {claim.pk}" in message and "truncates nothing" in message
    assert len(Claim.objects.get(pk=claim.pk).note) == limits.CLAIM_NOTE + 1

    Claim.objects.filter(pk=claim.pk).update(note="shortened")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(note="x" * (limits.CLAIM_NOTE + 1))
