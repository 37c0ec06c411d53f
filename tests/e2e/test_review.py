"""A reviewer settles the most disputed passage in a real headless Chromium; a second reviewer who had
the same passage open gets a conflict instead of overwriting the gold version."""

import re

import pytest
from playwright.sync_api import expect

from annotator.corpus.models import Passage
from annotator.review.models import Adjudication, GoldClaim
from tests.integration.review.builders import (
    ANXIOUS,
    CONDEMNED,
    TENSION,
    annotate,
    three_way_disagreement,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def disputed(project, members, seeded):
    """The Campbell passage disputed three ways, and a calmer passage everyone marked alike."""
    passage, claims = three_way_disagreement(project)
    calm = Passage.objects.select_related("document__project").get(
        document=passage.document, position=passage.position + 1
    )
    same = [
        {
            "start": 0,
            "end": 14,
            "attribution": "authorial",
            "perspective": "neutral_mixed",
            "stance": "neutral",
        }
    ]
    annotate(project, calm, {"ann1": same, "ann2": same, "ann3": same})
    return passage, claims, calm


def screenshot(page, path) -> None:
    page.evaluate("window.scrollTo(0, 0)")  # the review bar is sticky: capture from the top
    page.screenshot(path=str(path), full_page=True)


def row(page, number: int):
    return page.locator(f'#compare tbody tr[data-row="{number}"]')


def test_a_reviewer_accepts_one_claim_edits_a_stance_and_saves_the_gold_version(
    login, live_server, project, members, disputed, output_dir
):
    passage, claims, calm = disputed
    rival = login("man")  # a second reviewer opens the same passage before the first one saves
    rival.goto(f"{live_server.url}/projects/{project.slug}/review/passages/{passage.pk}/")
    expect(rival.locator("#compare tbody tr")).to_have_count(3)

    page = login("rev")
    page.goto(f"{live_server.url}/projects/{project.slug}/review/")
    expect(page.get_by_test_id("queue-counts")).to_contain_text("1 passage disagrees, 0 adjudicated")
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-passage", str(passage.pk))  # the disputed one on top
    expect(rows.last).to_have_attribute("data-passage", str(calm.pk))
    expect(rows.first.locator(".kind")).to_have_text(["missing", "stance"])
    screenshot(page, output_dir / "review-queue.png")

    page.click("#review-top")
    page.wait_for_url(re.compile(rf".*/review/passages/{passage.pk}/.*"))
    # the passage once per annotator, plus the gold column
    expect(page.locator("#columns .column h3")).to_contain_text(["ann1", "ann2", "ann3", "Gold"])
    expect(page.locator('#columns .column[data-annotator="gold"] mark')).to_have_count(2)
    # matching claims aligned in rows, differences marked
    expect(page.locator("#compare tbody tr")).to_have_count(3)
    expect(row(page, 0).locator(".quote").first).to_contain_text(CONDEMNED)
    expect(row(page, 0).locator(".chip.diff")).to_have_count(0)
    ann3 = str(members["ann3"].pk)
    expect(row(page, 1).locator(f'td[data-annotator="{ann3}"] .chip-stance.diff')).to_have_text("Against")
    expect(row(page, 1).locator("td.gold select[data-field=stance]")).to_have_value("neutral")  # the majority
    expect(row(page, 2).locator("td.missing")).to_have_count(2)
    expect(row(page, 2).locator("td.gold")).to_contain_text("not in gold")
    screenshot(page, output_dir / "review-passage-before.png")

    # keyboard, as in the editor: "." next row, Shift+3 take ann3's claim; "," back, "g" stance against
    page.locator("#compare tbody tr").first.locator("th").click()
    page.keyboard.press(".")
    page.keyboard.press(".")
    expect(row(page, 2)).to_have_class(re.compile("selected"))
    page.keyboard.press("Shift+Digit3")
    expect(row(page, 2).locator("td.gold .origin")).to_have_text("from ann3")
    expect(row(page, 2).locator("td.gold select[data-field=attribution]")).to_have_value("direct")
    page.keyboard.press(",")
    page.keyboard.press("g")
    expect(row(page, 1).locator("td.gold select[data-field=stance]")).to_have_value("against")
    expect(row(page, 1).locator("td.gold .origin")).to_have_text("edited")
    page.fill("#note", "Campbell reports anxiety and tension: against.")
    page.click("#save")
    expect(page.locator("#save-status")).to_have_text("Saved gold version 1 (3 claims).")
    expect(page.locator("#gold-status")).to_have_text("gold v1 by rev")
    screenshot(page, output_dir / "review-passage-saved.png")

    adjudication = Adjudication.objects.get(passage=passage)
    assert (adjudication.version, adjudication.reviewer.username) == (1, "rev")
    assert adjudication.note == "Campbell reports anxiety and tension: against."
    gold = {
        g.text: (g.attribution, g.stance, g.speaker_id, sorted(g.source_claims.values_list("pk", flat=True)))
        for g in GoldClaim.objects.filter(adjudication=adjudication)
    }
    campbell = claims["ann1"][1].speaker_id
    assert gold == {
        CONDEMNED: (
            "indirect",
            "against",
            claims["ann1"][0].speaker_id,
            sorted(c[0].pk for c in claims.values()),
        ),
        ANXIOUS: ("indirect", "against", campbell, sorted(c[1].pk for c in claims.values())),
        TENSION: ("direct", "against", campbell, [claims["ann3"][2].pk]),
    }

    # the rival's older state is refused, not written over the gold version
    rival.locator("#compare tbody tr").first.locator("th").click()
    rival.keyboard.press("Delete")
    rival.keyboard.press("Control+Enter")
    expect(rival.locator("#banner")).to_contain_text("rev saved gold version 1 while you were editing")
    screenshot(rival, output_dir / "review-passage-conflict.png")
    assert GoldClaim.objects.filter(adjudication=adjudication).count() == 3
    rival.click("#banner [data-action=reload]")
    expect(rival.locator("#gold-status")).to_have_text("gold v1 by rev")

    # the passage has left the open queue
    page.goto(f"{live_server.url}/projects/{project.slug}/review/")
    expect(page.get_by_test_id("queue-counts")).to_contain_text("1 passage disagrees, 1 adjudicated")
    expect(page.locator("table.queue tbody tr")).to_have_count(1)
    expect(page.locator("table.queue tbody tr").first).to_have_attribute("data-passage", str(calm.pk))


def test_annotators_cannot_open_the_review_pages(login, live_server, project, members, disputed):
    passage, _, _ = disputed
    page = login("ann1")
    response = page.goto(f"{live_server.url}/projects/{project.slug}/review/passages/{passage.pk}/")
    assert response.status == 404
    response = page.goto(f"{live_server.url}/projects/{project.slug}/review/")
    assert response.status == 404


SELECT_JS = """([column, start, end]) => {
  const container = document.querySelector(`#columns .column[data-annotator="${column}"] .passage-copy`);
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const length = node.textContent.length;
    if (seen <= start && start <= seen + length) range.setStart(node, start - seen);
    if (seen <= end && end <= seen + length) { range.setEnd(node, end - seen); break; }
    seen += length;
  }
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""


def test_a_reviewer_re_spans_adds_and_undoes_gold_claims_from_text_selections(
    login, live_server, project, members, disputed, output_dir
):
    passage, claims, _ = disputed
    page = login("rev")
    page.goto(f"{live_server.url}/projects/{project.slug}/review/passages/{passage.pk}/")
    expect(page.locator("#compare tbody tr")).to_have_count(3)
    # re-span row 2's gold claim to "somewhat anxious" (selected in ann1's copy: every copy is the passage)
    anxious = passage.text.index("somewhat anxious")
    row(page, 1).locator("th").click()
    page.evaluate(SELECT_JS, [str(members["ann1"].pk), anxious, anxious + len("somewhat anxious")])
    page.keyboard.press("r")
    expect(row(page, 1).locator("td.gold .quote")).to_contain_text("“somewhat anxious”")
    # add "Blinken told" as a new gold claim, from a selection in the gold copy
    blinken = passage.text.index("Blinken told")
    page.evaluate(SELECT_JS, ["gold", blinken - 1, blinken + len("Blinken told") + 1])  # spaces are trimmed
    page.keyboard.press("+")
    expect(page.locator("#compare tbody tr")).to_have_count(4)
    expect(row(page, 0).locator("td.gold .origin")).to_have_text("added")  # in reading order: first
    expect(row(page, 0).locator("td.gold .quote")).to_have_text("“Blinken told”")
    page.keyboard.press("z")  # undo the addition
    expect(page.locator("#compare tbody tr")).to_have_count(3)
    page.keyboard.press("Control+z")  # undo the re-span
    expect(row(page, 1).locator("td.gold .quote")).to_contain_text("over growing military cooperation")
    page.evaluate(SELECT_JS, ["gold", blinken, blinken + len("Blinken told")])
    page.keyboard.press("+")
    row(page, 0).locator("td.gold select[data-field=speaker_id]").select_option(label="Antony Blinken")
    expect(row(page, 0).locator("td.gold select[data-field=attribution]")).to_have_value("indirect")
    page.keyboard.press("Control+s")
    expect(page.locator("#save-status")).to_have_text("Saved gold version 1 (3 claims).")
    screenshot(page, output_dir / "review-passage-added.png")
    gold = dict(GoldClaim.objects.values_list("text", "speaker__name"))
    assert gold == {"Blinken told": "Antony Blinken", CONDEMNED: "Antony Blinken", ANXIOUS: "Kurt Campbell"}
    assert not GoldClaim.objects.get(text="Blinken told").source_claims.exists()


def test_a_reviewer_merges_speaker_duplicates_on_the_speakers_page(
    login, live_server, project, members, disputed, output_dir
):
    from annotator.corpus.models import Speaker
    from annotator.labeling.models import Claim
    from tests.integration.review.builders import speaker

    passage, claims, _ = disputed
    short = speaker(project, "Blinken")
    titled = speaker(project, "U.S. Secretary of State Antony Blinken")
    Claim.objects.filter(pk=claims["ann2"][0].pk).update(speaker=short)
    Claim.objects.filter(pk=claims["ann3"][0].pk).update(speaker=titled)
    page = login("rev")
    page.goto(f"{live_server.url}/projects/{project.slug}/speakers/")
    suggestion = page.get_by_test_id("suggestion")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_contain_text("Antony Blinken")
    suggestion.locator("select[name=canonical]").select_option(label="Antony Blinken")
    screenshot(page, output_dir / "speakers.png")
    suggestion.get_by_role("button", name="Merge").click()
    preview = page.get_by_test_id("merge-preview")
    expect(preview).to_contain_text("Merge into Antony Blinken?")
    expect(preview.get_by_test_id("claims-moved")).to_contain_text("2 claims and 0 gold claims move")
    expect(preview.get_by_test_id("aliases-added")).to_contain_text(
        "U.S. Secretary of State Antony Blinken; Blinken"
    )
    assert Speaker.objects.filter(pk=short.pk).exists()  # nothing changes before the confirmation
    preview.get_by_role("button", name="Merge").click()
    expect(page.locator("main")).to_contain_text("Merged 2 speakers into Antony Blinken")
    expect(page.get_by_test_id("suggestion")).to_have_count(0)
    keep = Speaker.objects.get(project=project, name="Antony Blinken")
    assert sorted(keep.aliases) == ["Blinken", "U.S. Secretary of State Antony Blinken"]
    assert set(Claim.objects.filter(text=CONDEMNED).values_list("speaker_id", flat=True)) == {keep.pk}
    page.get_by_test_id("merge").filter(has_text="Blinken → Antony Blinken").first.get_by_role(
        "button", name="Undo"
    ).click()
    expect(page.locator("main")).to_contain_text("Undid the merge")
    assert Claim.objects.get(pk=claims["ann2"][0].pk).speaker_id == short.pk
    assert Speaker.objects.get(pk=short.pk).name == "Blinken"


def test_review_highlights_and_gold_spans_count_code_points_after_emoji(login, live_server, project, members):
    from annotator.corpus.readers import ArticleRecord
    from annotator.corpus.services import documents_import

    text = "Emoji summit\n\nReactions 😀🇨🇳 first. Analysts said the bridge matters most. Others 𝕏 disagreed."
    documents_import(project=project, records=[ArticleRecord(title="Emoji summit", text=text)])
    passage = Passage.objects.select_related("document__project").get(document__title="Emoji summit")
    same = [{"phrase": "the bridge matters most"}]
    annotate(project, passage, {"ann1": same, "ann2": same, "ann3": same})

    page = login("rev")
    page.goto(f"{live_server.url}/projects/{project.slug}/review/passages/{passage.pk}/")
    ann1 = page.locator(f'#columns .column[data-annotator="{members["ann1"].pk}"] mark')
    expect(ann1).to_have_text(["the bridge matters most"])  # not shifted by the three astral characters

    phrase = "Others 𝕏 disagreed"
    start = passage.text.index(phrase)
    utf16 = len(passage.text[:start].encode("utf-16-le")) // 2
    utf16_end = utf16 + len(phrase.encode("utf-16-le")) // 2
    page.evaluate(SELECT_JS, ["gold", utf16, utf16_end])
    page.keyboard.press("+")
    expect(page.locator("#compare tbody tr")).to_have_count(2)
    page.keyboard.press("Control+s")
    expect(page.locator("#save-status")).to_contain_text("Saved gold version 1")
    gold = {(claim.start, claim.end, claim.text) for claim in GoldClaim.objects.all()}
    bridge = passage.text.index("the bridge matters most")
    assert gold == {
        (bridge, bridge + len("the bridge matters most"), "the bridge matters most"),
        (start, start + len(phrase), phrase),
    }
