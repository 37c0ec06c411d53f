"""Shared fixtures: users in every role, a project built through the services, the seed articles."""

import os
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parent.parent
OUTPUT_DIR = Path(os.environ.get("TEST_OUTPUT_DIR", REPO / "test-output"))


def pytest_report_header(config: pytest.Config) -> str:
    if not settings.configured:
        return "database: none (Django not loaded)"
    return f"database: {settings.DATABASES['default']['ENGINE']} {settings.DATABASES['default'].get('NAME')}"


@pytest.fixture
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, **extra):
        return django_user_model.objects.create_user(username=username, password=f"{username}-pw-123", **extra)

    return make


@pytest.fixture
def project(db):
    from annotator.corpus.services import project_create

    return project_create(name="Summits", slug="summits", overlap=3)


@pytest.fixture
def members(project, make_user) -> dict:
    """Three annotators, a reviewer, a researcher, a manager and an outsider (no membership)."""
    from annotator.corpus.models import Role
    from annotator.corpus.services import membership_set

    people = {}
    for name, role in [
        ("ann1", Role.ANNOTATOR),
        ("ann2", Role.ANNOTATOR),
        ("ann3", Role.ANNOTATOR),
        ("rev", Role.REVIEWER),
        ("res", Role.RESEARCHER),
        ("man", Role.MANAGER),
    ]:
        people[name] = make_user(name)
        membership_set(project=project, user=people[name], role=role)
    people["outsider"] = make_user("outsider")
    return people


@pytest.fixture
def seeded(project):
    """The project with both seed articles imported; returns the import summary."""
    from annotator.corpus.importing import import_path

    summaries = [import_path(project=project, path=path) for path in sorted((REPO / "seeds").glob("*.txt"))]
    return summaries


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing with the production hasher costs ~0.5 s per user; tests only need it to round-trip."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
