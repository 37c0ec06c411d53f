"""The export page: download now, run in the background, import annotations."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from annotator.agreement.models import RunStatus
from annotator.exports.models import ExportJob
from annotator.exports.selectors import ExportFilters
from annotator.exports.services import export_stream
from annotator.labeling.models import Claim

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def page_as(client, user, name="exports", **kwargs):
    client.force_login(user)
    return reverse(name, args=["summits"])


def test_researchers_see_the_export_form_without_the_import_form(client, annotated):
    url = page_as(client, annotated.people["res"])
    html = client.get(url).content.decode()
    assert 'action="/projects/summits/exports/download/"' in html
    assert 'value="hf"' in html and 'value="label_studio"' in html and 'value="conll"' in html
    assert "Import annotations" not in html
    assert "annotator/exports.js" in html and 'id="exports-config"' in html


def test_managers_also_see_the_import_form(client, annotated):
    html = client.get(page_as(client, annotated.people["man"])).content.decode()
    assert 'action="/projects/summits/exports/import/"' in html


def test_download_now_streams_the_export_with_the_chosen_filters(client, annotated):
    page_as(client, annotated.people["res"])
    response = client.post(
        reverse("exports-download", args=["summits"]),
        {"format": "jsonl", "source": "gold", "status": "submitted"},
    )
    assert response.status_code == 200 and response.streaming
    chunks, _, _ = export_stream(
        project=annotated.project, format="jsonl", filters=ExportFilters(source="gold")
    )
    assert b"".join(response.streaming_content) == b"".join(chunks)


def test_a_bad_choice_shows_the_page_again_with_the_message(client, annotated):
    page_as(client, annotated.people["res"])
    response = client.post(reverse("exports-download", args=["summits"]), {"format": "<b>xlsx</b>"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Unknown format" in html and "<b>xlsx</b>" not in html and "&lt;b&gt;xlsx&lt;/b&gt;" in html


def test_run_in_background_queues_a_job_that_the_page_lists_with_its_download(
    client, annotated, django_capture_on_commit_callbacks
):
    url = page_as(client, annotated.people["res"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("exports-job-create", args=["summits"]),
            {
                "format": "csv",
                "annotators": ["ann1", "ann2"],
                "documents": [annotated.passages[0].document_id],
            },
        )
    assert response.status_code == 302 and response["Location"] == url
    job = ExportJob.objects.get()
    assert job.status == RunStatus.SUCCEEDED
    assert job.parameters["annotators"] == ["ann1", "ann2"]
    html = client.get(url).content.decode()
    assert f'data-job="{job.pk}"' in html and f"/api/v1/exports/{job.pk}/download/" in html


def test_a_job_error_is_shown_escaped(client, annotated):
    ExportJob.objects.create(
        project=annotated.project, format="csv", status=RunStatus.FAILED, error="<script>alert(1)</script>"
    )
    html = client.get(page_as(client, annotated.people["res"])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_manager_previews_an_import_then_confirms_it_without_sending_the_file_again(
    client, annotated, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    url = page_as(client, annotated.people["man"])
    line = {"id": 1, "text": "Putin praised the treaty.", "label": [[0, 5, "RU"]]}
    form = {"format": "doccano", "label_map": '{"RU": "russian"}', "create_users": "on"}
    response = client.post(
        reverse("exports-import", args=["summits"]),
        {**form, "action": "preview", "file": SimpleUploadedFile("carol.jsonl", json.dumps(line).encode())},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview:" in html and "carol" in html and "new account" in html
    assert not Claim.objects.filter(assignment__annotator__username="carol").exists(), (
        "a preview writes nothing"
    )
    token = response.context["preview_token"]
    assert token and f'value="{token}"' in html
    other = annotated.people["res"]
    client.force_login(other)
    refused = client.post(
        reverse("exports-import", args=["summits"]), {**form, "action": "import", "preview_token": token}
    )
    assert refused.status_code == 404, "only managers import"
    client.force_login(annotated.people["man"])
    response = client.post(
        reverse("exports-import", args=["summits"]), {**form, "action": "import", "preview_token": token}
    )
    assert response.status_code == 302 and response["Location"] == url
    assert Claim.objects.filter(assignment__annotator__username="carol").count() == 1
    assert "Imported 1 claims" in client.get(url).content.decode()
    again = client.post(
        reverse("exports-import", args=["summits"]), {**form, "action": "import", "preview_token": token}
    )
    assert again.status_code == 400 and "expired" in again.content.decode(), "a preview is used once"


def test_an_import_with_problems_lists_them_and_imports_nothing(client, annotated, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page_as(client, annotated.people["man"])
    line = {"id": 1, "text": "Putin praised the treaty.", "label": [[0, 5, "<img src=x onerror=alert(1)>"]]}
    before = Claim.objects.count()
    response = client.post(
        reverse("exports-import", args=["summits"]),
        {
            "format": "doccano",
            "action": "import",
            "file": SimpleUploadedFile("ann1.jsonl", json.dumps(line).encode()),
            "label_map": '{"RU": "russian"}',
        },
    )
    assert response.status_code == 400 and Claim.objects.count() == before
    html = response.content.decode()
    assert "nothing was imported" in html and "unknown label" in html
    assert "<img src=x" not in html
    assert "{&quot;RU&quot;: &quot;russian&quot;}" in html, "the label map is kept for another try"


def test_a_malformed_label_map_on_the_page_names_the_label(client, annotated):
    page_as(client, annotated.people["man"])
    response = client.post(
        reverse("exports-import", args=["summits"]),
        {
            "action": "preview",
            "file": SimpleUploadedFile("ann1.jsonl", b'{"text": "Xi spoke.", "label": [[0, 2, "SPEAKER"]]}'),
            "label_map": '{"SPEAKER": null}',
        },
    )
    assert response.status_code == 400 and "SPEAKER" in response.content.decode()
