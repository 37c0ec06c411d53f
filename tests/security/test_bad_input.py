"""Bad input is a 4xx that names the problem, never a 500: each input that once broke a view, as a test.

Superscript digits ("²".isdigit() is True, int("²") raises), NUL characters in query filters and export
parameters (PostgreSQL refuses them), a JSON body that is not an object, deeply nested JSON (a
RecursionError), a lone surrogate in an import (no UTF-8 for the content hash), a label-map value that is
a number, unknown enum values, and the browsable API on the review endpoints.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests.security.small_project import SmallProject, build_small_project

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def small(project, make_user, settings, tmp_path) -> SmallProject:
    settings.MEDIA_ROOT = tmp_path
    return build_small_project(project, make_user, tmp_path)


def api(small: SmallProject, role: str) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(small.users[role])
    return client


def web(client, small: SmallProject, role: str):
    client.raise_request_exception = False
    client.force_login(small.users[role])
    return client


def assert_refused(response, name: str, status: int = 400) -> None:
    assert response.status_code == status, response.content[:300]
    assert name in response.json(), response.json()


# --- whole numbers --------------------------------------------------------------------------------


def test_a_superscript_version_on_delete_is_a_400_naming_version(small):
    response = api(small, "annotator").delete(f"/api/v1/claims/{small.ids['claim']}/?version=²")
    assert_refused(response, "version")


def test_a_superscript_after_on_next_is_a_400_naming_after(small):
    response = api(small, "annotator").get(
        f"/api/v1/assignments/next/?project={small.ids['project']}&after=²"
    )
    assert_refused(response, "after")


def test_a_superscript_document_on_passages_is_a_400_naming_document(small):
    assert_refused(api(small, "annotator").get("/api/v1/passages/?document=²"), "document")


@pytest.mark.parametrize("size", ["true", "-292", "0", "²", "1.5"])
@pytest.mark.parametrize("listing", ["claims", "assignments"])
def test_a_page_size_that_is_no_whole_number_from_1_is_a_400(small, listing, size):
    response = api(small, "reviewer").get(
        f"/api/v1/{listing}/?project={small.ids['project']}&page_size={size}"
    )
    assert_refused(response, "page_size")


@pytest.mark.parametrize("flagged", ["0.24", "yes", "1", "TRUE"])
def test_a_flagged_filter_other_than_true_or_false_is_a_400(small, flagged):
    response = api(small, "annotator").get(
        f"/api/v1/assignments/?project={small.ids['project']}&flagged={flagged}"
    )
    assert_refused(response, "flagged")


def test_a_number_beyond_bigint_is_a_400_not_a_database_error(small):
    response = api(small, "annotator").get("/api/v1/passages/?document=99999999999999999999")
    assert_refused(response, "document")


def test_a_superscript_cursor_on_who_says_what_claims_is_a_400(small):
    url = f"/api/v1/projects/{small.ids['slug']}/who-says-what/claims/?after=²-1"
    assert_refused(api(small, "researcher").get(url), "after")


@pytest.mark.parametrize(
    ("page", "role"),
    [("", "annotator"), ("progress/", "manager"), ("articles/upload/", "manager")],
    ids=["documents", "progress", "upload"],
)
def test_superscript_digits_in_a_page_position_show_the_first_page(client, small, page, role):
    """A page's `after`/`job` is a position in a link: a mangled one starts from the top, not a 500."""
    parameter = "job" if "upload" in page else "after"
    url = f"/projects/{small.ids['slug']}/{page}"
    first = web(client, small, role).get(url)
    response = client.get(f"{url}?{parameter}=²")
    assert response.status_code == 200
    assert response.content.count(b"Summit talks") == first.content.count(b"Summit talks")


# --- NUL characters -------------------------------------------------------------------------------


def test_nul_in_the_speaker_search_is_a_400_naming_q(small):
    response = api(small, "annotator").get(f"/api/v1/speakers/?project={small.ids['project']}&q=a%00b")
    assert_refused(response, "q")


def test_nul_in_a_filter_is_a_400_naming_it(small):
    assert_refused(api(small, "manager").get("/api/v1/assignments/?annotator=a%00b"), "annotator")


def test_nul_in_streamed_export_parameters_is_a_400(small):
    url = f"/api/v1/exports/stream/?project={small.ids['project']}&format=csv&annotators=a%00b"
    assert_refused(api(small, "researcher").get(url), "annotators")


def test_nul_in_an_export_job_request_is_a_400(small):
    body = {"project": small.ids["project"], "format": "csv", "annotators": ["a\x00b"]}
    response = api(small, "researcher").post("/api/v1/exports/", body, format="json")
    assert response.status_code == 400
    assert "NUL" in json.dumps(response.json())


def test_nul_in_who_says_what_is_a_400_in_the_api_and_the_page(client, small):
    url = f"/api/v1/projects/{small.ids['slug']}/who-says-what/?outlet=a%00b"
    assert_refused(api(small, "researcher").get(url), "outlet")
    page = web(client, small, "researcher").get(f"/projects/{small.ids['slug']}/who-says-what/?outlet=a%00b")
    assert page.status_code == 400


# --- JSON bodies ----------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["[]", '"x"', "1", "null"], ids=["array", "string", "number", "null"])
@pytest.mark.parametrize(
    "path",
    ["exports", "claims", "agreement-runs", "speakers", "projects", "speaker-curation/merge"],
)
def test_a_body_that_is_not_a_json_object_is_a_400(small, path, body):
    response = api(small, "superuser").post(f"/api/v1/{path}/", body, content_type="application/json")
    assert response.status_code == 400
    assert "JSON object" in response.json()["detail"]


