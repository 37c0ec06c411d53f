"""The schema editor page: who may read and edit, what a form post saves, and its query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator.corpus.models import Project, SchemaVersion
from annotator.labeling.models import Claim
from tests.integration.exports.conftest import annotate_project

pytestmark = pytest.mark.django_db


def url(project: Project) -> str:
    return reverse("project-schema", args=[project.slug])


def form_of(project: Project) -> dict[str, str]:
    """The fields the page posts for the project's schema as it stands."""
    schema = project.schema
    data = {"version": str(project.schema_version)}
    for name in ("perspectives", "stances", "attributions", "speaker_kinds", "affiliations"):
        for index, item in enumerate(schema[name]):
            data[f"{name}-{index}-original"] = item["value"]
            data[f"{name}-{index}-order"] = str(index)
            for field in ("value", "label", "key", "colour", "help", "perspective"):
                if item.get(field):
                    data[f"{name}-{index}-{field}"] = item[field]
    for index, target in enumerate(schema["targets"]):
        data[f"targets-{index}-name"] = target
        if target == schema["default_target"]:
            data["default_target"] = str(index)
    return data


@pytest.mark.parametrize("username", ["ann1", "rev", "res", "man"])
def test_every_member_reads_the_schema(client, project, members, username):
    client.force_login(members[username])
    response = client.get(url(project))
    assert response.status_code == 200
    assert "US / Western" in response.content.decode()
    assert ('id="schema-save"' in response.content.decode()) == (username == "man")


def test_an_outsider_gets_404(client, project, members):
    client.force_login(members["outsider"])
    assert client.get(url(project)).status_code == 404
    assert client.post(url(project), form_of(project)).status_code == 404


def test_a_visitor_is_sent_to_log_in(client, project):
    assert client.get(url(project)).status_code == 302


@pytest.mark.parametrize("username", ["ann1", "rev", "res"])
def test_members_who_do_not_manage_cannot_save(client, project, members, username):
    client.force_login(members[username])
    data = form_of(project) | {"stances-0-label": "For"}
    assert client.post(url(project), data).status_code == 403
    assert Project.objects.get(pk=project.pk).schema_version == 1


def test_a_manager_renames_a_value_and_adds_a_stance_through_the_form(client, project, members, seeded):
    annotated = annotate_project(project, members)
    chinese = Claim.objects.filter(perspective="chinese").count()
    client.force_login(members["man"])
    data = form_of(project) | {
        "perspectives-1-value": "prc",
        "perspectives-1-label": "PRC",
        "stances-3-value": "mixed",
        "stances-3-label": "Mixed",
        "stances-3-key": "x",
        "stances-3-order": "3",
    }
    response = client.post(url(project), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.schema_version == 2
    assert Claim.objects.filter(perspective="prc").count() == chinese
    assert [s["value"] for s in project.schema["stances"]] == ["favor", "against", "neutral", "mixed"]
    saved = SchemaVersion.objects.get(project=project, version=2)
    assert saved.changed_by == members["man"]
    assert 'perspectives: renamed "chinese" to "prc"' in saved.changes
    assert annotated.project.pk == project.pk


def test_a_bad_row_is_shown_next_to_its_field_and_nothing_is_saved(client, project, members):
    client.force_login(members["man"])
    data = form_of(project) | {"perspectives-3-key": "1"}
    response = client.post(url(project), data)
    assert response.status_code == 400
    assert "&quot;1&quot; is already the hotkey of &quot;us_western&quot;" in response.content.decode()
    assert Project.objects.get(pk=project.pk).schema_version == 1


def test_removing_a_value_in_use_is_refused_with_its_count(client, project, members, seeded):
    annotate_project(project, members)
    favor = Claim.objects.filter(stance="favor").count()
    client.force_login(members["man"])
    response = client.post(url(project), form_of(project) | {"stances-0-remove": "1"})
    assert response.status_code == 400
    assert f"is used by {favor} claims" in response.content.decode()


def test_a_form_based_on_an_old_version_is_a_conflict(client, project, members):
    client.force_login(members["man"])
    stale = form_of(project)
    assert client.post(url(project), stale | {"stances-0-label": "For"}).status_code == 302
    response = client.post(url(project), stale | {"stances-1-label": "Contra"})
    assert response.status_code == 409
    assert Project.objects.get(pk=project.pk).schema["stances"][1]["label"] == "Against"


def test_the_merge_form_merges_one_value_into_another(client, project, members, seeded):
    annotate_project(project, members)
    neutral_and_against = Claim.objects.filter(stance__in=["neutral", "against"]).count()
    client.force_login(members["man"])
    data = {"action": "merge", "field": "stances", "source": "neutral", "target": "against"}
    assert client.post(url(project), data).status_code == 302
    assert Claim.objects.filter(stance="against").count() == neutral_and_against
    response = client.get(url(project))
    assert "merged &quot;neutral&quot; into &quot;against&quot;" in response.content.decode()


def test_the_page_runs_the_same_queries_whatever_the_size(client, project, members, seeded):
    client.force_login(members["man"])
    client.get(url(project))  # warm the session and content types
    with CaptureQueriesContext(connection) as empty:
        assert client.get(url(project)).status_code == 200
    annotate_project(project, members)
    for label in ("For", "Pro", "Yes"):
        client.post(url(project), form_of(Project.objects.get(pk=project.pk)) | {"stances-0-label": label})
    with CaptureQueriesContext(connection) as full:
        response = client.get(url(project))
    assert response.status_code == 200
    russian = Claim.objects.filter(perspective="russian").count()
    assert f"{russian} claims" in response.content.decode()
    assert len(full) == len(empty), [q["sql"] for q in full.captured_queries]
