"""The span editor in a real headless Chromium against the live server on PostgreSQL.

An annotator selects text with the mouse, labels it from the keyboard, the claim autosaves through the API,
survives a reload, lands in PostgreSQL with Python (code point) offsets even after astral characters, stays
invisible to another annotator, and a stale second tab gets the conflict instead of overwriting.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from annotator.corpus.models import Role
from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import, membership_set, project_create, speaker_create
from annotator.labeling.assignment_services import assignments_distribute
from annotator.labeling.models import Assignment, AssignmentStatus, Claim
from annotator.labeling.services import claim_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMOJI_ARTICLE = (
    "Emoji watch\n\n"
    "Reactions 😀🇨🇳 poured in 𝒳: Li Wei said the summit was a signal to Washington. Others disagreed.\n\n"
    "A closing paragraph with nothing much in it at all.\n"
)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_like(project, members, seeded):
    """The seed articles assigned to the three annotators, and one known speaker."""
    assignments_distribute(project=project)
    speaker_create(project=project, name="Wang Junsheng", kind="person", affiliation="cn_scholar")
    return project


def assignment(username: str, project, position: int, document_index: int = 0) -> Assignment:
    rows = Assignment.objects.select_related("passage__document__project").filter(
        annotator__username=username, passage__document__project=project, passage__position=position
    )
    return rows.order_by("passage__document_id")[document_index]


def open_editor(page: Page) -> None:
    page.wait_for_selector("html[data-editor=ready]", state="attached")


LOCATE_PHRASE_JS = """(phrase) => {
            const passage = document.getElementById("passage");
            const at = passage.textContent.indexOf(phrase);
            if (at < 0) throw new Error("phrase not in passage: " + phrase);
            const point = (offset) => {
                const walker = document.createTreeWalker(passage, NodeFilter.SHOW_TEXT);
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    if (offset < node.length) return [node, offset];
                    offset -= node.length;
                }
            };
            const rect = (offset, width) => {
                const range = document.createRange();
                const [n1, o1] = point(offset);
                range.setStart(n1, o1);
                range.setEnd(n1, o1 + width);
                return range.getClientRects()[0];
            };
            const last = phrase.codePointAt(phrase.length - 1) === undefined ? 1 :
                (phrase.charCodeAt(phrase.length - 1) & 0xfc00) === 0xdc00 ? 2 : 1;
            const first = rect(at, 1);
            const end = rect(at + phrase.length - last, last);
            return {
                x1: first.left + 1, y1: first.top + first.height / 2,
                x2: end.right - 1, y2: end.top + end.height / 2,
            };
        }"""


def drag_select(page: Page, phrase: str) -> None:
    """Select `phrase` in the passage with a real mouse drag (first character to last)."""
    # Measure where the phrase is once the layout has settled (a re-render after a key press can still
    # move the text on a loaded machine), then drag.
    box, previous = None, None
    for _ in range(50):
        box = page.evaluate(LOCATE_PHRASE_JS, phrase)
        if box == previous:
            break
        previous = box
        page.wait_for_timeout(100)
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, (box["y1"] + box["y2"]) / 2, steps=5)
    page.mouse.move(box["x2"], box["y2"], steps=5)
    # A loaded machine can lag behind the synthetic moves: release only once the selection has caught up,
    # as a person's slower hand would.
    page.wait_for_function("(phrase) => window.getSelection().toString() === phrase", arg=phrase)
    page.mouse.up()


def wait_saved(page: Page) -> None:
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=10_000)
    expect(page.locator("#save-status")).to_have_text("All changes saved")


def highlighted_text(page: Page) -> str:
    return "".join(page.locator("#passage mark[data-claims]").all_text_contents())


def test_annotator_marks_a_claim_with_mouse_and_keyboard_and_it_survives_a_reload(
    login, live_server, demo_like, output_dir
):
    page = login("ann1")
    expect(page.get_by_role("link", name="Start annotating")).to_be_focused()
    page.keyboard.press("Enter")  # one key (or click) from the project list to the next passage
    page.wait_for_url(re.compile(r".*/annotate/\d+/$"))
    open_editor(page)
    page.evaluate("window.__sameDocument = true")  # survives only if no page reload happens
    page.keyboard.press("j")  # the next passage, loaded without a reload
    target = assignment("ann1", demo_like, 1)
    page.wait_for_url(f"**/annotate/{target.pk}/")
    sentence = (
        "Voices from the United States, South Korea, and Japan claim Russian President Vladimir Putin’s "
        "recent day-long state visit to North Korea has put Beijing in an awkward position."
    )
    assert sentence in target.passage.text
    drag_select(page, sentence)
    saved = sentence.removesuffix(".")  # the span rule drops the final full stop, in the preview too
    expect(page.locator("#f-text")).to_have_text(saved)
    expect(page.locator("#save-status")).to_have_attribute("data-state", "draft")

    page.keyboard.press("s")
    page.keyboard.type("wang j")
    expect(page.locator("#speaker-options li").first).to_have_text(re.compile("Wang Junsheng"))
    page.keyboard.press("Enter")
    expect(page.locator("#speaker-name")).to_have_text("Wang Junsheng")
    page.keyboard.press("1")  # perspective: US / Western (overrides the speaker's suggestion)
    page.keyboard.press("g")  # stance: against
    wait_saved(page)

    claim = Claim.objects.select_related("speaker", "assignment__annotator").get()
    start = target.passage.text.index(sentence)
    assert (claim.start, claim.end, claim.text) == (start, start + len(saved), saved)
    assert target.passage.text[claim.start : claim.end] == claim.text
    assert (claim.speaker.name, claim.attribution, claim.perspective, claim.stance) == (
        "Wang Junsheng",
        "indirect",
        "us_western",
        "against",
    )
    assert claim.assignment.annotator.username == "ann1"
    assert page.evaluate("window.__sameDocument") is True

    page.reload()
    open_editor(page)
    expect(page.locator("#passage mark[data-claims]").first).to_be_visible()
    assert highlighted_text(page) == saved
    expect(page.locator("#claim-list .claim-item")).to_have_count(1)
    page.locator("#passage mark[data-claims]").first.click()
    expect(page.locator("#f-text")).to_have_text(saved)
    expect(page.locator("input[name=stance][value=against]")).to_be_checked()
    page.screenshot(path=str(output_dir / "annotate-claim.png"), full_page=True)

    # Blind: another annotator, in another browser context, on the same passage sees nothing of it.
    other = login("ann2")
    own = assignment("ann2", demo_like, 1)
    other.goto(f"{live_server.url}/projects/{demo_like.slug}/annotate/{own.pk}/")
    open_editor(other)
    expect(other.locator("#passage")).to_contain_text(sentence)
    expect(other.locator("#passage mark")).to_have_count(0)
    expect(other.locator("#claim-list .claim-item")).to_have_count(0)
    assert other.request.get(f"{live_server.url}/api/v1/claims/{claim.pk}/").status == 404
    response = other.goto(f"{live_server.url}/projects/{demo_like.slug}/annotate/{target.pk}/")
    assert response.status == 404


def test_offsets_stay_exact_after_emoji_and_a_speaker_is_created_from_the_keyboard(
    login, live_server, project, members, output_dir
):
    emoji = project_create(name="Emoji", slug="emoji", overlap=1)
    membership_set(project=emoji, user=members["ann1"], role=Role.ANNOTATOR)
    documents_import(project=emoji, records=[ArticleRecord(title="Emoji watch", text=EMOJI_ARTICLE)])
    assignments_distribute(project=emoji)
    target = assignment("ann1", emoji, 0)
    phrase = "the summit was a signal to Washington."
    python_start = target.passage.text.index(phrase)
    utf16_start = len(target.passage.text[:python_start].encode("utf-16-le")) // 2
    assert utf16_start == python_start + 4  # four astral characters come first: the offsets must differ

    page = login("ann1")
    page.goto(f"{live_server.url}/projects/emoji/annotate/")
    open_editor(page)
    helpers = page.evaluate(
        """async () => {
            const m = await import("/static/annotator/editor.js");
            const text = "Reactions 😀🇨🇳 x";
            return [
                m.utf16ToCodePoint(text, text.length), m.codePointToUtf16(text, 13),
                m.utf16ToCodePoint("😀a", 2),
                m.snapToWords("say “hello wor", 6, 12), m.snapToWords("a 😀😀 b", 3, 4),
            ];
        }"""
    )
    assert helpers == [15, 16, 1, [5, 14], [2, 4]]

    drag_select(page, phrase)
    phrase = phrase.removesuffix(".")  # what the span rule keeps of the selection, previewed and saved
    expect(page.locator("#f-text")).to_have_text(phrase)
    page.keyboard.press("s")
    page.keyboard.type("Li Wei")
    expect(page.locator("#speaker-options li.create")).to_have_text("Create speaker “Li Wei”…")
    page.keyboard.press("Enter")
    expect(page.locator("#new-speaker-kind")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#new-speaker-affiliation")).to_be_focused()
    page.locator("#new-speaker-affiliation").select_option("cn_scholar")
    page.keyboard.press("Enter")
    expect(page.locator("#speaker-name")).to_have_text("Li Wei")
    expect(page.locator("input[name=perspective][value=chinese]")).to_be_checked()  # from the affiliation
    page.keyboard.press("n")  # stance: neutral → complete → saved
    wait_saved(page)

    claim = Claim.objects.select_related("speaker").get()
    assert (claim.start, claim.end, claim.text) == (python_start, python_start + len(phrase), phrase)
    assert (claim.speaker.name, claim.speaker.affiliation, claim.perspective) == (
        "Li Wei",
        "cn_scholar",
        "chinese",
    )

    page.reload()
    open_editor(page)
    assert highlighted_text(page) == phrase  # a wrong conversion would shift the highlight by 4
    page.screenshot(path=str(output_dir / "annotate-emoji.png"), full_page=True)


def test_a_stale_edit_from_a_second_tab_shows_the_conflict_and_the_newer_claim(login, live_server, demo_like):
    target = assignment("ann1", demo_like, 0)
    phrase = "Commentators in China"
    claim = claim_create(
        assignment=target,
        start=0,
        end=len(phrase),
        attribution="authorial",
        perspective="chinese",
        stance="neutral",
    )
    url = f"{live_server.url}/projects/{demo_like.slug}/annotate/{target.pk}/"
    first = login("ann1")
    second = first.context.new_page()  # a second tab of the same session, opened before the edit
    for tab in (first, second):
        tab.goto(url)
        open_editor(tab)
        tab.locator("#claim-list .claim-item").first.click()

    first.bring_to_front()
    first.keyboard.press("f")  # favor, saved as version 2
    wait_saved(first)
    second.bring_to_front()
    second.keyboard.press("3")  # based on version 1: stale
    expect(second.locator("#banner")).to_contain_text("changed in another tab")
    expect(second.locator("input[name=stance][value=favor]")).to_be_checked()
    expect(second.locator("input[name=perspective][value=chinese]")).to_be_checked()
    wait_saved(second)
    claim.refresh_from_db()
    assert (claim.stance, claim.perspective, claim.version) == ("favor", "chinese", 2)


def test_a_failed_save_is_shown_and_retried_until_it_lands(login, live_server, demo_like, output_dir):
    failures = {"left": 2}

    def flaky(route):
        if route.request.method == "POST" and failures["left"]:
            failures["left"] -= 1
            route.fulfill(status=503, body="down for a moment")
        else:
            route.continue_()

    page = login("ann1")
    page.route("**/api/v1/claims/", flaky)
    page.goto(f"{live_server.url}/projects/{demo_like.slug}/annotate/")
    open_editor(page)
    page.keyboard.press("ArrowDown")  # the first sentence, from the keyboard
    page.keyboard.press("2")
    page.keyboard.press("n")
    expect(page.locator("#save-status")).to_have_attribute("data-state", "error")
    expect(page.locator("#save-status")).to_contain_text("Not saved")
    page.screenshot(path=str(output_dir / "annotate-retrying.png"))
    page.keyboard.press("j")  # leaving is refused while a change is unsaved
    expect(page.locator("#banner")).to_contain_text("not saved yet")
    wait_saved(page)
    assert failures["left"] == 0
    assert Claim.objects.count() == 1


def test_a_whole_passage_from_the_keyboard_submit_undo_and_help_without_a_reload(
    login, live_server, demo_like
):
    page = login("ann1")
    # Chromium applies autofocus a moment after load: wait for it, as a person would see the focus ring.
    expect(page.get_by_role("link", name="Start annotating")).to_be_focused()
    page.keyboard.press("Enter")
    open_editor(page)
    page.evaluate("window.__sameDocument = true")
    first = assignment("ann1", demo_like, 0)

    page.keyboard.press("?")
    expect(page.locator("#help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#help")).to_be_hidden()

    page.keyboard.press("ArrowRight")  # first word
    page.keyboard.press("Shift+ArrowRight")  # … and the next
    expect(page.locator("#f-text")).to_have_text("Commentators in")
    page.keyboard.press("Escape")  # an unsaved new claim is discarded
    expect(page.locator("#claim-form")).to_be_hidden()

    page.keyboard.press("ArrowDown")
    page.keyboard.press("6")
    page.keyboard.press("f")
    wait_saved(page)
    page.keyboard.press("c")  # confidence 1
    wait_saved(page)
    assert Claim.objects.get().confidence == 1
    page.keyboard.press("z")  # undo the confidence
    wait_saved(page)
    assert Claim.objects.get().confidence is None
    page.keyboard.press("z")  # undo the claim itself
    wait_saved(page)
    assert not Claim.objects.exists()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("6")
    page.keyboard.press("f")
    wait_saved(page)

    page.keyboard.press("Control+Enter")
    second = assignment("ann1", demo_like, 1)
    page.wait_for_url(f"**/annotate/{second.pk}/")
    expect(page.locator("#progress-text")).to_have_text("1 / 63 submitted")
    assert Assignment.objects.get(pk=first.pk).status == AssignmentStatus.SUBMITTED
    page.keyboard.press("Shift+S")  # skip
    page.wait_for_url(f"**/annotate/{assignment('ann1', demo_like, 2).pk}/")
    assert Assignment.objects.get(pk=second.pk).status == AssignmentStatus.SKIPPED
    page.keyboard.press("k")
    page.wait_for_url(f"**/annotate/{second.pk}/")
    page.keyboard.press("k")  # back to the submitted passage: its claim is there to edit
    page.wait_for_url(f"**/annotate/{first.pk}/")
    expect(page.locator("#claim-list .claim-item")).to_have_count(1)
    expect(page.locator("#assignment-status")).to_have_text("Submitted")
    assert page.evaluate("window.__sameDocument") is True


def test_nested_and_overlapping_claims_are_visible_clickable_re_spannable_and_deletable(
    login, live_server, demo_like, output_dir
):
    target = assignment("ann1", demo_like, 0)
    text = target.passage.text

    def make(phrase: str, perspective: str):
        start = text.index(phrase)
        return claim_create(
            assignment=target,
            start=start,
            end=start + len(phrase),
            attribution="authorial",
            perspective=perspective,
            stance="neutral",
        )

    outer = make(text, "chinese")
    inner = make("the Kim-Putin embrace in Pyongyang", "russian")
    crossing = make("in Pyongyang than their counterparts", "us_western")
    page = login("ann1")
    page.goto(f"{live_server.url}/projects/{demo_like.slug}/annotate/{target.pk}/")
    open_editor(page)
    triple = page.locator("#passage mark[data-claims]", has_text=re.compile(r"^in Pyongyang$"))
    assert len(triple.get_attribute("data-claims").split()) == 3  # outer, nested and overlapping
    assert highlighted_text(page) == text
    expect(page.locator("#claim-list .claim-item")).to_have_count(3)

    only_inner = page.locator("#passage mark[data-claims]", has_text="Kim-Putin embrace")
    only_inner.click()
    expect(page.locator("#f-text")).to_have_text(inner.text)  # the innermost claim first
    only_inner.click()
    expect(page.locator("#f-text")).to_have_text(outer.text)  # clicking again cycles outwards
    page.screenshot(path=str(output_dir / "annotate-nested.png"))

    page.locator("#claim-list .claim-item", has_text="in Pyongyang than their").click()
    page.keyboard.press("r")  # re-span: the next selection becomes the claim's span
    drag_select(page, "their counterparts in the U.S.")
    expect(page.locator("#f-text")).to_have_text("their counterparts in the U.S.")
    wait_saved(page)
    crossing.refresh_from_db()
    assert (crossing.text, crossing.version) == ("their counterparts in the U.S.", 2)
    assert crossing.start == text.index("their counterparts")

    page.keyboard.press("Delete")
    wait_saved(page)
    assert not Claim.objects.filter(pk=crossing.pk).exists()
    expect(page.locator("#claim-list .claim-item")).to_have_count(2)


def test_a_reviewer_reads_an_annotators_claims_but_cannot_change_them(login, live_server, demo_like):
    target = assignment("ann1", demo_like, 0)
    claim = claim_create(
        assignment=target, start=0, end=12, attribution="authorial", perspective="chinese", stance="neutral"
    )
    page = login("rev")
    page.goto(f"{live_server.url}/projects/{demo_like.slug}/annotate/{target.pk}/")
    open_editor(page)
    expect(page.locator("#readonly-note")).to_contain_text("ann1")
    expect(page.locator("#save-status")).to_have_text("Read-only")
    expect(page.locator("#submit")).to_be_hidden()
    page.locator("#passage mark[data-claims]").first.click()
    expect(page.locator("#f-text")).to_have_text("Commentators")
    expect(page.locator("input[name=perspective][value=us_western]")).to_be_disabled()
    page.keyboard.press("1")
    page.keyboard.press("Delete")
    drag_select(page, "very different takeaways")
    expect(page.locator("#claim-list .claim-item")).to_have_count(1)
    claim.refresh_from_db()
    assert (claim.perspective, claim.version) == ("chinese", 1)
