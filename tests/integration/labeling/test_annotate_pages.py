"""The pages around annotation: progress on the project list, the queue, the editor page, assigning."""

import json

import pytest

from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import
from annotator.labeling.assignment_services import assignment_submit, assignments_distribute
from annotator.labeling.models import Assignment
from annotator.labeling.services import claim_create

pytestmark = pytest.mark.django_db


def editor_json(response, name: str):
    body = response.content.decode()
    return json.loads(body.split(f'<script id="{name}" type="application/json">')[1].split("</script>")[0])


def test_home_lists_only_member_projects_with_the_users_progress(client, members, assigned, assignment_of):
    from annotator.corpus.services import project_create

    project_create(name="Not mine", slug="not-mine")
    assignment_submit(assignment=assignment_of("ann1", 0))
    client.force_login(members["ann1"])
    page = client.get("/").content.decode()
    assert "Summits" in page and "Not mine" not in page
    assert "1 / 3 submitted" in page
    assert 'style="width: 33%"' in page
    assert 'href="/projects/summits/annotate/"' in page and "Continue annotating" in page


def test_one_click_from_home_opens_the_next_passage(client, members, assigned, assignment_of):
    client.force_login(members["ann1"])
    response = client.get("/projects/summits/annotate/")
    assert response.status_code == 302
    assert response["Location"] == f"/projects/summits/annotate/{assignment_of('ann1', 0).pk}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    workspace = editor_json(page, "editor-workspace")
    assert workspace["passage"]["position"] == 0 and workspace["editable"] is True
    config = editor_json(page, "editor-config")
    assert config["project"]["slug"] == "summits"
    assert [p["key"] for p in config["schema"]["perspectives"]] == ["1", "2", "3", "4", "5", "6"]
    assert 'type="module"' in page.content.decode() and "annotator/editor.js" in page.content.decode()


def test_when_everything_is_submitted_the_queue_shows_the_done_screen(
    client, members, assigned, assignment_of
):
    for assignment in Assignment.objects.select_related("passage__document").filter(
        annotator=members["ann1"]
    ):
        assignment_submit(assignment=assignment)
    client.force_login(members["ann1"])
    page = client.get("/projects/summits/annotate/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "All done in Summits" in body and "3 / 3 submitted" in body
    assert f'href="/projects/summits/annotate/{assignment_of("ann1", 0).pk}/"' in body  # go over it again
    assert "All done — go over your work" in client.get("/").content.decode()


def test_someone_without_assignments_is_told_so(client, members, assigned):
    client.force_login(members["rev"])
    body = client.get("/projects/summits/annotate/").content.decode()
    assert "Nothing to annotate in Summits" in body


def test_user_text_reaches_the_page_escaped_and_as_json_data(client, members, project, assignment_of):
    text = "Evil </script><script>alert(1)</script> & co\n\nIt said <b>bold</b> things here today.\n"
    documents_import(project=project, records=[ArticleRecord(title="<i>Title</i>", text=text)])
    assignments_distribute(project=project)
    assignment = (
        Assignment.objects.select_related("passage__document__project")
        .filter(annotator=members["ann1"])
        .first()
    )
    phrase = assignment.passage.text.split()[1]
    start = assignment.passage.text.index(phrase)
    claim_create(
        assignment=assignment,
        start=start,
        end=start + len(phrase),
        attribution="authorial",
        perspective="chinese",
        stance="favor",
        note="</script><img src=x onerror=alert(1)>",
    )
    client.force_login(members["ann1"])
    body = client.get(f"/projects/summits/annotate/{assignment.pk}/").content.decode()
    assert "<script>alert(1)" not in body and "<img src=x" not in body and "<b>bold</b>" not in body
    assert "<i>Title</i>" not in body
    workspace = editor_json(client.get(f"/projects/summits/annotate/{assignment.pk}/"), "editor-workspace")
    assert workspace["claims"][0]["note"] == "</script><img src=x onerror=alert(1)>"


def test_a_manager_assigns_from_the_project_page_and_sees_each_annotators_progress(client, members, project):
    documents_import(
        project=project,
        records=[
            ArticleRecord(
                title="Watch", text="Watch\n\nOne paragraph of text here.\n\nAnother one here too.\n"
            )
        ],
    )
    client.force_login(members["man"])
    page = client.get("/projects/summits/").content.decode()
    assert "Assign passages to annotators" in page and "Nothing assigned yet." in page
    response = client.post("/projects/summits/assign/", follow=True)
    assert "6 new assignments" in response.content.decode()
    assert Assignment.objects.count() == 6
    page = client.post("/projects/summits/assign/", follow=True).content.decode()
    assert "0 new assignments" in page
    for name in ("ann1", "ann2", "ann3"):
        assert f"<td>{name}</td>" in page


def test_an_annotator_sees_their_progress_and_a_start_link_on_the_project_page(client, members, assigned):
    client.force_login(members["ann1"])
    page = client.get("/projects/summits/").content.decode()
    assert "0 / 3 submitted" in page and "Start annotating" in page
    assert "Assign passages" not in page
