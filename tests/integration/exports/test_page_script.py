"""exports.js in a real headless Chromium: "Run in background" queues a job and the table shows it done."""

import os
import shutil

import pytest
from django.db import connections

from annotator.corpus.models import Role
from annotator.corpus.services import membership_set, project_create
from annotator.exports.models import ExportJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture
def page(live_server, django_user_model):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    from playwright.sync_api import sync_playwright

    project = project_create(name="Summits", slug="summits")
    user = django_user_model.objects.create_user("res", password="res-pw-123")
    membership_set(project=project, user=user, role=Role.RESEARCHER)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"], headless=True)
        page = browser.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "res")
        page.fill("#id_password", "res-pw-123")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/**")
        page.goto(f"{live_server.url}/projects/summits/exports/")
        yield page
        browser.close()
        # Queries made while Playwright's loop runs get connections of their own: close them here, or the
        # test database cannot be dropped at the end of the session.
        connections.close_all()


def test_run_in_background_adds_a_row_that_ends_with_a_download_link(page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.select_option("#export-format", "jsonl")
    page.click("#run-background")
    job = page.locator("#jobs tr[data-job]").first
    job.locator(".job-download a").wait_for()
    assert job.get_attribute("data-status") == "succeeded"
    assert page.url.endswith("/projects/summits/exports/"), "the page did not reload: the script queued it"
    assert ExportJob.objects.get().format == "jsonl"
    assert errors == []
