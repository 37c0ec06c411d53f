"""Exports are for researchers, reviewers and managers; imports for managers; to anyone else a 404."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from annotator.accounts.services import api_token_create
from annotator.agreement.models import RunStatus
from annotator.corpus.models import Role
from annotator.corpus.services import membership_set, project_create
from annotator.exports.models import ExportJob
from annotator.labeling.models import Claim

pytestmark = pytest.mark.django_db

EXPORTERS = ["res", "rev", "man"]
NOT_EXPORTERS = ["ann1", "outsider"]


@pytest.fixture(autouse=True)
def fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def done_job(project, members, tmp_path, settings) -> ExportJob:
    path = settings.MEDIA_ROOT / "exports" / "1-summits-csv.csv"
    path.parent.mkdir(parents=True)
    path.write_text("passage_id\n")
    return ExportJob.objects.create(
        project=project, format="csv", status=RunStatus.SUCCEEDED, file="exports/1-summits-csv.csv"
    )


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def import_request(client: APIClient, project) -> int:
    line = {"id": 1, "text": "Putin praised the treaty.", "label": [[0, 5, "RU"]]}
    return client.post(
        "/api/v1/annotation-imports/",
        {
            "project": project.pk,
            "format": "doccano",
            "file": SimpleUploadedFile("ann1.jsonl", json.dumps(line).encode()),  # a member's work
            "label_map": '{"RU": "russian"}',
        },
        format="multipart",
    ).status_code


@pytest.mark.parametrize("who", EXPORTERS)
def test_researchers_reviewers_and_managers_export(project, members, done_job, who):
    client = client_for(members[who])
    assert client.get("/api/v1/exports/stream/", {"project": project.pk, "format": "csv"}).status_code == 200
    assert client.get("/api/v1/exports/", {"project": project.pk}).status_code == 200
    assert client.get(f"/api/v1/exports/{done_job.pk}/").status_code == 200
    assert client.get(f"/api/v1/exports/{done_job.pk}/download/").status_code == 200


@pytest.mark.parametrize("who", NOT_EXPORTERS)
def test_annotators_and_outsiders_get_404_for_every_export_url(project, members, done_job, who):
    client = client_for(members[who])
    assert client.get("/api/v1/exports/stream/", {"project": project.pk, "format": "csv"}).status_code == 404
    assert client.get("/api/v1/exports/", {"project": project.pk}).status_code == 404
    assert client.post("/api/v1/exports/", {"project": project.pk, "format": "csv"}).status_code == 404
    assert client.get(f"/api/v1/exports/{done_job.pk}/").status_code == 404
    assert client.get(f"/api/v1/exports/{done_job.pk}/download/").status_code == 404
    assert not ExportJob.objects.exclude(pk=done_job.pk).exists()


@pytest.mark.parametrize("who", ["ann1", "rev", "res", "outsider"])
def test_only_managers_import_annotations(project, members, who):
    assert import_request(client_for(members[who]), project) == 404
    assert not Claim.objects.exists()
    assert import_request(client_for(members["man"]), project) == 201


def test_a_job_of_another_project_is_a_404(project, members, make_user):
    other = project_create(name="Other", slug="other")
    membership_set(project=other, user=make_user("elsewhere"), role=Role.MANAGER)
    job = ExportJob.objects.create(project=other, format="csv", status=RunStatus.SUCCEEDED)
    client = client_for(members["res"])
    assert client.get(f"/api/v1/exports/{job.pk}/").status_code == 404
    assert client.get(f"/api/v1/exports/{job.pk}/download/").status_code == 404
    assert [j["id"] for j in client.get("/api/v1/exports/", {"project": project.pk}).json()["results"]] == []


def test_anonymous_is_refused(project, done_job):
    client = APIClient()
    assert client.get("/api/v1/exports/stream/", {"project": project.pk, "format": "csv"}).status_code in (
        401,
        403,
    )
    assert client.get(f"/api/v1/exports/{done_job.pk}/download/").status_code in (401, 403)


def test_a_token_is_enough_for_scripts(project, members):
    _, secret = api_token_create(user=members["res"], name="export script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert (
        client.get("/api/v1/exports/stream/", {"project": project.pk, "format": "jsonl"}).status_code == 200
    )


@pytest.mark.parametrize("who", NOT_EXPORTERS)
def test_the_export_page_and_its_actions_are_404_for_annotators_and_outsiders(client, project, members, who):
    client.force_login(members[who])
    assert client.get("/projects/summits/exports/").status_code == 404
    assert client.post("/projects/summits/exports/download/", {"format": "csv"}).status_code == 404
    assert client.post("/projects/summits/exports/jobs/", {"format": "csv"}).status_code == 404
    assert client.post("/projects/summits/exports/import/", {"format": "doccano"}).status_code == 404
    assert not ExportJob.objects.exists()


def test_researchers_cannot_import_through_the_page(client, project, members):
    client.force_login(members["res"])
    assert client.get("/projects/summits/exports/").status_code == 200
    assert client.post("/projects/summits/exports/import/", {"format": "doccano"}).status_code == 404


def test_the_page_needs_a_login(client, project):
    response = client.get("/projects/summits/exports/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
