"""What the editor sends at the pace of a very fast annotator, measured in a real Chromium against the
default API throttle: it stays far below the per-user rate and is never answered 429."""

import time

import pytest
from django.conf import settings
from playwright.sync_api import expect

from annotator.labeling.assignment_services import assignments_distribute
from annotator.labeling.models import Assignment, Claim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY_PAUSE_MS = 120  # between label keys: an expert who knows the keys by heart
TYPING_MS = 60  # per character of a note: ~200 words a minute


@pytest.fixture
def queue(project, members, seeded):
    assignments_distribute(project=project)
    return project


def per_minute(times: list[float]) -> int:
    """The most requests in any 60-second window (the throttle's window), scaled up for shorter runs."""
    if len(times) < 2:
        return len(times)
    span = times[-1] - times[0]
    if span >= 60:
        return max(sum(1 for t in times if start <= t < start + 60) for start in times)
    return round(len(times) / span * 60)


def test_a_fast_annotator_stays_far_below_the_user_rate(login, live_server, queue, capsys):
    page = login("ann1")
    sent: list[tuple[float, str]] = []
    refused: list[str] = []
    page.on("request", lambda r: sent.append((time.monotonic(), r.method)) if "/api/" in r.url else None)
    page.on("response", lambda r: refused.append(r.url) if r.status == 429 else None)
    first = Assignment.objects.filter(annotator__username="ann1").order_by("passage_id").first()
    page.goto(f"{live_server.url}/projects/{queue.slug}/annotate/{first.pk}/")
    page.wait_for_selector("html[data-editor=ready]", state="attached")
    started = time.monotonic()

    passages = 5
    for _ in range(passages):
        position = page.locator("#passage-position").inner_text()
        page.keyboard.press("ArrowDown")  # the first sentence
        for key in ("2", "n", "f", "1"):  # complete after two keys (saved), then two changes
            page.keyboard.press(key, delay=KEY_PAUSE_MS)
        page.keyboard.press("e")
        page.keyboard.type("Reported speech; the speaker hedges.", delay=TYPING_MS)
        page.wait_for_timeout(700)  # the note's save follows 0.6 s after typing stops
        page.keyboard.press("Control+Enter")  # submit and go on
        expect(page.locator("#passage-position")).not_to_have_text(position)
    elapsed = time.monotonic() - started
    expect(page.locator("#save-status")).not_to_have_class("error")

    times = [t for t, _ in sent if t >= started]
    rate = per_minute(times)
    user_rate = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["user"].split("/")[0])
    with capsys.disabled():
        print(
            f"\neditor at full speed: {len(times)} API requests in {elapsed:.1f} s for {passages} passages "
            f"({Claim.objects.count()} claims with notes) ≈ {rate} a minute; the user rate is {user_rate}"
        )
    assert Claim.objects.filter(assignment__annotator__username="ann1").count() >= passages
    assert refused == []
    assert rate * 2 < user_rate


def test_a_note_typed_with_a_pause_before_every_key_saves_at_most_once_per_pause(
    login, live_server, queue, capsys
):
    """The worst case for the note's debounce: every key after the 0.6 s delay has passed."""
    page = login("ann1")
    sent: list[float] = []
    page.on("request", lambda r: sent.append(time.monotonic()) if r.method == "PATCH" else None)
    first = Assignment.objects.filter(annotator__username="ann1").order_by("passage_id").first()
    page.goto(f"{live_server.url}/projects/{queue.slug}/annotate/{first.pk}/")
    page.wait_for_selector("html[data-editor=ready]", state="attached")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("2")
    page.keyboard.press("n")
    page.keyboard.press("e")
    started = time.monotonic()
    for letter in "hedged claim":
        page.keyboard.type(letter)
        page.wait_for_timeout(650)
    elapsed = time.monotonic() - started
    patches = [t for t in sent if t >= started]
    rate = round(len(patches) / elapsed * 60)
    with capsys.disabled():
        print(f"\nnote typed one key per 0.65 s: {len(patches)} saves in {elapsed:.1f} s ≈ {rate} a minute")
    assert len(patches) <= len("hedged claim")
    assert rate <= 100
