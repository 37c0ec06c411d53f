"""The project switch for suggestions: settings page, API, create_project, admin; the editor follows."""

import json
import re

import pytest
from django.core.management import call_command

from annotator.corpus.models import Project
from annotator.corpus.project_services import project_update
from tests.integration.suggestions.builders import assignment_on, suggestion_of

pytestmark = pytest.mark.django_db


def settings_form(project: Project, **overrides) -> dict:
    form = {"name": project.name, "slug": project.slug, "overlap": str(project.overlap), "blind": "1"}
    return {**form, "guidelines": "", **overrides}


def test_a_manager_turns_suggestions_off_and_on_in_the_settings_page(client, project, members):
    client.force_login(members["man"])
    page = client.get(f"/projects/{project.slug}/settings/").content.decode()
    assert re.search(r'<input type="checkbox" name="suggestions"[^>]* checked', page)
    assert client.post(f"/projects/{project.slug}/settings/", settings_form(project)).status_code == 302
    project.refresh_from_db()
    assert project.suggestions is False  # an unticked box
    page = client.get(f"/projects/{project.slug}/settings/").content.decode()
    assert not re.search(r'name="suggestions"[^>]* checked', page)
    client.post(f"/projects/{project.slug}/settings/", settings_form(project, suggestions="on"))
    project.refresh_from_db()
    assert project.suggestions is True


def test_the_projects_api_reads_and_changes_the_switch(project, members, api_client):
    manager = api_client(members["man"])
    assert manager.get(f"/api/v1/projects/{project.pk}/").json()["suggestions"] is True
    response = manager.patch(f"/api/v1/projects/{project.pk}/", {"suggestions": False}, format="json")
    assert response.status_code == 200 and response.json()["suggestions"] is False
    assert Project.objects.get(pk=project.pk).suggestions is False
    bad = manager.patch(f"/api/v1/projects/{project.pk}/", {"suggestions": "perhaps"}, format="json")
    assert bad.status_code == 400 and "suggestions" in bad.json()
    annotator = api_client(members["ann1"])
    assert (
        annotator.patch(f"/api/v1/projects/{project.pk}/", {"suggestions": True}, format="json").status_code
        == 404
    )


def test_create_project_takes_no_suggestions(db):
    call_command("create_project", "blind-study", "--name", "Blind study", "--no-suggestions")
    call_command("create_project", "primed", "--name", "Primed")
    assert dict(Project.objects.values_list("slug", "suggestions")) == {"blind-study": False, "primed": True}


def test_the_admin_lists_and_filters_projects_by_the_switch(admin_client, project):
    project_update(project=project, suggestions=False)
    page = admin_client.get("/admin/corpus/project/?suggestions__exact=0")
    assert page.status_code == 200 and project.name in page.content.decode()
    assert (
        project.name not in admin_client.get("/admin/corpus/project/?suggestions__exact=1").content.decode()
    )


def test_the_suggestion_admin_shows_rows_and_writes_none(admin_client, article):
    quote = suggestion_of("We will deepen")
    page = admin_client.get(f"/admin/suggestions/suggestion/{quote.pk}/change/")
    assert page.status_code == 200 and "We will deepen" in page.content.decode()
    assert admin_client.get("/admin/suggestions/suggestion/add/").status_code == 403
    admin_client.post(f"/admin/suggestions/suggestion/{quote.pk}/change/", {"text": "changed"})
    quote.refresh_from_db()
    assert quote.text == "We will deepen our partnership in every field"


def test_with_the_switch_off_the_editor_gets_no_suggestions(article, project, members, client):
    mine = assignment_on("ann1", suggestion_of("We will deepen"))
    client.force_login(members["ann1"])
    url = f"/projects/{project.slug}/annotate/{mine.pk}/"
    assert len(_page_data(client.get(url).content.decode())["suggestions"]) >= 1
    project_update(project=project, suggestions=False)
    page = client.get(url).content.decode()
    assert _page_data(page)["suggestions"] == [] and 'id="suggestion-list"' not in page
    assert '"suggestions": false' in page  # the editor's config: no keys for them either


def _page_data(page: str) -> dict:
    found = re.search(r'<script id="editor-workspace" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))
