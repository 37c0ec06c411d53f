"""A manager drops the seed articles onto the upload page, sees the summary and assigns them; an annotator
then meets the guidelines panel on the first visit, closes it, and it stays closed on the next passage."""

import base64
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from annotator.corpus.models import Document, Membership
from annotator.corpus.readers import read_articles
from annotator.labeling.models import Assignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REPO = Path(__file__).resolve().parents[2]
SEEDS = sorted((REPO / "seeds").glob("*.txt"))

# Build a DataTransfer holding the files and dispatch dragenter/dragover/drop on the drop zone, as a
# file manager would: this exercises the page's own drop handler.
DROP_FILES_JS = """([files]) => {
    const transfer = new DataTransfer();
    for (const file of files) {
        const bytes = Uint8Array.from(atob(file.data), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], file.name, { type: "text/plain" }));
    }
    const zone = document.getElementById("drop-zone");
    for (const type of ["dragenter", "dragover", "drop"]) {
        zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }
}"""


def test_manager_uploads_by_drag_and_drop_assigns_and_the_annotator_reads_the_guidelines(
    project, members, login, live_server
):
    project.guidelines = "## How to mark claims\n\nMark **the content only**, never the reporting verb."
    project.guidelines_updated_at = timezone.now()
    project.save(update_fields=["guidelines", "guidelines_updated_at"])

    page = login("man")
    page.goto(f"{live_server.url}/projects/summits/articles/upload/")
    page.wait_for_selector("html[data-upload=ready]", state="attached")
    files = [{"name": p.name, "data": base64.b64encode(p.read_bytes()).decode()} for p in SEEDS]
    page.evaluate(DROP_FILES_JS, [files])

    table = page.locator("#summary-table")
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(SEEDS[0].name)
    expect(rows.nth(0).locator("td").nth(2)).to_have_text("26")
    expect(rows.nth(0).locator("td").nth(3)).to_have_text("12")  # furniture lines
    expect(rows.nth(1).locator("td").nth(2)).to_have_text("37")
    expect(table.locator("tfoot")).to_contain_text("63")
    expect(page.locator("#upload-bar")).to_have_attribute("style", "width: 100%;")
    assert Document.objects.filter(project=project).count() == 2

    page.click("#assign-now button")
    expect(page.locator("main")).to_contain_text("189 new assignments")
    assert page.url.endswith("/projects/summits/articles/upload/")
    assert Assignment.objects.filter(passage__document__project=project).count() == 189

    annotator = login("ann1")
    annotator.goto(f"{live_server.url}/projects/summits/annotate/")
    annotator.wait_for_selector("html[data-editor=ready]", state="attached")
    panel = annotator.locator("#guidelines")
    expect(panel).to_be_visible()
    expect(panel.locator("strong")).to_have_text("the content only")
    annotator.click("#guidelines-close")
    expect(panel).to_be_hidden()
    # Wait for the read mark, then move on: the panel stays closed on the next passage and after a reload.
    for _ in range(50):
        if Membership.objects.get(user=members["ann1"]).guidelines_read_at:
            break
        annotator.wait_for_timeout(100)
    assert Membership.objects.get(user=members["ann1"]).guidelines_read_at is not None
    position = annotator.locator("#passage-position").text_content()
    annotator.keyboard.press("j")
    expect(annotator.locator("#passage-position")).not_to_have_text(position)
    expect(panel).to_be_hidden()
    annotator.reload()
    annotator.wait_for_selector("html[data-editor=ready]", state="attached")
    expect(annotator.locator("#guidelines")).to_be_hidden()
    # Shift+G opens it by hand; plain g stays the stance key and does not.
    annotator.keyboard.press("g")
    expect(annotator.locator("#guidelines")).to_be_hidden()
    annotator.keyboard.press("Shift+G")
    expect(annotator.locator("#guidelines")).to_be_visible()


def test_the_summary_names_the_encoding_of_a_file_that_was_not_utf8(project, members, login, live_server):
    chinese = (REPO / "seeds" / "zh" / "100_kim_putin_summits_zh.txt").read_text(encoding="utf-8")
    files = [
        {"name": "summit_gbk.txt", "data": base64.b64encode(chinese.encode("gb18030")).decode()},
        {"name": SEEDS[0].name, "data": base64.b64encode(SEEDS[0].read_bytes()).decode()},
    ]
    page = login("man")
    page.goto(f"{live_server.url}/projects/summits/articles/upload/")
    page.wait_for_selector("html[data-upload=ready]", state="attached")
    page.evaluate(DROP_FILES_JS, [files])

    rows = page.locator("#summary-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td").first).to_have_text("summit_gbk.txt (read as GB18030)")
    expect(rows.nth(1).locator("td").first).to_have_text(SEEDS[0].name)
    (expected,) = read_articles("summit.txt", chinese.encode("utf-8"))
    assert Document.objects.get(project=project, language="zh").text == expected.text
