"""Suggestions in the span editor, in a real headless Chromium against the live server on PostgreSQL.

An annotator moves to a suggestion and accepts it from the keyboard (the claim is saved with its origin and
the suggestion's span, attribution, speaker and mention), edits it afterwards (the origin stays), dismisses
another with the mouse (gone after a reload, still there for another annotator), and a project with
suggestions off shows none.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from annotator.corpus.models import Document
from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import, speaker_create
from annotator.labeling.assignment_services import assignments_distribute
from annotator.labeling.models import Claim, ClaimOrigin
from annotator.suggestions.models import Suggestion, SuggestionDismissal
from annotator.suggestions.services import suggestions_detect
from tests.e2e.test_annotate import drag_select, open_editor, wait_saved
from tests.integration.suggestions.builders import ARTICLE, assignment_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "We will deepen our partnership in every field"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def talk(project, members):
    """The article assigned to ann1–ann3, Wang Junsheng a project speaker, its suggestions computed."""
    speaker_create(project=project, name="Wang Junsheng", kind="person", affiliation="cn_scholar")
    documents_import(project=project, records=[ArticleRecord(title="Summit talk", text=ARTICLE)])
    assignments_distribute(project=project)
    suggestions_detect(document=Document.objects.get(project=project))
    return project


def quote() -> Suggestion:
    return Suggestion.objects.get(text=QUOTE)


def open_assignment(page: Page, live_server, project, assignment) -> None:
    page.goto(f"{live_server.url}/projects/{project.slug}/annotate/{assignment.pk}/")
    open_editor(page)


def suggested_texts(page: Page) -> list[str]:
    return page.locator("#passage .suggested").all_text_contents()


def test_accepting_a_suggestion_from_the_keyboard_saves_a_claim_with_its_origin(login, live_server, talk):
    mine = assignment_on("ann1", quote())
    page = login("ann1")
    open_assignment(page, live_server, talk, mine)
    expect(page.locator("#suggestions")).to_be_visible()
    assert "".join(suggested_texts(page)) == QUOTE
    item = page.locator("#suggestion-list li").first
    expect(item).to_contain_text("Wang Junsheng · Direct quote")
    page.keyboard.press("u")
    expect(item).to_have_class(re.compile(r"\bcurrent\b"))
    expect(page.locator("#passage .suggested-current")).to_have_text(QUOTE)
    page.keyboard.press("y")
    form = page.locator("#claim-form")
    expect(form).to_be_visible()
    expect(page.locator("#f-text")).to_have_text(QUOTE)
    expect(page.locator("#speaker-name")).to_have_text("Wang Junsheng")
    expect(form.locator("input[name=attribution][value=direct]")).to_be_checked()
    expect(form.locator("input[name=perspective][value=chinese]")).to_be_checked()  # from the affiliation
    expect(page.locator("#suggestions")).to_be_hidden()  # it is a claim now, being labelled
    page.keyboard.press("n")  # the stance: the claim saves itself
    wait_saved(page)

    suggestion = quote()
    claim = Claim.objects.get(assignment=mine)
    assert (claim.origin, claim.suggestion_id) == (ClaimOrigin.SUGGESTION, suggestion.pk)
    assert (claim.start, claim.end, claim.text) == (suggestion.start, suggestion.end, QUOTE)
    assert (claim.attribution, claim.speaker.name, claim.perspective, claim.stance) == (
        "direct", "Wang Junsheng", "chinese", "neutral",
    )  # fmt: skip
    assert (claim.mention_start, claim.mention_end) == (suggestion.mention_start, suggestion.mention_end)
    assert mine.passage.text[claim.mention_start : claim.mention_end] == "Wang Junsheng"

    # Edit after accepting: re-span it to fewer words; the claim stays one made from the suggestion.
    page.keyboard.press("r")
    drag_select(page, "deepen our partnership")
    expect(page.locator("#f-text")).to_have_text("deepen our partnership")
    wait_saved(page)
    claim.refresh_from_db()
    assert claim.text == "deepen our partnership" and claim.start == suggestion.start + len("We will ")
    assert (claim.origin, claim.suggestion_id, claim.version) == (ClaimOrigin.SUGGESTION, suggestion.pk, 2)
    page.reload()
    open_editor(page)
    assert suggested_texts(page) == []  # made into a claim: not offered again


def test_an_accepted_suggestion_without_a_known_speaker_asks_before_creating_one(login, live_server, talk):
    analysts = Suggestion.objects.get(speaker_name="Analysts")
    page = login("ann1")
    open_assignment(page, live_server, talk, assignment_on("ann1", analysts))
    expect(page.locator("#suggestion-list li").first).to_contain_text("Analysts (new speaker) · Indirect")
    page.locator("#suggestion-list li button[data-accept]").first.click()
    expect(page.locator("#suggested-speaker")).to_contain_text("Suggested speaker: Analysts")
    expect(page.locator("#speaker-chosen")).to_be_hidden()  # no speaker was made behind the annotator's back
    page.keyboard.press("s")
    expect(page.locator("#f-speaker")).to_have_value("Analysts")
    expect(page.locator("#speaker-options li.create")).to_have_text("Create speaker “Analysts”…")


def test_a_dismissed_suggestion_stays_gone_for_its_annotator_only(login, live_server, talk):
    suggestion = quote()
    before = assignment_on("ann1", Suggestion.objects.get(text__startswith="the treaty posed"))
    page = login("ann1")
    # Start one passage earlier: the suggestions of the next one come through the API, not the page.
    earlier = before.passage.position - 2
    previous = type(before).objects.get(annotator__username="ann1", passage__position=earlier)
    open_assignment(page, live_server, talk, previous)
    page.keyboard.press("j")
    expect(page.locator("#passage")).to_contain_text(QUOTE)
    expect(page.locator("#passage .suggested")).to_have_text(QUOTE)
    page.locator("#suggestion-list li button[data-dismiss]").first.click()
    expect(page.locator("#passage .suggested")).to_have_count(0)
    expect(page.locator("#suggestions")).to_be_hidden()
    mine = assignment_on("ann1", suggestion)
    assert list(SuggestionDismissal.objects.values_list("suggestion_id", "assignment_id")) == [
        (suggestion.pk, mine.pk)
    ]
    page.reload()
    open_editor(page)
    expect(page.locator("#passage")).to_contain_text(QUOTE)
    assert suggested_texts(page) == []

    other = login("ann2")
    open_assignment(other, live_server, talk, assignment_on("ann2", suggestion))
    expect(other.locator("#passage .suggested")).to_have_text(QUOTE)
    expect(other.locator("#passage mark")).to_have_count(0)  # marks are claims: a suggestion is none


def test_with_suggestions_off_the_editor_shows_none_and_has_no_keys_for_them(login, live_server, talk):
    talk.suggestions = False
    talk.save(update_fields=["suggestions"])
    page = login("ann1")
    open_assignment(page, live_server, talk, assignment_on("ann1", quote()))
    expect(page.locator("#passage")).to_contain_text(QUOTE)
    assert page.locator("#suggestions").count() == 0
    page.keyboard.press("u")
    page.keyboard.press("y")
    assert suggested_texts(page) == [] and page.locator("#claim-form").is_hidden()
    page.keyboard.press("?")
    expect(page.locator("#help-keys")).not_to_contain_text("suggestion")
    assert not Claim.objects.exists()


def test_the_help_lists_the_suggestion_keys(login, live_server, talk):
    page = login("ann1")
    open_assignment(page, live_server, talk, assignment_on("ann1", quote()))
    page.keyboard.press("?")
    row = page.locator("#help-keys tr", has_text="Suggestions")
    expect(row).to_contain_text("u Shift+U next / previous suggestion")
    expect(row).to_contain_text("y accept the suggestion")
    expect(row).to_contain_text("x dismiss the suggestion")


def test_x_dismisses_the_focused_suggestion_and_u_moves_on_to_the_next(login, live_server, talk):
    first = Suggestion.objects.get(text__startswith="This is a turning point")
    second = Suggestion.objects.get(text__startswith="We will watch it closely")
    page = login("ann1")
    open_assignment(page, live_server, talk, assignment_on("ann1", first))
    expect(page.locator("#suggestion-list li")).to_have_count(2)
    page.keyboard.press("U")  # backwards from nothing: the last one
    expect(page.locator("#passage .suggested-current")).to_have_text(second.text)
    page.keyboard.press("u")  # and round to the first
    expect(page.locator("#passage .suggested-current")).to_have_text(first.text)
    page.keyboard.press("x")
    expect(page.locator("#suggestion-list li")).to_have_count(1)
    expect(page.locator("#passage .suggested-current")).to_have_text(second.text)  # the next one in focus
    assert list(SuggestionDismissal.objects.values_list("suggestion_id", flat=True)) == [first.pk]
