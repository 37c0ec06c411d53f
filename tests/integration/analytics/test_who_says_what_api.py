"""GET /api/v1/projects/<slug>/who-says-what/ (JSON and CSV) and its claims list, checked against the
hand-counted project and against the OpenAPI schema the API publishes."""

import csv
import io
import json

import jsonschema
import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from annotator.corpus.models import Document

URL = "/api/v1/projects/summits/who-says-what/"


@pytest.fixture
def client(members) -> APIClient:
    api = APIClient()
    api.force_authenticate(members["res"])
    return api


def _json_schema(node):
    """OpenAPI 3.0 → JSON Schema: `nullable: true` becomes a null type (jsonschema ignores the keyword)."""
    if isinstance(node, dict):
        node = {key: _json_schema(value) for key, value in node.items()}
        if node.pop("nullable", False):
            node = {"anyOf": [node, {"type": "null"}]}
        return node
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    return node


def response_schema(path: str, tmp_path) -> dict:
    target = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(target))
    document = json.loads(target.read_text())
    operation = document["paths"][path]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return {**_json_schema(schema), "components": _json_schema(document["components"])}


def test_the_report_matches_the_hand_counts_and_its_published_schema(client, built, tmp_path):
    response = client.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["claims"] == {"gold": 2, "majority": 4}
    assert body["coverage"]["pending"] == 1
    assert "more than half" in body["definition"]
    row = next(r for r in body["crosstab"] if r["speaker_type"] == "author's voice" and r["group"] == "")
    assert row == {
        "group": "",
        "group_label": "(no outlet)",
        "voice": "author",
        "speaker_affiliation": None,
        "speaker_kind": None,
        "speaker_type": "author's voice",
        "perspective": "neutral_mixed",
        "stance": "neutral",
        "claims": {"gold": 0, "majority": 1},
    }
    jsonschema.validate(body, response_schema("/api/v1/projects/{slug}/who-says-what/", tmp_path))


def test_the_schema_documents_the_majority_definition(tmp_path):
    target = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(target))
    operation = json.loads(target.read_text())["paths"]["/api/v1/projects/{slug}/who-says-what/"]["get"]
    assert "more than half" in operation["description"]
    assert set(operation["responses"]["200"]["content"]) == {"application/json", "text/csv"}


def test_grouping_by_document_pages_by_key(client, built, monkeypatch):
    monkeypatch.setattr("annotator.analytics.selectors.DOCUMENT_PAGE", 1)
    first = client.get(URL, {"by": "document"}).json()
    a, b = (built[k][0].document_id for k in ("a", "b"))
    assert [g["key"] for g in first["groups"]] == [str(a)] and first["next_after"] == a
    assert first["claims"] == {"gold": 2, "majority": 4}  # project-wide figures cover every document
    second = client.get(URL, {"by": "document", "after": first["next_after"]}).json()
    assert [g["key"] for g in second["groups"]] == [str(b)] and second["next_after"] is None
    assert {r["group"] for r in second["crosstab"]} == {str(b)}


def test_csv_is_the_crosstab_and_neutralises_formulas(client, built, project):
    Document.objects.filter(project=project, source="Wire A").update(source='=HYPERLINK("http://x")')
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="summits-who-says-what-outlet.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 5
    hostile = [r for r in rows if r["group"].startswith("'=")]
    assert len(hostile) == 3 and all(r["group_label"] == '\'=HYPERLINK("http://x")' for r in hostile)
    gold_quote = next(r for r in hostile if r["speaker_type"] == "US government · Person")
    assert (gold_quote["gold"], gold_quote["majority"], gold_quote["claims"]) == ("1", "1", "2")


def test_bad_parameters_are_a_400_naming_them(client, built):
    response = client.get(URL, {"by": "speaker", "document": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"by", "document"}
    as_csv = client.get(URL, {"by": "speaker", "format": "csv"})
    assert as_csv.status_code == 400 and "by," in as_csv.content.decode()
    claims = client.get(URL + "claims/", {"basis": "vote", "after": "nope"})
    assert claims.status_code == 400 and set(claims.json()) == {"basis", "after"}


def test_the_claims_list_filters_by_basis_and_matches_its_schema(client, built, tmp_path):
    response = client.get(URL + "claims/", {"basis": "gold"})
    assert response.status_code == 200
    body = response.json()
    assert sorted(c["text"] for c in body["claims"]) == [
        "Blinken said the treaty threatens regional stability",
        "Chinese scholars think the bridge over the Tumen River matters most",
    ]
    assert all(c["agreeing"] is None and c["basis"] == "gold" for c in body["claims"])
    jsonschema.validate(body, response_schema("/api/v1/projects/{slug}/who-says-what/claims/", tmp_path))


def test_the_api_runs_the_same_queries_whatever_the_project_size(
    client, built, project, django_assert_num_queries
):
    from tests.integration.analytics.builders import add_agreed_articles

    with django_assert_num_queries(5):
        small = client.get(URL).json()
    add_agreed_articles(project, 3)
    with django_assert_num_queries(5):
        large = client.get(URL).json()
    assert len(large["groups"]) == len(small["groups"]) + 3
    with django_assert_num_queries(4):
        assert client.get(URL + "claims/", {"basis": "majority"}).status_code == 200
