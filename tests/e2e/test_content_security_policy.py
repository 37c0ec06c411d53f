"""Every page works under the Content-Security-Policy, in a real headless Chromium, and none reports a
violation: the editor, the review, the dashboard, who says what, the schema editor, the setup pages, the
API docs and the admin."""

import re

import pytest
from playwright.sync_api import Page, expect

from annotator.labeling.models import Assignment
from tests.integration.review.builders import three_way_disagreement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Registered before any page script: the browser fires securitypolicyviolation on the document for every
# blocked script, handler, style, connection or frame.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__csp.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`);
});
"""


@pytest.fixture
def watched(login):
    """login(username) → (page, problems): CSP violations and console errors on that page, as they come."""
    pages: list[tuple[Page, list[str]]] = []

    def open_page(username: str) -> tuple[Page, list[str]]:
        page = login(username)
        problems: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on(
            "console",
            lambda message: (
                problems.append(message.text)
                if message.type == "error" or "Content Security Policy" in message.text
                else None
            ),
        )
        page.on("pageerror", lambda error: problems.append(str(error)))
        pages.append((page, problems))
        return page, problems

    return open_page


def violations(page: Page, problems: list[str]) -> list[str]:
    page.wait_for_timeout(200)  # let late violations (a worker, a font) arrive
    recorded = page.evaluate("window.__csp || []")
    return recorded + [p for p in problems if "Content Security Policy" in p or "Refused" in p]


@pytest.fixture
def study(project, members, seeded):
    passage, _ = three_way_disagreement(project)
    return passage


def test_the_policy_forbids_inline_scripts(client, members):
    client.force_login(members["ann1"])
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in policy
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


def test_the_editor_works_under_the_policy(watched, live_server, project, members, study):
    assignment = Assignment.objects.filter(annotator=members["ann1"], status="assigned").first()
    page, problems = watched("ann1")
    page.goto(f"{live_server.url}/projects/{project.slug}/annotate/{assignment.pk}/")
    expect(page.locator("#passage")).to_contain_text(assignment.passage.text[:30])
    page.keyboard.press("?")  # the key help is drawn by the editor's module
    expect(page.locator("#help")).to_be_visible()

    assert violations(page, problems) == []


def test_the_review_page_works_under_the_policy(watched, live_server, project, study):
    page, problems = watched("rev")
    page.goto(f"{live_server.url}/projects/{project.slug}/review/passages/{study.pk}/")
    expect(page.locator("#columns .column h3")).to_contain_text(["ann1", "ann2", "ann3", "Gold"])
    expect(page.locator("#compare tbody tr")).to_have_count(3)

    assert violations(page, problems) == []


@pytest.mark.parametrize(
    ("who", "path", "ready"),
    [
        ("rev", "review/", "table.queue"),
        ("res", "agreement/", "main h1"),
        ("res", "who-says-what/", "main h1"),
        ("res", "exports/", "#run-background"),
        ("man", "schema/", "main h1"),
        ("man", "settings/", "#id_guidelines"),
        ("man", "members/", "main h1"),
        ("man", "articles/upload/", "main h1"),
        ("man", "progress/", "main h1"),
        ("ann1", "my-passages/", "main h1"),
        ("rev", "speakers/", "main h1"),
        ("ann1", "", "main h1"),
    ],
)
def test_project_pages_report_no_violation(watched, live_server, project, study, who, path, ready):
    page, problems = watched(who)
    page.goto(f"{live_server.url}/projects/{project.slug}/{path}")
    expect(page.locator(ready).first).to_be_visible()

    assert violations(page, problems) == []


def test_the_guidelines_preview_runs_from_its_module(watched, live_server, project, study):
    page, problems = watched("man")
    page.goto(f"{live_server.url}/projects/{project.slug}/settings/")
    page.fill("#id_guidelines", "# Mark **claims**")
    expect(page.locator("#guidelines-preview strong")).to_have_text("claims")

    assert violations(page, problems) == []


def test_the_api_docs_render_under_the_policy(watched, live_server, study):
    page, problems = watched("man")
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("annotator API")
    assert violations(page, problems) == []

    page.goto(f"{live_server.url}/api/redoc/")
    expect(page.locator("h1").first).to_contain_text("annotator API", timeout=20_000)
    assert violations(page, problems) == []


def test_the_admin_works_under_the_policy(watched, live_server, make_user):
    make_user("root", is_staff=True, is_superuser=True)
    page, problems = watched("root")
    page.goto(f"{live_server.url}/admin/labeling/claim/")
    expect(page.locator("#content h1")).to_contain_text(re.compile("claim", re.I))
    page.goto(f"{live_server.url}/admin/axes/accessattempt/")
    expect(page.locator("#content h1")).to_be_visible()

    assert violations(page, problems) == []
