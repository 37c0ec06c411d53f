"""The annotation import API: preview, import, and a clear 4xx for every kind of bad input."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from annotator.corpus.models import Membership
from annotator.labeling.models import Claim

pytestmark = pytest.mark.django_db

URL = "/api/v1/annotation-imports/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def upload(name: str, lines: list[dict]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join(json.dumps(line) for line in lines).encode())


def post(annotated, user: str = "man", **fields):
    return client_for(annotated.people[user]).post(
        URL, {"project": annotated.project.pk, **fields}, format="multipart"
    )


PUTIN = {"id": 1, "text": "Putin praised the treaty.", "label": [[0, 5, "RU"]]}


def test_a_manager_imports_doccano_annotations_with_a_label_map(annotated):
    response = post(
        annotated,
        file=upload("ann3.jsonl", [PUTIN]),
        label_map=json.dumps({"RU": {"perspective": "russian", "stance": "favor"}}),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["claims"] == 1 and body["users_created"] == [] and body["format"] == "auto"
    assert body["annotators"][0]["username"] == "ann3" and body["annotators"][0]["account"] == "member"
    assert (
        Claim.objects.filter(assignment__annotator__username="ann3", text="Putin", stance="favor").count()
        == 1
    )


def test_a_dry_run_is_a_200_with_the_summary_and_writes_nothing(annotated):
    before = Claim.objects.count()
    response = post(
        annotated, file=upload("ann3.jsonl", [PUTIN]), label_map='{"RU": "russian"}', dry_run=True
    )
    assert response.status_code == 200
    assert response.json()["dry_run"] and not response.json()["written"] and response.json()["claims"] == 1
    assert Claim.objects.count() == before


def test_a_bad_record_is_a_400_listing_the_problems_and_nothing_is_imported(annotated):
    before = Claim.objects.count()
    response = post(
        annotated,
        format="doccano",
        file=upload("ann3.jsonl", [PUTIN, {"id": 2, "text": "Short.", "label": [[3, 99, "RU"]]}]),
        label_map='{"RU": "russian"}',
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["records"], body["records_with_errors"]) == (2, 1)
    (error,) = body["errors"]
    assert (error["file"], error["record"]) == ("ann3.jsonl", 2) and "outside the text" in error["message"]
    assert Claim.objects.count() == before


@pytest.mark.parametrize(
    ("fields", "key", "named"),
    [
        ({"label_map": "{not json"}, "label_map", "JSON"),
        ({"label_map": '{"SPEAKER": null}'}, "label_map", "SPEAKER"),
        ({"annotator_map": '{"bob": null}'}, "annotator_map", "bob"),
        ({"format": "excel"}, "format", "excel"),
    ],
)
def test_a_malformed_option_is_a_400_naming_it_never_a_500(annotated, fields, key, named):
    before = Claim.objects.count()
    response = post(annotated, file=upload("ann3.jsonl", [PUTIN]), **fields)
    assert response.status_code == 400, response.content
    assert named in json.dumps(response.json()[key])
    assert Claim.objects.count() == before


def test_a_zip_of_doccano_with_a_collaborative_file_asks_for_its_annotator(annotated):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("all.jsonl", json.dumps({**PUTIN, "label": [[0, 5, "CLAIM"]]}) + "\n")
    data = buffer.getvalue()
    response = post(annotated, file=SimpleUploadedFile("project.zip", data))
    assert response.status_code == 400
    assert "annotator" in json.dumps(response.json()).lower() and "collaborative" in json.dumps(
        response.json()
    )
    response = post(annotated, file=SimpleUploadedFile("project.zip", data), annotator="ann3")
    assert response.status_code == 201, response.json()
    assert Claim.objects.filter(assignment__annotator__username="ann3", text="Putin").exists()


def test_an_account_outside_the_project_cannot_be_written_to_through_a_file(annotated):
    outsider = annotated.people["outsider"]
    for create in (False, True):
        response = post(annotated, file=upload("outsider.jsonl", [PUTIN]), label_map='{"RU": "russian"}',
                        create_users=create)  # fmt: skip
        assert response.status_code == 400
        assert "not a member" in response.json()["errors"][0]["message"]
        assert response.json()["users_created"] == []
    assert not Membership.objects.filter(user=outsider).exists()
    assert not Claim.objects.filter(assignment__annotator=outsider).exists()


def test_only_managers_import(annotated):
    for user in ("ann1", "rev", "res", "outsider"):
        response = post(
            annotated, user=user, file=upload("ann3.jsonl", [PUTIN]), label_map='{"RU": "russian"}'
        )
        assert response.status_code == 404, user


def test_an_oversized_import_is_a_413(annotated, monkeypatch):
    monkeypatch.setattr("annotator.corpus.readers.MAX_FILE_BYTES", 10)
    monkeypatch.setattr("annotator.exports.importing.MAX_FILE_BYTES", 10)
    response = post(
        annotated, file=upload("big.jsonl", [{"text": "a longer text than ten bytes", "label": []}])
    )
    assert response.status_code == 413


def test_the_schema_of_the_summary_is_what_the_endpoint_returns(annotated):
    from api.imports import AnnotatorReportSerializer, ImportSummarySerializer

    body = post(
        annotated, file=upload("ann3.jsonl", [PUTIN]), label_map='{"RU": "russian"}', dry_run=True
    ).json()
    assert set(body) == set(ImportSummarySerializer().fields)
    assert set(body["annotators"][0]) == set(AnnotatorReportSerializer().fields)
