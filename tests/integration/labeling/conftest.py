"""A small project whose passages are assigned to every annotator, built through the services."""

import pytest
from rest_framework.test import APIClient

from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import, speaker_create
from annotator.labeling.assignment_services import assignments_distribute
from annotator.labeling.models import Assignment

ARTICLE = """Summit watch

Officials in Beijing described the agreements as fulfilling a legitimate need. Scholars focused on the bridge.

Emoji first 😀🇨🇳 then 𝒳 text: Wang Junsheng said the summit was a signal to Washington. Others disagreed.

A third paragraph closes the article with a short remark.
"""


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # The shared `members` fixture makes seven users; real PBKDF2 costs ~0.4 s each and proves nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def assigned(project, members):
    """Three passages, each assigned to ann1, ann2 and ann3 (overlap 3)."""
    documents_import(project=project, records=[ArticleRecord(title="Summit watch", text=ARTICLE)])
    assignments_distribute(project=project)
    return project


def find_assignment(username: str, position: int = 0) -> Assignment:
    """The annotator's assignment on the passage at `position` of the first document."""
    rows = Assignment.objects.select_related("passage__document__project", "annotator").filter(
        annotator__username=username, passage__position=position
    )
    return rows.order_by("passage__document_id").first()


@pytest.fixture
def assignment_of(assigned):
    """assignment_of(username, position=0) -> that annotator's assignment on that passage."""
    return find_assignment


@pytest.fixture
def speaker(assigned, members):
    return speaker_create(
        project=assigned,
        name="Wang Junsheng",
        kind="person",
        affiliation="cn_scholar",
        created_by=members["ann1"],
    )


@pytest.fixture
def api_client():
    """api_client(user) -> an APIClient logged in as `user` (anonymous for None)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def claim_body():
    """claim_body(assignment, phrase, **extra) -> a valid claim payload on that phrase."""
    return make_claim_body


def make_claim_body(assignment: Assignment, phrase: str, **extra) -> dict:
    """A valid claim on `phrase` (located in the passage the way Python counts characters)."""
    start = assignment.passage.text.index(phrase)
    return {
        "assignment": assignment.pk,
        "start": start,
        "end": start + len(phrase),
        "text": phrase,
        "attribution": "authorial",
        "perspective": "chinese",
        "stance": "neutral",
        **extra,
    }
