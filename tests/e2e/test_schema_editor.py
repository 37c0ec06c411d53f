"""A manager edits the label schema in a real headless Chromium: renames a perspective's label and value,
adds a stance with the add-row button, saves, and the claims that used the old value carry the new one."""

import pytest
from playwright.sync_api import expect

from annotator.corpus.models import Project, SchemaVersion
from annotator.labeling.models import Claim
from tests.integration.exports.conftest import annotate_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_manager_renames_a_perspective_adds_a_stance_and_the_claims_follow(
    login, live_server, project, members, seeded, output_dir
):
    annotate_project(project, members)
    chinese = set(Claim.objects.filter(perspective="chinese").values_list("id", flat=True))
    assert chinese

    page = login("man")
    page.goto(f"{live_server.url}/projects/{project.slug}/schema/")
    perspectives = page.locator('section[data-list="perspectives"]')
    row = perspectives.locator("tbody tr").nth(1)
    expect(row.locator('input[aria-label="Value"]')).to_have_value("chinese")
    expect(row.get_by_test_id("usage")).to_contain_text(f"{len(chinese)} claims")
    row.locator('input[aria-label="Label"]').fill("PRC official line")
    row.locator('input[aria-label="Value"]').fill("prc")

    stances = page.locator('section[data-list="stances"]')
    before = stances.locator("tbody tr").count()
    stances.get_by_role("button", name="Add a row").click()
    added = stances.locator("tbody tr").nth(before)
    expect(added.locator('input[aria-label="Label"]')).to_be_focused()
    added.locator('input[aria-label="Label"]').fill("Mixed")
    added.locator('input[aria-label="Value"]').fill("mixed")
    added.locator('input[aria-label="Hotkey"]').fill("x")
    added.locator('input[aria-label="Colour"]').fill("teal")
    # The new stance goes first: the arrows reorder rows without typing numbers.
    move_up = added.element_handle().query_selector('button[aria-label="Move up"]')  # follows the row
    for _ in range(before):
        move_up.click()
    expect(stances.locator('tbody tr input[aria-label="Label"]').first).to_have_value("Mixed")
    page.screenshot(path=str(output_dir / "schema-editor.png"), full_page=True)
    page.locator("#schema-save").click()

    expect(page.locator("main")).to_contain_text("Saved schema version 2")
    history = page.get_by_test_id("schema-version").first
    expect(history).to_contain_text('renamed "chinese" to "prc"')
    expect(history).to_contain_text('added "mixed" (Mixed)')
    expect(history).to_contain_text("man")

    project = Project.objects.get(pk=project.pk)
    assert project.schema_version == 2
    assert [s["value"] for s in project.schema["stances"]] == ["mixed", "favor", "against", "neutral"]
    assert project.schema["stances"][0] == {"value": "mixed", "label": "Mixed", "key": "x", "colour": "teal"}
    assert project.schema["perspectives"][1]["label"] == "PRC official line"
    assert set(Claim.objects.filter(perspective="prc").values_list("id", flat=True)) == chinese
    assert not Claim.objects.filter(perspective="chinese").exists()
    assert SchemaVersion.objects.get(project=project, version=2).changed_by == members["man"]


def test_a_bad_hotkey_is_shown_beside_its_row_and_nothing_is_saved(login, live_server, project, members):
    page = login("man")
    page.goto(f"{live_server.url}/projects/{project.slug}/schema/")
    row = page.locator('section[data-list="stances"] tbody tr').first
    row.locator('input[aria-label="Hotkey"]').fill("j")
    page.locator("#schema-save").click()
    expect(page.locator('section[data-list="stances"] tbody tr').first).to_contain_text(
        "is one of the editor's own keys"
    )
    assert Project.objects.get(pk=project.pk).schema_version == 1
