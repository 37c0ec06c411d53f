"""Who says what in a real headless Chromium: the charts link to the claims behind them, marked in their
passages."""

from unittest import mock

import pytest

from tests.integration.analytics.builders import SUN, build_who_says_what

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def built(project, members):
    with mock.patch("annotator.agreement.scheduling.schedule_refresh"):  # agreement runs are not the point
        return build_who_says_what(project, members)


def test_a_bar_segment_leads_to_its_claim_highlighted_in_the_passage(login, live_server, built):
    page = login("res")
    page.goto(f"{live_server.url}/projects/summits/")
    page.get_by_role("link", name="Who says what").click()
    page.wait_for_url("**/who-says-what/")
    assert page.locator("#wsw-summary").inner_text().startswith("6 claims counted")
    bars = page.locator("#chart-bars svg")
    assert bars.get_attribute("role") == "group"  # an "img" would hide the links inside it
    segment = bars.get_by_role("link", name="Wire A · Chinese: 2 claims (1 gold, 1 majority)")
    assert segment.count() == 1
    segment.locator("rect").click()
    page.wait_for_url("**/who-says-what/claims/?outlet=Wire+A&perspective=chinese")
    claims = page.locator("#wsw-claims > li")
    assert claims.count() == 2
    marked = page.locator("#wsw-claims mark")
    assert sorted(marked.all_inner_texts()) == sorted(
        [SUN, "Chinese scholars think the bridge over the Tumen River matters most"]
    )
    assert marked.first.is_visible()
    background = marked.first.evaluate("element => getComputedStyle(element).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    majority = page.locator('#wsw-claims > li[data-claim^="majority-"]')
    assert majority.locator("mark").inner_text() == SUN
    assert "majority: 2 of 3 annotators" in majority.inner_text()


def test_compare_two_outlets_from_the_page(login, live_server, built):
    page = login("rev")
    page.goto(f"{live_server.url}/projects/summits/who-says-what/")
    page.locator("#wsw-compare-form button").click()
    page.wait_for_url("**/who-says-what/compare/**")
    assert page.locator("h1").inner_text() == "Wire A and (no outlet), side by side"
    assert page.locator("#a-chart-bars svg").count() == 1 and page.locator("#b-chart-bars svg").count() == 1


def test_the_pages_have_no_serious_accessibility_finding(login, live_server, built):
    from tests.e2e.test_accessibility import findings  # the axe-core run every page passes

    page = login("res")
    base = f"{live_server.url}/projects/summits/who-says-what/"
    failures = {}
    for path in ("", "?by=document", "compare/?a=Wire+A&b=", "claims/?outlet=Wire+A&perspective=chinese"):
        page.goto(base + path)
        found = findings(page)
        if found:
            failures[path] = sorted(found)
    assert failures == {}
