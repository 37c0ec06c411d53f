"""Where two annotators' versions of a claim differ only at their edges, the review page marks the words
only one version has, in a real headless Chromium; the passage's own text stays text, never markup."""

import pytest
from playwright.sync_api import expect

from annotator.corpus.models import Passage
from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import
from tests.integration.review.builders import annotate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# An emoji (two UTF-16 units, one code point) before and inside the claim: a page counting UTF-16 units
# would put the marks one or two characters off.
TEXT = "🇺🇸 Officials said the <b>treaty</b> 😀 threatens regional stability according to Blinken."
SHARED = "the <b>treaty</b> 😀 threatens regional stability"
ANN1 = f"{SHARED} according to Blinken"
ANN2 = f"Officials said {SHARED}"


def offsets(passage: Passage, phrase: str) -> dict[str, int]:
    start = passage.text.index(phrase)
    return {"start": start, "end": start + len(phrase)}


@pytest.fixture
def edges_differ(project, members):
    """One passage on which ann1 and ann2 mark the same claim, ann1 with words after, ann2 before."""
    documents_import(project=project, records=[ArticleRecord(title="Treaty", text=TEXT, source="test wire")])
    passage = Passage.objects.select_related("document__project").get(document__project=project)
    assert passage.text == TEXT
    claims = annotate(
        project,
        passage,
        {"ann1": [offsets(passage, ANN1)], "ann2": [offsets(passage, ANN2)]},
    )
    assert [claims["ann1"][0].text, claims["ann2"][0].text] == [ANN1, ANN2]  # the span rule kept the edges
    return passage


def test_the_review_page_marks_only_the_words_each_version_adds_and_shows_markup_as_text(
    login, live_server, project, members, edges_differ, output_dir
):
    page = login("rev")
    page.goto(f"{live_server.url}/projects/{project.slug}/review/passages/{edges_differ.pk}/")
    cells = {
        name: page.locator(f'#compare tbody tr td[data-annotator="{members[name].pk}"]')
        for name in ("ann1", "ann2")
    }
    for name, extra in [("ann1", " according to Blinken"), ("ann2", "Officials said ")]:
        quote = cells[name].locator(".quote")
        expect(quote.locator(".span-tag")).to_have_text("span ≠")
        marks = quote.locator("mark.span-extra")
        expect(marks).to_have_count(1)
        assert marks.evaluate_all("ms => ms.map((m) => m.textContent)") == [extra]
        expect(marks).to_have_attribute("title", f"only in {name}'s span")
        # the claim's text, "<b>" included, is text: no element but the mark inside the quote
        assert quote.evaluate("q => q.textContent") == f"span ≠“{ANN1 if name == 'ann1' else ANN2}”"
        assert quote.evaluate("q => [...q.querySelectorAll('*')].map((e) => e.tagName)") == ["SPAN", "MARK"]
    # the marked words are readable: dark red on light red, WCAG AA for normal text
    colours = (
        cells["ann1"]
        .locator("mark.span-extra")
        .evaluate("m => [getComputedStyle(m).color, getComputedStyle(m).backgroundColor]")
    )
    assert contrast(*colours) >= 4.5
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(output_dir / "review-span-marks.png"), full_page=True)


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two opaque `rgb(r, g, b)` colours."""

    def luminance(colour: str) -> float:
        channels = [int(x) / 255 for x in colour.removeprefix("rgb(").removesuffix(")").split(",")]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)
