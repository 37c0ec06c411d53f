"""Annotated projects for the agreement tests."""

import pytest

from tests.integration.agreement.annotations import annotate


@pytest.fixture
def annotated(project, members, seeded):
    """The seed project, annotated by ann1–ann3 (three per passage) and submitted."""
    annotate(project)
    return project
