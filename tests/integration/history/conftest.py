"""A small project whose passages are assigned to every annotator, built through the services."""

import pytest
from rest_framework.test import APIClient

from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import, speaker_create
from annotator.labeling.assignment_services import assignments_distribute
from annotator.labeling.models import Assignment

ARTICLE = """Summit watch

Wang Junsheng said the summit was a signal to Washington. Blinken said the treaty threatens stability.

Chinese scholars think the bridge over the Tumen River matters most. Others disagreed.
"""


@pytest.fixture
def assigned(project, members):
    """Two passages, each assigned to ann1, ann2 and ann3 (overlap 3)."""
    documents_import(project=project, records=[ArticleRecord(title="Summit watch", text=ARTICLE)])
    assignments_distribute(project=project)
    return project


@pytest.fixture
def assignment_of(assigned):
    """assignment_of(username, position=0) -> that annotator's assignment on that passage."""

    def find(username: str, position: int = 0) -> Assignment:
        rows = Assignment.objects.select_related("passage__document__project", "annotator")
        return rows.get(annotator__username=username, passage__position=position)

    return find


@pytest.fixture
def speakers(assigned, members):
    """Two approved speakers of the project."""
    return {
        name: speaker_create(project=assigned, name=name, kind="person", created_by=members["rev"])
        for name in ("Wang Junsheng", "Antony Blinken")
    }


@pytest.fixture
def api_for():
    """api_for(user) -> an APIClient authenticated as `user`."""

    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def claim_body(assignment: Assignment, phrase: str, **extra) -> dict:
    """A valid claim payload on `phrase` of the assignment's passage."""
    start = assignment.passage.text.index(phrase)
    return {
        "assignment": assignment.pk,
        "start": start,
        "end": start + len(phrase),
        "attribution": "indirect",
        "perspective": "chinese",
        "stance": "neutral",
        **extra,
    }
