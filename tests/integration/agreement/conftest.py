"""Annotated projects for the agreement tests."""

import pytest

from tests.integration.agreement.annotations import annotate, import_articles


@pytest.fixture
def annotated(project, members, seeded):
    """The seed project, annotated by ann1–ann3 (three per passage) and submitted."""
    annotate(project)
    return project


@pytest.fixture
def small(project, members):
    """Three short articles (nine passages), annotated by ann1–ann3 and submitted."""
    import_articles(project, documents=3, paragraphs=3)
    annotate(project)
    return project


@pytest.fixture
def four(project, members):
    """Four short articles (two passages each), annotated by ann1–ann3 and submitted."""
    import_articles(project, documents=4, paragraphs=2)
    annotate(project)
    return project
