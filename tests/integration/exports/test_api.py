"""The export API: a streamed download, and jobs with a file to fetch (imports: test_import_api.py)."""

import csv
import io

import pytest
from rest_framework.test import APIClient

from annotator.agreement.models import RunStatus
from annotator.exports.models import ExportJob
from annotator.exports.selectors import ExportFilters
from annotator.exports.services import export_stream

pytestmark = pytest.mark.django_db

STREAM = "/api/v1/exports/stream/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_stream_endpoint_sends_the_export_as_an_attachment(annotated):
    response = client_for(annotated.people["res"]).get(
        STREAM, {"project": annotated.project.pk, "format": "csv"}
    )
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="summits-csv.csv"'
    chunks, _, _ = export_stream(project=annotated.project, format="csv", filters=ExportFilters())
    assert body(response) == b"".join(chunks)


def test_the_stream_endpoint_applies_the_filters(annotated):
    astral = annotated.passages[2]
    response = client_for(annotated.people["res"]).get(
        STREAM,
        {
            "project": annotated.project.pk,
            "format": "csv",
            "documents": astral.document_id,
            "annotators": "ann2",
        },
    )
    rows = list(csv.DictReader(io.StringIO(body(response).decode(), newline="")))
    assert {(row["annotator"], row["passage_id"]) for row in rows} == {("ann2", str(astral.pk))}


def test_bad_filters_are_a_400_naming_the_field(annotated):
    response = client_for(annotated.people["res"]).get(
        STREAM, {"project": annotated.project.pk, "format": "xlsx", "status": "maybe", "documents": "one"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"format", "status", "documents"}


def test_a_job_is_queued_run_listed_and_downloaded(annotated, django_capture_on_commit_callbacks):
    client = client_for(annotated.people["res"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/exports/",
            {"project": annotated.project.pk, "format": "jsonl", "annotators": ["ann1"], "source": "all"},
            format="json",
        )
    assert response.status_code == 202 and response.json()["status"] == RunStatus.QUEUED
    job_id = response.json()["id"]
    job = client.get(f"/api/v1/exports/{job_id}/").json()
    assert job["status"] == RunStatus.SUCCEEDED and job["progress"] == 100
    assert job["parameters"]["annotators"] == ["ann1"]
    assert job["download_url"].endswith(f"/api/v1/exports/{job_id}/download/")
    listed = client.get("/api/v1/exports/", {"project": annotated.project.pk}).json()
    assert [item["id"] for item in listed["results"]] == [job_id]
    download = client.get(f"/api/v1/exports/{job_id}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="summits-jsonl.jsonl"'
    filters = ExportFilters(annotators=("ann1",), source="all")
    chunks, _, _ = export_stream(project=annotated.project, format="jsonl", filters=filters)
    assert b"".join(download.streaming_content) == b"".join(chunks)


def test_a_job_not_done_cannot_be_downloaded_yet(annotated):
    job = ExportJob.objects.create(project=annotated.project, format="csv")
    response = client_for(annotated.people["res"]).get(f"/api/v1/exports/{job.pk}/download/")
    assert response.status_code == 409
