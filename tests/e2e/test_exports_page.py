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


def test_a_manager_previews_a_doccano_zip_then_imports_it_onto_the_seed_articles(
    login, live_server, django_user_model, settings, tmp_path
):
    from pathlib import Path

    from annotator.corpus.importing import import_path
    from annotator.labeling.models import Claim

    settings.MEDIA_ROOT = tmp_path
    repo = Path(__file__).resolve().parents[2]
    project = project_create(name="Summits", slug="summits")
    for path in sorted((repo / "seeds").glob("*.txt")):
        import_path(project=project, path=path)
    for name, role in (("man", Role.MANAGER), ("ann1", Role.ANNOTATOR), ("ann2", Role.ANNOTATOR)):
        user = django_user_model.objects.create_user(name, password=f"{name}-pw-123")
        membership_set(project=project, user=user, role=role)
    page = login("man")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/projects/summits/exports/")
    page.set_input_files("#import-file", str(repo / "tests/fixtures/doccano/doccano-export.zip"))
    page.click("button[value=preview]")
    summary = page.locator("#import-summary")
    summary.wait_for()
    assert "Preview:" in summary.inner_text()
    rows = summary.locator("tbody tr")
    assert rows.count() == 2 and "ann1" in rows.nth(0).inner_text() and "member" in rows.nth(0).inner_text()
    assert not Claim.objects.exists(), "a preview writes nothing"
    page.click("#import-confirm")
    page.wait_for_url(f"{live_server.url}/projects/summits/exports/")
    assert "Imported 11 claims" in page.content()
    assert Claim.objects.filter(speaker__isnull=False).count() == 10
    assert errors == []
