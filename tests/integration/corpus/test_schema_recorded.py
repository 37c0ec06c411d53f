"""Agreement runs and export jobs record the schema version in force; the admin keeps the schema rules."""

import copy
from unittest import mock

import pytest
from django.urls import reverse

from annotator.agreement.services import agreement_run_request
from annotator.corpus.models import Project, SchemaVersion
from annotator.corpus.schema_services import schema_update
from annotator.exports.selectors import ExportFilters
from annotator.exports.services import export_job_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_version(project, members) -> Project:
    schema = copy.deepcopy(project.schema)
    schema["stances"][0]["label"] = "For"
    schema_update(project=project, schema=schema, changed_by=members["man"])
    return Project.objects.get(pk=project.pk)


def test_an_agreement_run_records_the_schema_version(second_version):
    run = agreement_run_request(project=second_version, enqueue=False)
    assert run.schema_version == 2


def test_an_export_job_records_the_schema_version(second_version, members):
    with mock.patch("annotator.exports.tasks.export_job_execute"):
        job = export_job_request(
            project=second_version, format="jsonl", filters=ExportFilters(), requested_by=members["res"]
        )
    assert job.schema_version == 2


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    return client


def admin_form(project: Project, schema: str) -> dict[str, str]:
    return {
        "name": project.name,
        "slug": project.slug,
        "guidelines": project.guidelines,
        "schema": schema,
        "overlap": str(project.overlap),
        "blind": "on" if project.blind else "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "schema_versions-TOTAL_FORMS": "0",
        "schema_versions-INITIAL_FORMS": "0",
    }


def test_the_admin_refuses_a_schema_without_perspectives_naming_the_field(admin_client, project):
    url = reverse("admin:corpus_project_change", args=[project.pk])
    response = admin_client.post(url, admin_form(project, '{"perspectives": []}'))
    assert response.status_code == 200
    assert "perspectives: Perspectives need at least one item." in response.content.decode()
    assert Project.objects.get(pk=project.pk).schema_version == 1


def test_the_admin_saves_a_valid_schema_as_a_new_version(admin_client, project):
    import json

    schema = copy.deepcopy(project.schema)
    schema["stances"][0]["label"] = "For"
    url = reverse("admin:corpus_project_change", args=[project.pk])
    response = admin_client.post(url, admin_form(project, json.dumps(schema)))
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = SchemaVersion.objects.get(project=project, version=2)
    assert saved.changes == ['stances "favor": label "Favor" → "For"']
    assert saved.changed_by.username == "boss"
