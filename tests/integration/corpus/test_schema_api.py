"""The schema API: reading with usage and history, replacing, renaming and merging, and who may do what."""

import copy

import pytest
from rest_framework.test import APIClient

from annotator.corpus.models import Project, SchemaVersion
from annotator.labeling.models import Claim
from annotator.review.models import GoldClaim
from tests.integration.exports.conftest import annotate_project

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(project: Project, action: str = "") -> str:
    return f"/api/v1/projects/{project.pk}/schema/{action + '/' if action else ''}"


@pytest.mark.parametrize("username", ["ann1", "rev", "res", "man"])
def test_every_member_reads_schema_version_usage_and_history(project, members, username):
    response = api(members[username]).get(url(project))
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1 and body["schema"] == project.schema
    assert body["versions"][0]["version"] == 1 and body["versions"][0]["changes"]
    assert body["usage"] == {}


def test_an_outsider_gets_404_for_reads_and_writes(project, members):
    client = api(members["outsider"])
    assert client.get(url(project)).status_code == 404
    assert client.put(url(project), {"schema": project.schema}, format="json").status_code == 404
    body = {"field": "stances", "old": "favor", "new": "pro"}
    assert client.post(url(project, "rename"), body, format="json").status_code == 404


@pytest.mark.parametrize("username", ["ann1", "rev", "res"])
def test_members_who_do_not_manage_get_403_on_every_write(project, members, username):
    client = api(members[username])
    schema = copy.deepcopy(project.schema)
    schema["stances"][0]["label"] = "For"
    assert client.put(url(project), {"schema": schema}, format="json").status_code == 403
    rename = {"field": "stances", "old": "favor", "new": "pro"}
    assert client.post(url(project, "rename"), rename, format="json").status_code == 403
    merge = {"field": "stances", "source": "neutral", "target": "favor"}
    assert client.post(url(project, "merge"), merge, format="json").status_code == 403
    delete = {"field": "stances", "value": "neutral"}
    assert client.post(url(project, "delete"), delete, format="json").status_code == 403
    assert Project.objects.get(pk=project.pk).schema_version == 1


def test_a_manager_puts_a_new_schema(project, members):
    schema = copy.deepcopy(project.schema)
    schema["stances"].append({"value": "mixed", "label": "Mixed", "key": "x"})
    response = api(members["man"]).put(url(project), {"schema": schema, "version": 1}, format="json")
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["versions"][0] == {
        "version": 2,
        "changes": ['stances: added "mixed" (Mixed)'],
        "changed_by": "man",
        "created_at": response.json()["versions"][0]["created_at"],
    }


def test_a_bad_schema_is_400_naming_the_fields(project, members):
    schema = copy.deepcopy(project.schema)
    schema["perspectives"] = []
    schema["stances"][0]["colour"] = "blurple"
    response = api(members["man"]).put(url(project), {"schema": schema}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"perspectives", "stances[0].colour", "affiliations[0].perspective"} | {
        f"affiliations[{i}].perspective" for i in range(1, 9)
    }


def test_a_put_over_a_newer_version_is_409(project, members):
    client = api(members["man"])
    schema = copy.deepcopy(project.schema)
    schema["stances"][0]["label"] = "For"
    assert client.put(url(project), {"schema": schema, "version": 1}, format="json").status_code == 200
    schema["stances"][1]["label"] = "Contra"
    assert client.put(url(project), {"schema": schema, "version": 1}, format="json").status_code == 409


def test_rename_through_the_api_moves_claims_and_gold_claims(project, members, seeded):
    annotate_project(project, members)
    chinese = Claim.objects.filter(perspective="chinese").count()
    body = {"field": "perspectives", "old": "chinese", "new": "prc", "label": "PRC"}
    response = api(members["man"]).post(url(project, "rename"), body, format="json")
    assert response.status_code == 200
    assert response.json()["usage"]["perspectives"]["prc"] == {
        "claims": chinese,
        "gold_claims": 1,
        "speakers": 0,
    }
    assert not GoldClaim.objects.filter(perspective="chinese").exists()


def test_merge_and_delete_through_the_api(project, members, seeded):
    annotate_project(project, members)
    client = api(members["man"])
    in_use = client.post(url(project, "delete"), {"field": "stances", "value": "favor"}, format="json")
    assert in_use.status_code == 400 and "is used by" in in_use.json()["stances"][0]
    merge = {"field": "stances", "source": "favor", "target": "against"}
    assert client.post(url(project, "merge"), merge, format="json").status_code == 200
    assert not Claim.objects.filter(stance="favor").exists()
    assert SchemaVersion.objects.filter(project=project).count() == 2
    unknown = client.post(
        url(project, "merge"), {"field": "colours", "source": "a", "target": "b"}, format="json"
    )
    assert unknown.status_code == 400 and "field" in unknown.json()
