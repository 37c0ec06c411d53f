"""The annotator's day in the span editor: the toolbar's ¶ number and status, the passage navigator, the
flag dialog, recent speakers by digit, j past an empty draft, the generated key help, and a long-press
selection on a phone-sized touch screen."""

import pytest
from playwright.sync_api import Page, expect

from annotator.corpus.services import speaker_create
from annotator.labeling.assignment_services import assignment_flag, assignments_distribute
from annotator.labeling.models import Assignment, AssignmentStatus, Claim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SELECT_PHRASE_JS = """(phrase) => {
    const passage = document.getElementById("passage");
    const text = passage.firstChild;
    const at = text.textContent.indexOf(phrase);
    if (at < 0) throw new Error("phrase not in passage: " + phrase);
    const range = document.createRange();
    range.setStart(text, at);
    range.setEnd(text, at + phrase.length);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return phrase;
}"""


@pytest.fixture
def day(project, members, seeded):
    assignments_distribute(project=project)
    speaker_create(project=project, name="Wang Junsheng", kind="person", affiliation="cn_scholar")
    return project


def assignment(project, position: int) -> Assignment:
    rows = Assignment.objects.select_related("passage__document__project").filter(
        annotator__username="ann1", passage__document__project=project, passage__position=position
    )
    return rows.order_by("passage__document_id").first()


def open_first(page: Page, live_server, project) -> None:
    page.goto(f"{live_server.url}/projects/{project.slug}/annotate/{assignment(project, 0).pk}/")
    page.wait_for_selector("html[data-editor=ready]", state="attached")


def test_the_toolbar_shows_the_paragraph_number_and_skipped_after_a_skip(login, live_server, day):
    page = login("ann1")
    open_first(page, live_server, day)
    expect(page.locator(".editor-bar .where")).to_contain_text("· ¶ 1 ·")
    expect(page.locator("#assignment-status")).to_have_text("Assigned")

    page.click("#skip")
    expect(page.locator("#passage-position")).to_have_text("2")
    page.keyboard.press("k")
    expect(page.locator("#passage-position")).to_have_text("1")
    expect(page.locator("#assignment-status")).to_have_text("Skipped")
    assert assignment(day, 0).status == AssignmentStatus.SKIPPED


def test_the_navigator_filters_flagged_passages_and_jumps_to_one(login, live_server, day):
    flagged = assignment(day, 2)
    assignment_flag(assignment=flagged, reason="unclear", note="")
    page = login("ann1")
    open_first(page, live_server, day)

    page.keyboard.press("p")
    expect(page.locator("#navigator")).to_be_visible()
    expect(page.locator("#nav-list li").first).to_be_visible()
    page.select_option("#nav-flagged", "true")
    expect(page.locator("#nav-list li")).to_have_count(1)
    expect(page.locator("#nav-list")).to_contain_text("¶ 3")
    expect(page.locator("#nav-list")).to_contain_text("Unclear")
    page.click("#nav-list button")
    expect(page.locator("#passage-position")).to_have_text("3")
    expect(page.locator("#flag-badge")).to_contain_text("Unclear")
    page.keyboard.press("Escape")
    expect(page.locator("#navigator")).to_be_hidden()


def test_the_navigator_pages_with_more_passages(login, live_server, day):
    page = login("ann1")
    # Pages of two rows, so that a small project needs the "More passages" button.
    page.route(
        "**/api/v1/assignments/?*",
        lambda route: route.continue_(
            url=route.request.url if "page_size" in route.request.url else route.request.url + "&page_size=2"
        ),
    )
    open_first(page, live_server, day)
    total = Assignment.objects.filter(annotator__username="ann1", project=day).count()
    assert total > 4

    page.keyboard.press("p")
    expect(page.locator("#nav-list li")).to_have_count(2)
    expect(page.locator("#nav-state")).to_have_text("2 passages so far")
    for shown in range(4, total + 1, 2):
        page.click("#nav-more")
        expect(page.locator("#nav-list li")).to_have_count(shown)
    if total % 2:
        page.click("#nav-more")
    expect(page.locator("#nav-list li")).to_have_count(total)
    expect(page.locator("#nav-more")).to_be_hidden()
    expect(page.locator("#nav-state")).to_have_text(f"{total} passages")
    numbers = page.locator("#nav-list .nav-where").all_inner_texts()
    assert numbers[0].endswith("¶ 1") and len(set(numbers)) == total  # in order, nothing twice


