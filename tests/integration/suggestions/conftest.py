"""A project with one article whose quotes the detector finds, assigned to every annotator."""

import pytest

from annotator.corpus.models import Document
from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import, speaker_create
from annotator.labeling.assignment_services import assignments_distribute
from annotator.suggestions.services import suggestions_detect
from tests.integration.labeling.conftest import api_client  # noqa: F401  (fixture)
from tests.integration.suggestions.builders import ARTICLE


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def speakers(project):
    """Two approved project speakers the article names (one by an alias)."""
    return {
        "wang": speaker_create(
            project=project, name="Wang Junsheng", kind="person", affiliation="cn_scholar"
        ),
        "blinken": speaker_create(
            project=project, name="Antony Blinken", kind="person", affiliation="us_gov", aliases=["Blinken"]
        ),
    }


@pytest.fixture
def article(project, members, speakers) -> Document:
    """The article imported, its passages assigned to ann1–ann3, its suggestions computed."""
    documents_import(project=project, records=[ArticleRecord(title="Summit talk", text=ARTICLE)])
    assignments_distribute(project=project)
    document = Document.objects.get(project=project)
    suggestions_detect(document=document)
    return document
