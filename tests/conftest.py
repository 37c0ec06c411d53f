"""Shared fixtures: users in every role, a project built through the services, the seed articles."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

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
        return django_user_model.objects.create_user(
            username=username, password=f"{username}-pw-123", **extra
        )

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


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """API throttle counts live in the cache, which outlives a test; each test starts with none."""
    from django.core.cache import cache

    cache.clear()


# Browser tests: a real headless Debian Chromium driven by Playwright against the live Django server.
# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make are still
# plain synchronous code, so Django's guard against async contexts does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
        # While Playwright's sync API is open, asyncio reports a running loop in this thread, so Django
        # (asgiref's Local) keeps the thread's database connections in a context variable, apart from
        # those opened before: every test run meanwhile, e2e or not, uses a second connection, which
        # pytest-django does not see when it drops the test database ("being accessed by other users").
        # Close it while it is still visible.
        connections.close_all()


@pytest.fixture
def login(browser, live_server):
    """login(username) -> a logged-in Playwright page in a fresh browser context."""
    contexts = []

    def open_page(username: str, password: str | None = None):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password or f"{username}-pw-123")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/**")
        return page

    yield open_page
    for context in contexts:
        context.close()
    # The live server's thread and Playwright's loop leave connections open; close them so the test
    # database can be dropped at the end of the session.
    connections.close_all()
