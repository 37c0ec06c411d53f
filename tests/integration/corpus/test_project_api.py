"""The projects API: create, change settings, members; 400s name the field."""

import pytest
from rest_framework.test import APIClient

from annotator.corpus.models import Membership, Project, Role

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_creator_posts_a_project_and_manages_it(creator):
    response = client_for(creator).post(
        "/api/v1/projects/",
        {"name": "Study", "overlap": 2, "blind": False, "guidelines": "Read **this**"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["slug"], body["overlap"], body["blind"], body["role"]) == ("study", 2, False, "manager")
    assert body["guidelines_html"] == "<p>Read <strong>this</strong></p>"
    assert body["guidelines_updated_at"] is not None and body["schema_version"] == 1
    assert Membership.objects.get(project_id=body["id"], user=creator).role == Role.MANAGER


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": ""}, "name"),
        ({}, "name"),
        ({"name": "X", "slug": "summits"}, "slug"),
        ({"name": "X", "overlap": 0}, "overlap"),
        ({"name": "X", "overlap": 51}, "overlap"),
        ({"name": "X", "overlap": "lots"}, "overlap"),
        ({"name": "X", "slug": "no spaces"}, "slug"),
    ],
)
def test_a_bad_project_is_a_400_naming_the_field(project, creator, payload, field):
    response = client_for(creator).post("/api/v1/projects/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Project.objects.count() == 1


def test_managers_patch_settings_and_the_schema_stays_read_only(project, members):
    schema = project.schema
    response = client_for(members["man"]).patch(
        f"/api/v1/projects/{project.pk}/",
        {
            "name": "Renamed",
            "slug": "renamed",
            "overlap": 5,
            "blind": False,
            "guidelines": "v2",
            "schema": {},
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    project.refresh_from_db()
    assert (project.name, project.slug, project.overlap, project.blind) == ("Renamed", "renamed", 5, False)
    assert project.guidelines_updated_at is not None and project.schema == schema
    bad = client_for(members["man"]).patch(f"/api/v1/projects/{project.pk}/", {"overlap": 99}, format="json")
    assert bad.status_code == 400 and "overlap" in bad.json()


def test_put_and_delete_of_a_project_are_not_offered(project, members):
    client = client_for(members["man"])
    assert client.put(f"/api/v1/projects/{project.pk}/", {"name": "x"}, format="json").status_code == 405
    assert client.delete(f"/api/v1/projects/{project.pk}/").status_code == 405


def test_managers_list_add_change_and_remove_members(project, members, make_user):
    make_user("dana", email="dana@example.org")
    client = client_for(members["man"])
    listed = client.get(f"/api/v1/projects/{project.pk}/members/").json()
    assert [m["username"] for m in listed] == ["ann1", "ann2", "ann3", "man", "res", "rev"]
    assert listed[0] == {
        "user": members["ann1"].pk, "username": "ann1", "email": "", "role": "annotator",
        "guidelines_read_at": None, "assigned": 0, "submitted": 0, "claims": 0,
    }  # fmt: skip
    added = client.post(
        f"/api/v1/projects/{project.pk}/members/",
        {"user": "dana@example.org", "role": "reviewer"},
        format="json",
    )
    assert added.status_code == 201 and added.json()["username"] == "dana"
    dana = added.json()["user"]
    changed = client.patch(
        f"/api/v1/projects/{project.pk}/members/{dana}/", {"role": "researcher"}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["role"] == "researcher"
    assert client.delete(f"/api/v1/projects/{project.pk}/members/{dana}/").status_code == 204
    assert client.delete(f"/api/v1/projects/{project.pk}/members/{dana}/").status_code == 404


def test_member_errors_are_400s_naming_the_field(project, members):
    client = client_for(members["man"])
    url = f"/api/v1/projects/{project.pk}/members/"
    unknown = client.post(url, {"user": "ghost", "role": "annotator"}, format="json")
    assert unknown.status_code == 400
    assert unknown.json() == {"user": ["There is no account with that username or e-mail."]}
    assert "role" in client.post(url, {"user": "outsider", "role": "boss"}, format="json").json()
    last = client.patch(f"{url}{members['man'].pk}/", {"role": "annotator"}, format="json")
    assert last.status_code == 400 and "at least one manager" in last.json()["role"][0]
    assert client.delete(f"{url}{members['man'].pk}/").status_code == 400


def test_an_account_created_through_the_api_comes_with_a_working_link(project, members, client):
    response = client_for(members["man"]).post(
        f"/api/v1/projects/{project.pk}/accounts/", {"username": "newbie", "role": "annotator"}, format="json"
    )
    assert response.status_code == 201 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["member"]["username"] == "newbie" and body["member"]["role"] == "annotator"
    page = client.get(body["set_password_url"], follow=True)
    assert page.context["validlink"]


def test_the_openapi_schema_describes_the_projects_api_without_warnings(tmp_path):
    import yaml
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--file", str(out))
    paths = yaml.safe_load(out.read_text())["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/projects/"])
    assert "patch" in paths["/api/v1/projects/{id}/"]
    assert {"get", "post"} <= set(paths["/api/v1/projects/{id}/members/"])
    assert {"patch", "delete"} <= set(paths["/api/v1/projects/{id}/members/{user_id}/"])
    assert "post" in paths["/api/v1/projects/{id}/accounts/"]
