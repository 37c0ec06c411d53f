"""The project setup pages: new project, settings, members, the guidelines preview and the project page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.corpus.models import Membership, Project, Role

pytestmark = pytest.mark.django_db

HOSTILE = '**Bold** <script>alert("x")</script> <img src=x onerror=alert(1)> [go](javascript:alert(1))'


def _form(**overrides) -> dict:
    return {"name": "Summit study", "slug": "", "overlap": "3", "blind": "1", "guidelines": "", **overrides}


def test_a_user_who_may_create_projects_sees_the_button_and_creates_one(client, creator):
    client.force_login(creator)
    assert 'href="/projects/new/"' in client.get("/").content.decode()
    assert client.get("/projects/new/").status_code == 200
    response = client.post("/projects/new/", _form(blind="0", guidelines="Be **careful**."))
    assert response.status_code == 302 and response["Location"] == "/projects/summit-study/members/"
    project = Project.objects.get(slug="summit-study")
    assert not project.blind and project.guidelines_updated_at is not None
    assert Membership.objects.get(project=project, user=creator).role == Role.MANAGER


def test_others_do_not_see_the_button_and_are_refused_the_page(client, members):
    client.force_login(members["man"])
    assert "/projects/new/" not in client.get("/").content.decode()
    assert client.get("/projects/new/").status_code == 403
    assert client.post("/projects/new/", _form()).status_code == 403
    assert Project.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "required"),
        ({"slug": "summits"}, "slug", "already exists"),
        ({"overlap": "0"}, "overlap", "between 1 and 50"),
        ({"overlap": "51"}, "overlap", "between 1 and 50"),
        ({"overlap": "many"}, "overlap", "whole number"),
        ({"slug": "bad slug"}, "slug", "slug"),
    ],
)
def test_a_bad_field_re_renders_the_form_with_its_error_and_the_input_kept(
    client, project, creator, fields, field, message
):
    client.force_login(creator)
    response = client.post("/projects/new/", _form(guidelines="Kept <b>text</b>", **fields))
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert "Kept &lt;b&gt;text&lt;/b&gt;" in response.content.decode()
    assert Project.objects.count() == 1


def test_the_settings_page_changes_fields_and_follows_a_new_slug(client, project, members):
    client.force_login(members["man"])
    page = client.get("/projects/summits/settings/")
    assert page.status_code == 200 and 'value="summits"' in page.content.decode()
    response = client.post(
        "/projects/summits/settings/",
        _form(name="Renamed", slug="summits-2024", overlap="4", blind="0", guidelines="New **rules**"),
    )
    assert response.status_code == 302 and response["Location"] == "/projects/summits-2024/settings/"
    project.refresh_from_db()
    assert (project.name, project.slug, project.overlap, project.blind) == (
        "Renamed",
        "summits-2024",
        4,
        False,
    )
    assert client.get(response["Location"]).status_code == 200


def test_settings_errors_keep_the_page_working_under_the_old_slug(client, project, members):
    Project.objects.create(name="Other", slug="other")
    client.force_login(members["man"])
    response = client.post("/projects/summits/settings/", _form(name="Summits", slug="other"))
    assert response.status_code == 400
    assert "slug" in response.context["form"].errors
    assert 'action="/projects/summits/settings/"' in response.content.decode()


def test_guidelines_show_sanitised_to_every_member_and_the_preview_renders_the_same(client, project, members):
    project.guidelines = HOSTILE
    project.save()
    for who in ["ann1", "rev", "res", "man"]:
        client.force_login(members[who])
        body = client.get("/projects/summits/").content.decode()
        assert "<strong>Bold</strong>" in body
        assert "<script>alert" not in body and "onerror" not in body and "javascript:" not in body
    preview = client.post("/projects/guidelines-preview/", {"text": HOSTILE}).json()["html"]
    assert "<strong>Bold</strong>" in preview
    assert "<script" not in preview and "onerror" not in preview and "javascript:" not in preview


def test_the_preview_is_post_only_and_for_logged_in_users(client, members):
    assert client.post("/projects/guidelines-preview/", {"text": "x"}).status_code == 302
    client.force_login(members["ann1"])
    assert client.get("/projects/guidelines-preview/").status_code == 405


def test_managers_get_the_setup_links_and_others_do_not(client, project, members):
    client.force_login(members["man"])
    body = client.get("/projects/summits/").content.decode()
    for page in ["settings", "members", "articles/upload", "schema", "progress"]:
        assert f'href="/projects/summits/{page}/"' in body, page
    assert "import_articles" not in body
    client.force_login(members["rev"])
    body = client.get("/projects/summits/").content.decode()
    assert "/settings/" not in body and "/members/" not in body and "/upload/" not in body
    assert "import_articles" not in body


def test_members_are_added_by_email_and_username_and_an_unknown_name_is_a_form_error(
    client, project, members
):
    client.force_login(members["man"])
    members["outsider"].email = "out@example.org"
    members["outsider"].save()
    response = client.post("/projects/summits/members/add/", {"user": "out@example.org", "role": "annotator"})
    assert response.status_code == 302
    assert Membership.objects.get(project=project, user=members["outsider"]).role == Role.ANNOTATOR
    response = client.post("/projects/summits/members/add/", {"user": "<b>ghost</b>", "role": "reviewer"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is no account with that username or e-mail." in body
    assert "<b>ghost</b>" not in body and "&lt;b&gt;ghost&lt;/b&gt;" in body


def test_roles_change_and_members_go_with_the_last_manager_kept(client, project, members):
    client.force_login(members["man"])
    ann1 = members["ann1"]
    client.post(f"/projects/summits/members/{ann1.pk}/role/", {"role": "reviewer"})
    assert Membership.objects.get(project=project, user=ann1).role == Role.REVIEWER
    client.post(f"/projects/summits/members/{ann1.pk}/remove/")
    assert not Membership.objects.filter(project=project, user=ann1).exists()
    response = client.post(
        f"/projects/summits/members/{members['man'].pk}/role/", {"role": "annotator"}, follow=True
    )
    assert "at least one manager" in response.content.decode()
    assert Membership.objects.get(project=project, user=members["man"]).role == Role.MANAGER
    assert client.post(f"/projects/summits/members/{members['outsider'].pk}/remove/").status_code == 404


def test_a_new_account_link_is_shown_once_and_sets_a_password_once(client, project, members):
    client.force_login(members["man"])
    response = client.post(
        "/projects/summits/members/new-account/",
        {"account-username": "newbie", "account-email": "newbie@example.org", "account-role": "annotator"},
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    link = re.search(r'id="set-password-link"[^>]*value="([^"]+)"', response.content.decode()).group(1)
    assert link.startswith("http://testserver/accounts/reset/")
    assert "/accounts/reset/" not in client.get("/projects/summits/members/").content.decode()

    client.logout()
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-long-Passphrase-9", "new_password2": "a-long-Passphrase-9"},
    )
    assert done.status_code == 302
    assert client.login(username="newbie", password="a-long-Passphrase-9")
    client.logout()
    assert not client.get(link, follow=True).context["validlink"], "the link must work only once"


def test_a_new_account_with_a_bad_name_is_a_form_error(client, project, members):
    client.force_login(members["man"])
    response = client.post(
        "/projects/summits/members/new-account/", {"account-username": "ann1", "account-role": "annotator"}
    )
    assert response.status_code == 400
    assert "already exists" in str(response.context["account_form"].errors["username"])


def test_the_members_page_shows_work_counts_in_a_fixed_number_of_queries(client, project, members, make_user):
    from tests.integration.corpus.test_members import _work

    _work(project, members["ann1"], passages=2)
    client.force_login(members["man"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/projects/summits/members/").status_code == 200
        return len(captured)

    small = queries()
    for n in range(20):
        Membership.objects.create(project=project, user=make_user(f"extra{n}"), role=Role.ANNOTATOR)
    _work(project, members["ann2"], passages=3)
    assert queries() == small
    row = client.get("/projects/summits/members/").content.decode()
    assert re.search(r'data-member="ann1">.*?<td>2</td>\s*<td>0</td>\s*<td>2</td>', row, re.S)


def test_a_manager_who_steps_down_or_leaves_lands_where_they_still_may_go(client, project, members):
    from annotator.corpus.services import membership_set

    membership_set(project=project, user=members["rev"], role=Role.MANAGER)
    client.force_login(members["rev"])
    response = client.post(f"/projects/summits/members/{members['rev'].pk}/role/", {"role": "reviewer"})
    assert response["Location"] == "/projects/summits/"
    membership_set(project=project, user=members["rev"], role=Role.MANAGER)
    response = client.post(f"/projects/summits/members/{members['rev'].pk}/remove/")
    assert response["Location"] == "/"
    assert not Membership.objects.filter(project=project, user=members["rev"]).exists()
