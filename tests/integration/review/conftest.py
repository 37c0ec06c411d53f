"""Projects with articles written for the review tests (sentences the constructed claims point at)."""

import pytest

from annotator.corpus.models import Passage
from tests.integration.review.builders import import_article


@pytest.fixture
def passages(project, members) -> list[Passage]:
    """Six passages of one article in the project; ann1-ann3 are its annotators."""
    return import_article(project, "Summit report", 6)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Users are made by the dozen here; a cheap hasher keeps that quick (logins still check it)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
