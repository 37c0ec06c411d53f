"""The hand-counted who-says-what project (builders.py), for every test here."""

import pytest

from tests.integration.analytics.builders import build_who_says_what


@pytest.fixture
def built(project, members):
    return build_who_says_what(project, members)
