"""The agreement dashboard in a real headless Chromium: figures from the run, charts, live progress."""

from unittest import mock

import pytest

from annotator.agreement import charts
from annotator.agreement.models import RunStatus
from annotator.agreement.services import agreement_run_execute, agreement_run_request
from annotator.labeling.models import Claim
from annotator.review.services import adjudication_save
from tests.e2e.test_accessibility import findings
from tests.integration.agreement.annotations import accept_suggestions, annotate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def annotated(project, members, seeded):
    annotate(project)
    # two passages adjudicated, so the page also compares each annotator with gold
    first_claims = {}
    for claim in Claim.objects.select_related("assignment__passage__document__project").order_by("id"):
        first_claims.setdefault(claim.assignment.passage_id, claim)
    with mock.patch("annotator.agreement.scheduling.schedule_refresh"):  # no automatic run: tests decide
        for claim in list(first_claims.values())[:2]:
            adjudication_save(
                passage=claim.assignment.passage,
                reviewer=members["rev"],
                version=0,
                claims=[
                    {
                        "start": claim.start,
                        "end": claim.end,
                        "speaker_id": claim.speaker_id,
                        "attribution": claim.attribution,
                        "perspective": claim.perspective,
                        "stance": claim.stance,
                        "target": claim.target,
                        "source_claim_ids": [claim.pk],
                    }
                ],
            )
    return project


def computed(project, **parameters):
    run = agreement_run_request(project=project, parameters=parameters or None, enqueue=False)
    return agreement_run_execute(run_id=run.pk)


def test_the_dashboard_shows_the_figures_of_the_last_run(annotated, login, live_server, output_dir):
    run = computed(annotated, n_boot=500)
    report = run.results["report"]
    page = login("res")
    page.goto(f"{live_server.url}/projects/{annotated.slug}/agreement/")

    span = page.locator("#span-figures .figure")
    assert span.count() == 5  # position α, uα, γ, overlap and exact F1
    position = report["span"]["position_alpha"]
    assert span.nth(0).locator(".figure-value").inner_text() == charts.fmt(position["value"], 3)
    assert span.nth(0).locator(".figure-ci").inner_text() == (
        f"95% CI [{charts.fmt(position['ci'][0])}, {charts.fmt(position['ci'][1])}]"
    )
    assert charts.krippendorff_band(position["value"]) in span.nth(0).inner_text()
    stance = page.locator("#attribute-figures .figure").nth(1)
    assert stance.locator(".figure-value").inner_text() == charts.fmt(
        report["attributes"]["stance"]["alpha"]["value"], 3
    )
    assert "Cohen's κ" in stance.inner_text()

    assert page.locator("#pairs svg").count() == 4  # span F1 and three attribute kappas, per pair
    assert page.locator("#pairs svg text", has_text="ann2").count() >= 2
    assert page.locator("#labels-perspective svg").count() == 2  # per-label bars and the matrix
    assert page.locator("#labels-perspective svg text", has_text="US / Western").count() >= 1
    assert page.locator("#annotators tbody tr").count() == 3
    assert page.locator("#gold svg").count() == 3  # annotators vs. gold, per attribute
    assert page.locator("#documents tbody tr").count() == 2
    assert f"Last run #{run.pk} finished" in page.locator("#last-run").inner_text()
    assert page.locator("#run-progress").count() == 0
    assert page.locator("#suggestions").count() == 0  # no claim came from a suggestion

    page.screenshot(path=str(output_dir / "dashboard.png"), full_page=True)


def test_figures_with_and_without_accepted_suggestions_stand_side_by_side(
    annotated, login, live_server, output_dir
):
    accept_suggestions(annotated, passages=20)
    run = computed(annotated, n_boot=200)
    section = run.results["without_suggestions"]
    page = login("res")
    page.goto(f"{live_server.url}/projects/{annotated.slug}/agreement/")

    table = page.locator("#suggestion-figures")
    headers = table.locator("thead th").all_inner_texts()
    assert headers == ["Figure", "All claims", "Without accepted suggestions", "Difference"]
    rows = table.locator("tbody tr")
    assert rows.count() == len(section["comparison"]) == 7
    for i, expected in enumerate(section["comparison"]):
        cells = rows.nth(i).locator("td")
        digits = 3 if expected["scale"] == "alpha" else 2
        assert cells.nth(0).inner_text() == expected["title"]
        assert cells.nth(1).inner_text().splitlines()[0] == charts.fmt(expected["all"], digits)
        assert cells.nth(2).inner_text().splitlines()[0] == charts.fmt(expected["without"], digits)
        assert cells.nth(3).inner_text() == charts.fmt_signed(expected["difference"])
    # the identical accepted claims raise exact-boundary span agreement
    exact = next(row for row in section["comparison"] if row["figure"] == "span.exact_f1")
    assert exact["difference"] > 0
    why = page.locator("#suggestions-why").inner_text()
    counts = section["suggested_claims"]
    assert f"{counts['suggested']} of the {counts['claims']} claims" in why and "can raise agreement" in why
    shares = page.locator("#suggestion-annotators tbody tr")
    assert shares.count() == 3
    assert shares.nth(0).locator("td").all_inner_texts()[2] == str(counts["annotators"][0]["suggested"])
    page.locator("#suggestions").screenshot(path=str(output_dir / "dashboard-suggestions.png"))
    assert findings(page) == set()  # axe: the coloured cells keep their contrast, the page one <h1>


def test_a_run_in_progress_shows_its_progress_and_the_page_updates_when_it_is_done(
    annotated, login, live_server, output_dir
):
    run = agreement_run_request(project=annotated, parameters={"n_boot": 50}, enqueue=False)
    page = login("rev")
    page.goto(f"{live_server.url}/projects/{annotated.slug}/agreement/")
    assert "No agreement run has finished yet." in page.locator("#last-run").inner_text()
    assert page.locator("#run-status").inner_text() == "queued"
    page.screenshot(path=str(output_dir / "dashboard-queued.png"))

    assert agreement_run_execute(run_id=run.pk).status == RunStatus.SUCCEEDED  # a worker, in effect
    page.wait_for_selector("#span-figures", timeout=15_000)  # dashboard.js polled, saw it done, reloaded
    assert page.locator("#run-progress").count() == 0
    assert f"Last run #{run.pk} finished" in page.locator("#last-run").inner_text()


def test_run_now_computes_and_shows_the_figures(annotated, login, live_server):
    page = login("man")
    page.goto(f"{live_server.url}/projects/{annotated.slug}/agreement/")
    page.click("#run-now")  # no broker in the test server: the run is computed in the request
    page.wait_for_selector("#span-figures")
    assert page.locator("#span-figures .figure-value").first.inner_text() not in ("", "n/a")


def test_annotators_cannot_open_the_dashboard(annotated, login, live_server):
    page = login("ann1")
    response = page.goto(f"{live_server.url}/projects/{annotated.slug}/agreement/")
    assert response.status == 404
