"""A create the server saved but whose answer was lost is retried with the same Idempotency-Key: one claim.

The page's first POST of a claim goes to the live server for real (it commits), and the page is told 502
instead, as a proxy would say when the connection to the server broke after the commit. The editor retries.
"""

import re

import pytest
from playwright.sync_api import Page, Route, expect

from annotator.corpus.services import speaker_create
from annotator.labeling.assignment_services import assignments_distribute
from annotator.labeling.models import Claim
from tests.e2e.test_annotate import drag_select

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture
def demo_like(project, members, seeded):
    assignments_distribute(project=project)
    speaker_create(project=project, name="Wang Junsheng", kind="person", affiliation="cn_scholar")
    return project


class LostAnswers:
    """Routes the page's claim creates: the first `lose` of them reach the server, the page gets a 502."""

    def __init__(self, lose: int = 1) -> None:
        self.lose = lose
        self.keys: list[str | None] = []

    def __call__(self, route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        self.keys.append(route.request.headers.get("idempotency-key"))
        if self.lose:
            self.lose -= 1
            saved = route.fetch()  # the server commits the claim ...
            assert saved.status == 201, saved.text()
            route.fulfill(status=502, body="Bad gateway")  # ... and the page never hears of it
        else:
            route.continue_()


def open_first_passage(page: Page, live_server, project, answers: LostAnswers) -> None:
    page.route("**/api/v1/claims/", answers)
    page.goto(f"{live_server.url}/projects/{project.slug}/annotate/")
    page.wait_for_selector("html[data-editor=ready]", state="attached")


def wait_saved(page: Page) -> None:
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=15_000)
    expect(page.locator("#save-status")).to_have_text("All changes saved")


def test_a_create_saved_behind_a_502_is_retried_with_its_key_and_stays_one_claim(
    login, live_server, demo_like
):
    answers = LostAnswers(lose=1)
    page = login("ann1")
    open_first_passage(page, live_server, demo_like, answers)
    page.keyboard.press("ArrowDown")  # the first sentence
    page.keyboard.press("2")
    page.keyboard.press("n")
    expect(page.locator("#save-status")).to_contain_text("Not saved (error 502)")
    wait_saved(page)
    assert len(answers.keys) == 2
    assert answers.keys[0] == answers.keys[1] and UUID.match(answers.keys[0])
    assert Claim.objects.count() == 1
    expect(page.locator("#claim-list .claim-item")).to_have_count(1)
    # The next claim is a new request: a new key.
    page.keyboard.press("Escape")
    drag_select(page, "Commentators in China")
    page.keyboard.press("2")
    page.keyboard.press("f")
    wait_saved(page)
    assert len(answers.keys) == 3 and answers.keys[2] != answers.keys[0] and UUID.match(answers.keys[2])
    assert Claim.objects.count() == 2


def test_an_edit_made_while_the_create_waits_to_be_retried_follows_it_as_an_update(
    login, live_server, demo_like
):
    answers = LostAnswers(lose=1)
    page = login("ann1")
    open_first_passage(page, live_server, demo_like, answers)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("2")
    page.keyboard.press("n")  # neutral: the create that is saved but answered 502
    expect(page.locator("#save-status")).to_contain_text("Not saved")
    page.keyboard.press("f")  # favor, before the retry
    wait_saved(page)
    claim = Claim.objects.get()
    assert (claim.stance, claim.version) == ("favor", 2)
    assert answers.keys[0] == answers.keys[1]


def test_a_claim_undone_while_its_create_waits_is_found_and_deleted(login, live_server, demo_like):
    answers = LostAnswers(lose=1)
    page = login("ann1")
    open_first_passage(page, live_server, demo_like, answers)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("2")
    page.keyboard.press("n")
    expect(page.locator("#save-status")).to_contain_text("Not saved")
    assert Claim.objects.count() == 1  # saved, though the page does not know it
    page.keyboard.press("z")  # undo the claim
    wait_saved(page)
    expect(page.locator("#claim-list .claim-item")).to_have_count(0)
    assert Claim.objects.count() == 0
    assert answers.keys[0] == answers.keys[1]


def test_the_key_is_a_uuid_also_where_random_uuid_is_missing(login, live_server, demo_like):
    page = login("ann1")
    page.goto(f"{live_server.url}/projects/{demo_like.slug}/annotate/")
    page.wait_for_selector("html[data-editor=ready]", state="attached")
    keys = page.evaluate(
        """async () => {
            const m = await import("/static/annotator/editor.js");
            const native = [m.newIdempotencyKey(), m.newIdempotencyKey()];
            Object.defineProperty(crypto, "randomUUID", { value: undefined, configurable: true });
            return [...native, m.newIdempotencyKey(), m.newIdempotencyKey()];
        }"""
    )
    assert all(UUID.match(key) for key in keys), keys
    assert len(set(keys)) == 4
