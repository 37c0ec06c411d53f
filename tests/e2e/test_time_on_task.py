"""Time on task in a real browser: active time on a passage reaches the assignment when the annotator moves
on; time while the tab is hidden does not count, even with input."""

import time

import pytest
from playwright.sync_api import Page

from annotator.labeling import time_on_task
from annotator.labeling.assignment_services import assignments_distribute
from annotator.labeling.models import Assignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SET_VISIBILITY_JS = """(state) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
    document.dispatchEvent(new Event("visibilitychange"));
}"""


@pytest.fixture
def short_idle_window(monkeypatch):
    """Two seconds without input is idle here (a minute in real use), so the test stays short."""
    monkeypatch.setattr(time_on_task, "IDLE_AFTER_SECONDS", 2)


def seconds_on(project, position: int) -> int:
    return (
        Assignment.objects.filter(
            annotator__username="ann1", passage__document__project=project, passage__position=position
        )
        .order_by("passage__document_id")
        .values_list("active_seconds", flat=True)
        .first()
    )


def busy(page: Page, seconds: float) -> None:
    """Pointer moves and keystrokes (a bare Shift, which starts no claim) every quarter second."""
    for step in range(int(seconds * 4)):
        page.mouse.move(200 + 10 * (step % 20), 300)
        if step % 4 == 0:
            page.keyboard.press("Shift")
        page.wait_for_timeout(250)


def wait_for_seconds(project, position: int, timeout: float = 5.0) -> int:
    deadline = time.monotonic() + timeout
    while (value := seconds_on(project, position)) == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    return value


def test_active_time_is_recorded_when_leaving_the_passage_and_hidden_time_is_not(
    login, live_server, project, members, seeded, short_idle_window
):
    assignments_distribute(project=project)
    page = login("ann1")
    page.goto(f"{live_server.url}/projects/{project.slug}/annotate/")
    page.wait_for_selector("html[data-editor=ready]", state="attached")

    busy(page, 3.5)
    page.click("#go-next")
    recorded = wait_for_seconds(project, 0)
    assert 2 <= recorded <= 5

    # On the next passage the tab is hidden at once: input while hidden is not active time.
    page.wait_for_function("document.title && location.pathname.endsWith('/')")
    page.evaluate(SET_VISIBILITY_JS, "hidden")
    busy(page, 4)
    page.evaluate(SET_VISIBILITY_JS, "visible")
    page.click("#go-next")
    page.wait_for_timeout(1000)
    assert seconds_on(project, 1) <= 1
    assert seconds_on(project, 0) == recorded
