"""Uploading article files through the API: 201 with a summary, 400 naming the line, 413 when too big."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from annotator.corpus.models import Document
from annotator.corpus.readers import MAX_FILE_BYTES

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[3]


def upload(user, project_id, name: str, data: bytes):
    client = APIClient()
    client.force_authenticate(user)
    return client.post(
        "/api/v1/documents/import/",
        {"project": project_id, "file": SimpleUploadedFile(name, data)},
        format="multipart",
    )


def test_manager_imports_a_seed_article(project, members):
    data = (REPO / "seeds" / "003_5e84ef38828d30a4.txt").read_bytes()
    response = upload(members["man"], project.pk, "003.txt", data)
    assert response.status_code == 201, response.content
    assert response.json() == {"documents": 1, "passages": 37, "skipped_duplicates": 0, "encoding": "UTF-8"}
    assert upload(members["man"], project.pk, "003.txt", data).json()["skipped_duplicates"] == 1


def test_malformed_upload_answers_400_naming_the_line_and_saves_nothing(project, members):
    response = upload(members["man"], project.pk, "bad.jsonl", b'{"text": "ok"}\n{"text": \n')
    assert response.status_code == 400
    assert "bad.jsonl, line 2" in response.json()["file"][0]
    assert Document.objects.count() == 0


def test_oversized_upload_answers_413(project, members, settings):
    response = upload(members["man"], project.pk, "big.txt", b"x" * (MAX_FILE_BYTES + 1))
    assert response.status_code == 413
    assert "50 MB" in response.json()["file"][0]


@pytest.mark.parametrize("who", ["ann1", "rev", "res", "outsider"])
def test_only_managers_import(project, members, who):
    response = upload(members[who], project.pk, "a.txt", b"Title\nBody text here.")
    assert response.status_code == 404
    assert Document.objects.count() == 0


def test_anonymous_cannot_import(project):
    response = APIClient().post("/api/v1/documents/import/", {"project": project.pk}, format="multipart")
    assert response.status_code in (401, 403)


def test_openapi_schema_is_generated(members):
    client = APIClient()
    client.force_authenticate(members["man"])
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/documents/import/" in response.content


def test_openapi_schema_has_no_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    schema = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/claims/" in schema and "/api/v1/agreement-runs/" in schema
