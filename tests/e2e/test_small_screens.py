"""The main pages on a phone-sized screen (390 × 844): nothing wider than the screen, Log out in reach."""

import json

import pytest

from tests.e2e.test_accessibility import annotated, pages  # noqa: F401 (annotated is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
WIDEST = """[...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > 391)
    .slice(0, 5).map((e) => e.tagName + "#" + e.id + "." + e.className)"""
MAIN_PAGES = ["home", "project", "document", "review-queue", "speakers", "agreement", "exports", "progress"]


def test_main_pages_fit_a_phone_and_keep_log_out_on_screen(annotated, login, live_server):  # noqa: F811
    problems = {}
    listed = pages(annotated)
    for name in MAIN_PAGES:
        path, roles = listed[name]
        page = login(roles[-1])
        page.set_viewport_size(PHONE)
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        logout = page.get_by_role("button", name="Log out")
        box = logout.bounding_box()
        seen = box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        if width > PHONE["width"] or not seen:
            wide = page.evaluate(WIDEST)
            problems[name] = {"scrollWidth": width, "log_out": box, "wider_than_the_screen": wide}
        page.context.close()
    assert not problems, json.dumps(problems, indent=1)


def test_the_review_page_shows_one_version_at_a_time_behind_tabs_on_a_phone(annotated, login, live_server):  # noqa: F811
    path, roles = pages(annotated)["review-passage"]
    page = login(roles[-1])
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{path}")
    tabs = page.get_by_role("tab")
    tabs.first.wait_for()
    assert tabs.count() >= 3, "one tab a version and one for gold"
    visible = page.locator("#columns .column:visible")
    assert visible.count() == 1
    first = visible.first.get_attribute("data-annotator")
    tabs.nth(1).click()
    assert visible.count() == 1 and visible.first.get_attribute("data-annotator") != first
    assert tabs.nth(1).get_attribute("aria-selected") == "true"
    page.set_viewport_size({"width": 1280, "height": 900})
    every_tab = page.locator("#column-tabs [role=tab]")
    assert not every_tab.first.is_visible(), "wide screens show every version side by side"
    assert page.locator("#columns .column:visible").count() == every_tab.count()
