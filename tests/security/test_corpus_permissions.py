"""Projects, documents and passages: members see their projects; nobody else learns they exist."""

import pytest
from rest_framework.test import APIClient

from annotator.corpus.models import Document

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("who", ["ann1", "rev", "res", "man"])
def test_members_list_their_project_documents_and_passages(project, members, seeded, who):
    client = client_for(members[who])
    assert [p["slug"] for p in client.get("/api/v1/projects/").json()["results"]] == ["summits"]
    documents = client.get(f"/api/v1/documents/?project={project.pk}").json()["results"]
    assert len(documents) == 2
    passages = client.get(f"/api/v1/passages/?document={documents[0]['id']}").json()
    assert passages["count"] in (26, 37)


def test_outsider_sees_no_project_and_gets_404s(project, members, seeded):
    client = client_for(members["outsider"])
    document = Document.objects.first()
    assert client.get("/api/v1/projects/").json()["results"] == []
    assert client.get(f"/api/v1/projects/{project.pk}/").status_code == 404
    assert client.get(f"/api/v1/documents/?project={project.pk}").status_code == 404
    assert client.get(f"/api/v1/documents/{document.pk}/").status_code == 404
    assert client.get(f"/api/v1/passages/?document={document.pk}").json()["results"] == []


def test_anonymous_is_refused_everywhere(project):
    client = APIClient()
    for url in ["/api/v1/projects/", f"/api/v1/documents/?project={project.pk}"]:
        assert client.get(url).status_code in (401, 403)


def test_pages_hide_projects_from_non_members(client, project, members):
    client.force_login(members["outsider"])
    assert client.get("/projects/summits/").status_code == 404
    client.force_login(members["ann1"])
    assert client.get("/projects/summits/").status_code == 200


def test_document_titles_are_escaped_on_pages(client, project, members):
    from annotator.corpus.services import content_digest

    text = "<script>alert(1)</script>\nBody."
    Document.objects.create(
        project=project, title="<script>alert(1)</script>", text=text, sha256=content_digest(text)
    )
    client.force_login(members["ann1"])
    body = client.get("/projects/summits/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
