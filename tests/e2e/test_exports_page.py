"""exports.js in a real headless Chromium: "Run in background" queues a job and the table shows it done."""

import pytest

from annotator.corpus.models import Role
from annotator.corpus.services import membership_set, project_create
from annotator.exports.models import ExportJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(login, live_server, django_user_model):
    project = project_create(name="Summits", slug="summits")
    user = django_user_model.objects.create_user("res", password="res-pw-123")
    membership_set(project=project, user=user, role=Role.RESEARCHER)
    page = login("res")
    page.goto(f"{live_server.url}/projects/summits/exports/")
    return page


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