def test_a_deeply_nested_body_is_a_400_not_a_recursion_error(small):
    response = api(small, "manager").post("/api/v1/exports/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]


def test_a_label_schema_that_is_not_an_object_is_a_400(small):
    url = f"/api/v1/projects/{small.ids['project']}/schema/"
    response = api(small, "manager").put(url, {"schema": 1e-12}, format="json")
    assert_refused(response, "schema")


# --- article imports ------------------------------------------------------------------------------


def import_articles(small: SmallProject, name: str, data: bytes):
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return api(small, "manager").post(
        "/api/v1/documents/import/", {"project": small.ids["project"], "file": upload}, format="multipart"
    )


def test_deeply_nested_article_meta_is_a_400_naming_the_line(small):
    meta = '{"a":' * 5000 + "1" + "}" * 5000
    data = b'{"text": "A fine first article."}\n' + f'{{"text": "Second.", "meta": {meta}}}\n'.encode()
    response = import_articles(small, "articles.jsonl", data)
    assert response.status_code == 400
    assert "line 2" in response.json()["file"][0] and "nested deeper" in response.json()["file"][0]


def test_a_lone_surrogate_in_an_import_is_a_400_naming_the_line(small):
    response = import_articles(small, "articles.jsonl", b'{"text": "Broken \\ud800 text."}\n')
    assert response.status_code == 400
    message = response.json()["file"][0]
    assert "line 1" in message and "surrogate" in message


def test_an_escaped_nul_in_an_import_is_a_400_naming_the_line(small):
    response = import_articles(small, "articles.jsonl", b'{"text": "Broken \\u0000 text."}\n')
    assert response.status_code == 400
    assert "NUL" in response.json()["file"][0]


def test_a_paired_surrogate_escape_is_an_ordinary_character(small):
    response = import_articles(small, "articles.jsonl", b'{"text": "A smile \\ud83d\\ude00 here."}\n')
    assert response.status_code == 201, response.content


# --- annotation imports ---------------------------------------------------------------------------


def import_annotations(small: SmallProject, name: str, data: bytes, **fields):
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    body = {"project": small.ids["project"], "file": upload, "dry_run": "true", **fields}
    return api(small, "manager").post("/api/v1/annotation-imports/", body, format="multipart")


def test_a_deeply_nested_label_studio_file_is_a_record_error(small):
    task = '{"data": {"text": "Officials met."}, "annotations": [], "meta": ' + DEEP + "}"
    response = import_annotations(small, "tasks.json", f"[{task}]".encode(), format="label_studio")
    assert response.status_code in (200, 400), response.content[:300]
    assert "nested deeper" in json.dumps(response.json())


def test_a_deeply_nested_doccano_line_is_a_record_error(small):
    line = '{"text": "Officials met.", "entities": ' + DEEP + "}\n"
    response = import_annotations(small, "ann.jsonl", line.encode(), format="doccano")
    assert response.status_code in (200, 400), response.content[:300]
    assert "nested deeper" in json.dumps(response.json())


def test_a_label_map_value_that_is_a_number_is_a_400(small):
    doccano = b'{"text": "Officials met again.", "entities": [], "relations": []}\n'
    response = import_annotations(small, "ann.jsonl", doccano, format="doccano", label_map='{"CLAIM": 7}')
    assert response.status_code == 400
    assert "label_map" in response.json()


def test_a_deeply_nested_label_map_is_a_400(small):
    doccano = b'{"text": "Officials met again.", "entities": [], "relations": []}\n'
    response = import_annotations(small, "ann.jsonl", doccano, format="doccano", label_map=DEEP)
    assert response.status_code == 400
    assert "label_map" in response.json()


# --- enums and the browsable API ------------------------------------------------------------------


def test_an_unknown_assignment_status_is_a_400(small):
    assert_refused(api(small, "manager").get("/api/v1/assignments/?status=bogus"), "status")


def test_an_unknown_attribution_in_who_says_what_claims_is_a_400(small):
    url = f"/api/v1/projects/{small.ids['slug']}/who-says-what/claims/?attribution=bogus"
    assert_refused(api(small, "researcher").get(url), "attribution")


@pytest.mark.parametrize("path", ["review-queue", "speaker-curation"])
def test_the_browsable_api_of_the_review_endpoints_renders(client, small, path):
    response = web(client, small, "reviewer").get(
        f"/api/v1/{path}/?project={small.ids['project']}&format=api"
    )
    assert response.status_code == 200
    assert b"<html" in response.content


# --- a multipart body without a part ---------------------------------------------------------------


def test_a_multipart_body_holding_no_part_is_a_400_and_changes_nothing(small):
    client = api(small, "manager")
    url = f"/api/v1/projects/{small.project.pk}/"
    before = client.get(url).json()
    boundary = "89558a592f4634c8c5f955318663fb81"
    body = f'--{boundary}\r\n[{{"name": "Renamed"}}, [1]]--{boundary}--\r\n'
    response = client.generic("PATCH", url, body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400, response.content[:300]
    assert "Multipart body holds no form field" in response.json()["detail"]
    assert client.get(url).json() == before
    # a well-formed multipart form still updates the project
    renamed = client.patch(url, {"name": "Renamed"}, format="multipart")
    assert renamed.status_code == 200, renamed.content[:300]
    assert client.get(url).json()["name"] == "Renamed"
