"""Every page, for each role that sees it, run through axe-core in a real headless Chromium.

The check is WCAG 2.1 A/AA plus axe's best practices; a page fails on any `serious` or `critical` finding,
and on anything but exactly one main heading (<h1>).
axe-core is vendored: tests/e2e/vendor/axe.min.js (see vendor/README.md for its version and licence).
"""

import json
from unittest import mock

import pytest

from annotator.agreement.services import agreement_run_execute, agreement_run_request
from annotator.corpus.models import Document, Passage
from annotator.labeling.models import Assignment
from tests.e2e.axe import serious_findings
from tests.integration.agreement.annotations import annotate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def annotated(project, members, seeded):
    annotate(project)
    with mock.patch("annotator.agreement.scheduling.schedule_refresh"):
        run = agreement_run_request(project=project, parameters={"n_boot": 50}, enqueue=False)
        agreement_run_execute(run_id=run.pk)
    return project


def pages(project) -> dict[str, tuple[str, list[str]]]:
    """name -> (path, roles that see it)."""
    base = f"/projects/{project.slug}"
    document = Document.objects.filter(project=project).order_by("id").first()
    passage = Passage.objects.filter(document__project=project).order_by("id").first()
    own = Assignment.objects.filter(passage=passage, annotator__username="ann1").get()
    everyone = ["ann1", "rev", "res", "man"]
    return {
        "home": ("/", everyone),
        "project": (f"{base}/", everyone),
        "document": (f"{base}/documents/{document.pk}/", ["ann1", "rev"]),
        "annotate": (f"{base}/annotate/{own.pk}/", ["ann1"]),
        "review-queue": (f"{base}/review/", ["rev"]),
        "review-passage": (f"{base}/review/passages/{passage.pk}/", ["rev"]),
        "speakers": (f"{base}/speakers/", ["rev"]),
        "agreement": (f"{base}/agreement/", ["res", "man"]),
        "exports": (f"{base}/exports/", ["res", "man"]),
        "settings": (f"{base}/settings/", ["man"]),
        "members": (f"{base}/members/", ["man"]),
        "schema": (f"{base}/schema/", ["man"]),
        "upload": (f"{base}/articles/upload/", ["man"]),
        "progress": (f"{base}/progress/", ["man"]),
    }


def findings(page) -> set[str]:
    """Serious and critical axe findings as "rule target", and "one-h1 (n headings)" when not exactly one."""
    found = serious_findings(page)
    headings = page.locator("h1").count()
    if headings != 1:
        found.append(f"one-h1 ({headings} headings)")
    return set(found)


def check(page, name: str, failures: dict) -> None:
    found = findings(page)
    if found:
        failures[name] = sorted(found)


def test_every_page_has_no_serious_accessibility_finding_for_each_role(annotated, login, live_server):
    failures: dict[str, list[str]] = {}
    by_role: dict[str, list[tuple[str, str]]] = {}
    for name, (path, roles) in pages(annotated).items():
        for role in roles:
            by_role.setdefault(role, []).append((name, path))
    for role, visits in by_role.items():
        page = login(role)
        for name, path in visits:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, f"{name} for {role}: HTTP {response.status}"
            page.wait_for_load_state("networkidle")
            check(page, f"{name}", failures.setdefault(role, {}))
    failures = {role: pages for role, pages in failures.items() if pages}
    assert not failures, json.dumps(failures, indent=1)


def test_the_login_page_has_no_serious_accessibility_finding(browser, live_server, db):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    failures: dict = {}
    check(page, "login", failures)
    context.close()
    assert not failures, failures
