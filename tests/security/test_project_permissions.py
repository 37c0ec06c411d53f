"""Project setup pages and endpoints: only managers change a project; nobody else learns more than a 404."""

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from annotator.corpus.models import Membership, Project, Role

pytestmark = pytest.mark.django_db

NOT_MANAGERS = ["ann1", "rev", "res", "outsider"]


def _pages(project, members) -> list[tuple[str, str, dict]]:
    target = members["ann2"].pk
    return [
        ("get", "/projects/summits/settings/", {}),
        ("post", "/projects/summits/settings/", {"name": "Hacked", "overlap": "3", "blind": "1"}),
        ("get", "/projects/summits/members/", {}),
        ("post", "/projects/summits/members/add/", {"user": "outsider", "role": "manager"}),
        ("post", f"/projects/summits/members/{target}/role/", {"role": "manager"}),
        ("post", f"/projects/summits/members/{target}/remove/", {}),
        (
            "post",
            "/projects/summits/members/new-account/",
            {"account-username": "x", "account-role": "manager"},
        ),
    ]


def _endpoints(project, members) -> list[tuple[str, str, dict]]:
    base = f"/api/v1/projects/{project.pk}/"
    target = members["ann2"].pk
    return [
        ("patch", base, {"name": "Hacked"}),
        ("get", f"{base}members/", {}),
        ("post", f"{base}members/", {"user": "outsider", "role": "manager"}),
        ("patch", f"{base}members/{target}/", {"role": "manager"}),
        ("delete", f"{base}members/{target}/", {}),
        ("post", f"{base}accounts/", {"username": "x", "role": "manager"}),
    ]


def _unchanged(project, members) -> None:
    project.refresh_from_db()
    assert project.name == "Summits"
    assert Membership.objects.get(project=project, user=members["ann2"]).role == Role.ANNOTATOR
    assert not Membership.objects.filter(project=project, user=members["outsider"]).exists()
    assert not Membership.objects.filter(user__username="x").exists()


@pytest.mark.parametrize("who", NOT_MANAGERS)
def test_pages_answer_404_to_everyone_but_managers(client, project, members, who):
    client.force_login(members[who])
    for method, url, data in _pages(project, members):
        assert getattr(client, method)(url, data).status_code == 404, (who, method, url)
    _unchanged(project, members)


@pytest.mark.parametrize("who", NOT_MANAGERS)
def test_endpoints_answer_404_to_everyone_but_managers(project, members, who):
    client = APIClient()
    client.force_authenticate(members[who])
    for method, url, data in _endpoints(project, members):
        assert getattr(client, method)(url, data, format="json").status_code == 404, (who, method, url)
    _unchanged(project, members)


@pytest.mark.parametrize(("who", "role"), [("ann1", "annotator"), ("rev", "reviewer"), ("res", "researcher")])
def test_members_read_their_project_through_the_api_and_outsiders_do_not(project, members, who, role):
    client = APIClient()
    client.force_authenticate(members[who])
    assert client.get(f"/api/v1/projects/{project.pk}/").json()["role"] == role
    client.force_authenticate(members["outsider"])
    assert client.get(f"/api/v1/projects/{project.pk}/").status_code == 404


def test_managers_and_superusers_reach_every_page(client, project, members, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="root-pw-123")
    for user in (members["man"], root):
        client.force_login(user)
        assert client.get("/projects/summits/settings/").status_code == 200
        assert client.get("/projects/summits/members/").status_code == 200
    assert client.get("/projects/new/").status_code == 200, "superusers may create projects"


@pytest.mark.parametrize("who", ["ann1", "rev", "res", "man", "outsider"])
def test_only_the_add_project_permission_creates_projects(client, project, members, who):
    client.force_login(members[who])
    assert client.get("/projects/new/").status_code == 403
    api = APIClient()
    api.force_authenticate(members[who])
    assert api.post("/api/v1/projects/", {"name": "Mine"}, format="json").status_code == 403
    members[who].user_permissions.add(
        Permission.objects.get(codename="add_project", content_type__app_label="corpus")
    )
    api.force_authenticate(type(members[who]).objects.get(pk=members[who].pk))
    assert api.post("/api/v1/projects/", {"name": "Mine"}, format="json").status_code == 201
    assert Project.objects.filter(slug="mine").exists()


def test_anonymous_visitors_are_sent_to_log_in_or_refused(client, project):
    for url in ["/projects/new/", "/projects/summits/settings/", "/projects/summits/members/"]:
        assert client.get(url).status_code == 302
    assert client.post("/projects/guidelines-preview/", {"text": "x"}).status_code == 302
    assert APIClient().post("/api/v1/projects/", {"name": "x"}, format="json").status_code in (401, 403)


def test_a_manager_of_one_project_cannot_manage_another(client, project, members, make_user):
    from annotator.corpus.project_services import project_create_by

    other = project_create_by(user=make_user("boss"), name="Other", slug="other")
    client.force_login(members["man"])
    assert client.get("/projects/other/settings/").status_code == 404
    api = APIClient()
    api.force_authenticate(members["man"])
    assert api.patch(f"/api/v1/projects/{other.pk}/", {"name": "Mine"}, format="json").status_code == 404
    # A member id of another project through this project's URL is not found either.
    boss = Membership.objects.get(project=other).user
    assert api.delete(f"/api/v1/projects/{project.pk}/members/{boss.pk}/").status_code == 404
    assert client.post(f"/projects/summits/members/{boss.pk}/remove/").status_code == 404
    assert Membership.objects.filter(project=other, user=boss).exists()


def test_text_members_type_is_escaped_on_the_members_page(client, project, members, make_user):
    from annotator.corpus.services import membership_set

    membership_set(project=project, user=make_user("x<img>", email="a@b.c"), role=Role.ANNOTATOR)
    client.force_login(members["man"])
    body = client.get("/projects/summits/members/").content.decode()
    assert "x<img>" not in body and "x&lt;img&gt;" in body