def test_the_flag_dialog_flags_the_passage_with_a_reason_and_a_note(login, live_server, day):
    page = login("ann1")
    open_first(page, live_server, day)
    expect(page.locator("#flag-badge")).to_be_hidden()

    page.keyboard.press("Shift+F")
    expect(page.locator("#flag-dialog")).to_be_visible()
    page.select_option("#flag-reason", "off_topic")
    page.fill("#flag-note", "A sports result, not the summit.")
    page.click("#flag-save")
    expect(page.locator("#flag-dialog")).to_be_hidden()
    expect(page.locator("#flag-badge")).to_contain_text("Off topic")

    stored = assignment(day, 0)
    assert (stored.flag_reason, stored.flag_note) == ("off_topic", "A sports result, not the summit.")
    assert stored.flagged_at is not None


def test_a_recent_speaker_is_chosen_by_its_number(login, live_server, day):
    page = login("ann1")
    open_first(page, live_server, day)
    keys: list[str] = []

    def press(*names: str) -> None:
        for name in names:
            keys.append(name)
            page.keyboard.press(name)

    # First claim: the speaker is searched for by name (what every claim cost before).
    press("ArrowRight", "s")
    page.keyboard.type("Wang")
    expect(page.locator("#speaker-options li").first).to_contain_text("Wang Junsheng")
    press("Enter", "1", "f")
    expect(page.locator("#claim-state")).to_have_text("saved")

    # Second claim: "s" then "1" picks the same speaker again.
    keys.clear()
    press("ArrowRight", "s")
    expect(page.locator("#speaker-options li").first).to_contain_text("Wang Junsheng")
    press("1")
    expect(page.locator("#speaker-name")).to_have_text("Wang Junsheng")
    press("2", "g")
    expect(page.locator("#claim-state")).to_have_text("saved")
    assert keys == ["ArrowRight", "s", "1", "2", "g"]
    assert Claim.objects.filter(speaker__name="Wang Junsheng").count() == 2


def test_j_moves_on_past_a_draft_that_only_marks_words(login, live_server, day):
    page = login("ann1")
    open_first(page, live_server, day)
    page.keyboard.press("ArrowRight")
    expect(page.locator("#claim-form")).to_be_visible()
    page.keyboard.press("j")
    expect(page.locator("#passage-position")).to_have_text("2")
    expect(page.locator("#banner")).to_be_hidden()


def test_the_help_lists_every_key_from_the_key_table(login, live_server, day):
    page = login("ann1")
    open_first(page, live_server, day)
    page.keyboard.press("?")
    help_box = page.locator("#help")
    expect(help_box).to_be_visible()
    for key in ["Backspace", "Delete", "Shift+F", "Shift+S", "Ctrl+Enter", "Ctrl+Z", "1–9", "p", "j", "k"]:
        expect(help_box.locator("kbd", has_text=key).first).to_be_visible()
    # Backspace deletes the selected claim, as the help says.
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("1")
    page.keyboard.press("f")
    expect(page.locator("#claim-state")).to_have_text("saved")
    page.keyboard.press("Backspace")
    expect(page.locator("#claim-list li")).to_have_count(0)
    expect(page.locator("#save-status")).to_have_text("All changes saved")
    assert not Claim.objects.filter(assignment__annotator__username="ann1").exists()


def test_a_long_press_selection_on_a_phone_makes_a_draft(browser, live_server, day):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "ann1")
        page.fill("#id_password", "ann1-pw-123")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/**")
        open_first(page, live_server, day)

        # The toolbar and the claim panel stay within the screen's width.
        for selector in [".editor-bar", ".text-col", "#skip", "#submit"]:
            box = page.locator(selector).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 391, selector

        words = page.evaluate(
            "document.getElementById('passage').textContent.split(/\\s+/).slice(0, 3).join(' ')"
        )
        page.dispatch_event("#passage", "pointerdown", {"pointerType": "touch", "isPrimary": True})
        page.evaluate(SELECT_PHRASE_JS, words)
        page.dispatch_event("#passage", "pointerup", {"pointerType": "touch", "isPrimary": True, "button": 0})
        page.dispatch_event("#passage", "touchend")
        page.evaluate("document.dispatchEvent(new Event('selectionchange'))")
        expect(page.locator("#claim-form")).to_be_visible()
        expect(page.locator("#passage mark.draft")).to_have_count(1)
        expect(page.locator("#f-text")).to_contain_text(words.split(" ")[0])
        form = page.locator("#claim-form").bounding_box()
        assert form is not None and form["x"] + form["width"] <= 391
    finally:
        context.close()
        from django.db import connections

        connections.close_all()
