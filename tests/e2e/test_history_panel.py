"""The history panel in a real headless Chromium against the live server on PostgreSQL: an annotator
opens a claim's history in the editor (key h), sees who changed what, restores an earlier version (a new
version, saved in PostgreSQL and recorded); a reviewer reads the same history on the review page,
read-only. Text from the history is shown as text, never as markup."""

import pytest
from playwright.sync_api import expect

from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import
from annotator.history.models import Change
from annotator.labeling.assignment_services import assignment_submit, assignments_distribute
from annotator.labeling.models import Assignment, Claim
from annotator.labeling.services import claim_create, claim_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSAGE = "Wang Junsheng said the summit was a signal to Washington. Others disagreed."
PHRASE = "the summit was a signal to Washington"
HOSTILE_NOTE = '<img src=x id="injected"> a note'


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def edited_claim(project, members):
    """ann1's claim, created neutral, then made "favor" with a note, then "against"."""
    documents_import(project=project, records=[ArticleRecord(title="Summit", text=f"Summit\n\n{PASSAGE}\n")])
    assignments_distribute(project=project)
    assignment = Assignment.objects.select_related("passage__document__project", "annotator").get(
        annotator=members["ann1"], passage__document__project=project
    )
    start = PASSAGE.index(PHRASE)
    claim = claim_create(
        assignment=assignment,
        start=start,
        end=start + len(PHRASE),
        attribution="authorial",
        perspective="chinese",
        stance="neutral",
    )
    claim = claim_update(claim=claim, version=1, stance="favor", note=HOSTILE_NOTE)
    claim = claim_update(claim=claim, version=2, stance="against")
    return assignment, claim


def test_an_annotator_reads_the_history_and_restores_version_1(
    login, live_server, project, members, edited_claim, output_dir
):
    assignment, claim = edited_claim
    page = login("ann1")
    page.goto(f"{live_server.url}/projects/{project.slug}/annotate/{assignment.pk}/")
    page.wait_for_selector("html[data-editor=ready]", state="attached")
    page.locator("#claim-list .claim-item").first.click()
    page.keyboard.press("h")

    entries = page.locator("#history-list .history-entry")
    expect(entries).to_have_count(3)
    expect(entries.nth(0)).to_contain_text("v3")
    expect(entries.nth(0)).to_contain_text("ann1")
    expect(entries.nth(0).locator(".history-changes")).to_contain_text("stance: Favor → Against")
    expect(entries.nth(1)).to_contain_text(HOSTILE_NOTE)  # shown as text …
    assert page.locator("#injected").count() == 0  # … never as markup
    expect(entries.nth(2)).to_contain_text("created")
    expect(entries.nth(0).locator("button.history-restore")).to_have_count(0)  # the current version
    page.locator("aside.panel").screenshot(path=str(output_dir / "history_panel_editor.png"))

    entries.nth(2).locator("button.history-restore").click()
    expect(page.locator("#banner")).to_contain_text("Version 1 restored as version 4")
    expect(page.locator("#claim-form input[name=stance][value=neutral]")).to_be_checked()
    expect(entries).to_have_count(4)
    expect(entries.nth(0)).to_contain_text("restored v1")
    expect(entries.nth(0).locator(".history-changes")).to_contain_text("stance: Against → Neutral")

    saved = Claim.objects.get(pk=claim.pk)
    assert (saved.version, saved.stance, saved.note) == (4, "neutral", "")
    latest = Change.objects.filter(entity="claim", entity_id=claim.pk).order_by("-id").first()
    assert (latest.action, latest.version, latest.detail) == ("restore", 4, {"restored_from": 1})

    # The restored claim edits on from version 4: a further change saves without a conflict.
    page.locator("#claim-form input[name=stance][value=favor]").check()
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=10_000)
    assert Claim.objects.get(pk=claim.pk).version == 5


def test_restore_from_a_stale_tab_shows_the_conflict_and_keeps_the_newer_claim(
    login, live_server, project, members, edited_claim
):
    assignment, claim = edited_claim
    page = login("ann1")
    page.goto(f"{live_server.url}/projects/{project.slug}/annotate/{assignment.pk}/")
    page.wait_for_selector("html[data-editor=ready]", state="attached")
    page.locator("#claim-list .claim-item").first.click()
    page.keyboard.press("h")
    expect(page.locator("#history-list .history-entry")).to_have_count(3)
    claim_update(
        claim=Claim.objects.select_related("assignment__passage__document__project").get(pk=claim.pk),
        version=3,
        stance="favor",
    )

    page.locator("#history-list .history-entry").nth(2).locator("button.history-restore").click()
    expect(page.locator("#banner")).to_contain_text("changed in another tab")
    expect(page.locator("#claim-form input[name=stance][value=favor]")).to_be_checked()
    assert Claim.objects.get(pk=claim.pk).version == 4
    assert not Change.objects.filter(entity="claim", entity_id=claim.pk, action="restore").exists()


def test_a_reviewer_reads_a_claims_history_on_the_review_page(
    login, live_server, project, members, edited_claim
):
    assignment, claim = edited_claim
    assignment_submit(assignment=assignment)
    page = login("rev")
    page.goto(f"{live_server.url}/projects/{project.slug}/review/passages/{assignment.passage_id}/")
    page.locator("#review-history summary").click()
    expect(page.locator("#review-history-status")).to_have_text("No recorded changes.")  # no gold yet
    page.select_option("#review-history-of", str(claim.pk))
    entries = page.locator("#review-history-list .history-entry")
    expect(entries).to_have_count(3)
    expect(entries.nth(0)).to_contain_text("stance: Favor → Against")
    expect(entries.nth(1)).to_contain_text(HOSTILE_NOTE)
    assert page.locator("#injected").count() == 0
    expect(page.locator("#review-history-list button")).to_have_count(0)  # read-only
