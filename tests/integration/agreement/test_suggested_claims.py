"""Runs, the command, the API and the dashboard page with and without claims from accepted suggestions."""

import copy
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft7Validator
from rest_framework.test import APIClient

from annotator.agreement.charts import fmt, fmt_signed
from annotator.agreement.loading import RESULTS_FORMAT, load_project_input
from annotator.agreement.maths.report import project_report
from annotator.agreement.maths.suggested import HEADLINE_FIGURES, HEADLINE_SECTIONS
from annotator.agreement.models import AgreementRun
from annotator.agreement.services import agreement_run_execute, agreement_run_request
from annotator.labeling.models import Assignment, AssignmentStatus, Claim, ClaimOrigin
from tests.integration.agreement.annotations import accept_suggestions, clear_claims
from tests.unit.agreement.test_suggested import assert_same_figures

pytestmark = pytest.mark.django_db

N_BOOT = 50
HOSTILE_NAME = '<script>alert("x")</script>'


def finish(project) -> AgreementRun:
    run = agreement_run_request(project=project, parameters={"n_boot": N_BOOT}, enqueue=False)
    return agreement_run_execute(run_id=run.pk)


@pytest.fixture
def accepted(small, members):
    """(the run before any suggestion was accepted, the run after). Before: ann1 marked nothing in the first
    passage; after: every annotator accepted the same two suggestions in the first three passages, so in
    the first passage ann1's only claims are accepted suggestions."""
    first = Assignment.objects.filter(annotator=members["ann1"], passage__document__project=small)
    clear_claims(first.select_related("passage__document__project").order_by("passage_id").first())
    before = finish(small)
    accept_suggestions(small, passages=3)
    return before, finish(small)


def test_the_report_on_all_claims_is_the_report_computed_as_before(small, accepted):
    _, after = accepted
    loaded = load_project_input(project=small)
    expected = project_report(**loaded.report_arguments(), n_boot=N_BOOT, seed=0)
    assert after.results["report"] == json.loads(json.dumps(expected))
    assert after.results["format"] == RESULTS_FORMAT == 2


def test_the_figures_without_suggestions_are_those_of_the_project_before_they_were_accepted(accepted):
    before, after = accepted
    section = after.results["without_suggestions"]
    for name in HEADLINE_SECTIONS:
        assert_same_figures(section[name], before.results["report"][name], name)
    # the identical accepted claims changed the figures on all claims
    assert after.results["report"]["span"] != before.results["report"]["span"]
    assert after.results["report"]["counts"]["claims_used"] == section["counts"]["claims_used"] + 18
    for row in section["comparison"]:
        assert row["difference"] == pytest.approx(row["all"] - row["without"], abs=1e-15)


def test_the_assignment_whose_only_claims_were_suggestions_still_counts(small, accepted):
    _, after = accepted
    section, report = after.results["without_suggestions"], after.results["report"]
    assert section["counts"]["submitted_assignments"] == report["counts"]["submitted_assignments"] == 27
    assert section["counts"]["passages_coded"] == report["counts"]["passages_coded"] == 9


def test_the_counts_and_shares_per_annotator_are_those_of_the_database(small, members, accepted):
    _, after = accepted
    counts = after.results["without_suggestions"]["suggested_claims"]
    submitted = Claim.objects.filter(
        assignment__passage__document__project=small, assignment__status=AssignmentStatus.SUBMITTED
    )
    expected = []
    for name in ("ann1", "ann2", "ann3"):
        mine = submitted.filter(assignment__annotator=members[name])
        n, suggested = mine.count(), mine.filter(origin=ClaimOrigin.SUGGESTION).count()
        expected.append(
            {"annotator": members[name].pk, "claims": n, "suggested": suggested, "share": suggested / n}
        )
    assert counts["annotators"] == expected and [e["suggested"] for e in expected] == [6, 6, 6]
    assert counts["claims"] == submitted.count() and counts["suggested"] == 18
    assert after.results["input"]["suggested_claims"] == 18


def test_a_project_without_suggested_claims_has_no_second_section(small):
    run = finish(small)
    assert "without_suggestions" not in run.results
    assert run.results["input"]["suggested_claims"] == 0


def test_marking_claims_as_suggestions_is_a_new_input_not_a_reuse(small):
    first = finish(small)
    Claim.objects.filter(pk__in=Claim.objects.order_by("id").values("pk")[:5]).update(
        origin=ClaimOrigin.SUGGESTION
    )
    second = finish(small)
    assert second.reused_from_id is None and second.input_digest != first.input_digest
    assert second.results["without_suggestions"]["suggested_claims"]["suggested"] == 5
    assert second.results["report"] == first.results["report"]  # the same claims: the same figures


def test_the_command_prints_both_columns_and_the_shares(small, members, accepted, capsys):
    call_command("agreement", "--project", small.slug, "--n-boot", str(N_BOOT))
    out = capsys.readouterr().out
    section = AgreementRun.objects.order_by("-id").first().results["without_suggestions"]
    assert "With and without accepted suggestions: 18 of" in out
    for row in section["comparison"]:
        line = next(line for line in out.splitlines() if line.strip().startswith(row["title"]))
        assert line.split()[-3:] == [
            fmt(row["all"], 3),
            fmt(row["without"], 3),
            fmt_signed(row["difference"]),
        ]
    ann1 = next(line for line in out.splitlines() if line.strip().startswith("ann1") and "%" in line)
    share = section["suggested_claims"]["annotators"][0]["share"]
    assert ann1.split()[-2:] == ["6", f"{share:.0%}"]


def test_the_json_of_the_command_carries_the_section(small, accepted, capsys):
    call_command("agreement", "--project", small.slug, "--json", "--n-boot", str(N_BOOT))
    printed = json.loads(capsys.readouterr().out)
    run = AgreementRun.objects.get(pk=printed["run"]["id"])
    assert printed["without_suggestions"] == run.results["without_suggestions"]
    assert printed["run"]["reused_from"] == accepted[1].pk  # nothing changed since the fixture's run


def test_the_command_prints_no_comparison_without_suggestions(small, capsys):
    call_command("agreement", "--project", small.slug, "--n-boot", "0")
    assert "accepted suggestions" not in capsys.readouterr().out


# --- API --------------------------------------------------------------------------------------------


def openapi_validator() -> Draft7Validator:
    """The run detail as the OpenAPI document describes it, as JSON Schema; the agreement results'
    components closed (additionalProperties false), so a key the schema does not describe fails too."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = copy.deepcopy(schema["components"]["schemas"])
    results = ("Agreement", "Suggested", "AnnotatorSuggested", "SuggestionComparison", "WithoutSuggestions")
    for name, component in components.items():
        if name.startswith(results) and not name.startswith("AgreementRun"):
            component["additionalProperties"] = False

    def nullable(node):
        if isinstance(node, list):
            return [nullable(item) for item in node]
        if not isinstance(node, dict):
            return node
        node = {key: nullable(value) for key, value in node.items()}
        if node.pop("nullable", False):
            return {"anyOf": [node, {"type": "null"}]}
        return node

    document = {
        "$ref": "#/components/schemas/AgreementRunDetail",
        "components": {"schemas": nullable(components)},
    }
    return Draft7Validator(document)


def test_the_api_returns_the_section_as_the_openapi_schema_describes_it(small, members, accepted):
    api = APIClient()
    api.force_authenticate(members["res"])
    body = api.get("/api/v1/agreement-runs/latest/", {"project": small.pk}).json()
    assert body["results"]["without_suggestions"]["comparison"][0]["figure"] == HEADLINE_FIGURES[0][0]
    validator = openapi_validator()
    assert [(list(e.absolute_path), e.message) for e in validator.iter_errors(body)] == []
    body["results"]["without_suggestions"]["comparison"][0]["undocumented"] = 1
    body["results"]["without_suggestions"]["suggested_claims"]["share"] = "most"
    found = leaf_messages(validator.iter_errors(body))  # the check can fail
    assert any("'undocumented' was unexpected" in m for m in found)
    assert any("'most' is not of type 'number'" in m for m in found)


def leaf_messages(errors) -> list[str]:
    """The messages of the innermost errors (a nullable object wraps its errors in anyOf)."""
    found = []
    for error in errors:
        found += leaf_messages(error.context) if error.context else [error.message]
    return found


def test_a_run_without_the_section_matches_the_schema_too(small, members):
    finish(small)
    api = APIClient()
    api.force_authenticate(members["rev"])
    body = api.get("/api/v1/agreement-runs/latest/", {"project": small.pk}).json()
    assert "without_suggestions" not in body["results"]
    assert list(openapi_validator().iter_errors(body)) == []


# --- the dashboard page ------------------------------------------------------------------------------


def page(client, members, project) -> str:
    client.force_login(members["res"])
    return client.get(reverse("agreement-dashboard", args=[project.slug])).content.decode()


def test_the_dashboard_shows_the_figures_side_by_side_with_the_difference(client, small, members, accepted):
    _, after = accepted
    html = page(client, members, small)
    assert 'id="suggestions"' in html and "Without accepted suggestions" in html
    table = html.split('id="suggestion-figures"')[1].split("</table>")[0]
    rows = table.split("<tr>")[2:]
    section = after.results["without_suggestions"]
    assert len(rows) == len(HEADLINE_FIGURES)
    for row, expected in zip(rows, section["comparison"], strict=True):
        digits = 3 if expected["scale"] == "alpha" else 2
        assert f">{fmt(expected['all'], digits)}<" in row and f">{fmt(expected['without'], digits)}<" in row
        assert f'<td class="num difference">{fmt_signed(expected["difference"])}</td>' in row
    people = html.split('id="suggestion-annotators"')[1].split("</table>")[0]
    share = round(100 * section["suggested_claims"]["annotators"][0]["share"])
    assert '<td>ann1</td><td class="num">' in people and f">{share}%</td>" in people
    assert "can raise agreement" in html


def test_the_dashboard_has_no_comparison_when_no_claim_came_from_a_suggestion(client, small, members):
    finish(small)
    html = page(client, members, small)
    assert 'id="suggestions"' not in html and "Without accepted suggestions" not in html
    assert 'id="span-figures"' in html


def test_the_comparison_costs_the_page_no_query(client, small, members):
    finish(small)
    page(client, members, small)  # warm up: session, user
    with CaptureQueriesContext(connection) as without:
        page(client, members, small)
    accept_suggestions(small, passages=9)
    finish(small)
    with CaptureQueriesContext(connection) as with_section:
        html = page(client, members, small)
    assert 'id="suggestions"' in html
    assert len(with_section.captured_queries) == len(without.captured_queries)


def test_annotator_names_in_the_shares_table_are_escaped(client, small, members, accepted):
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=members["ann2"].pk).update(username=HOSTILE_NAME)
    finish(small)  # a new input (the name is in the digest): a new run with the new name
    people = page(client, members, small).split('id="suggestion-annotators"')[1].split("</table>")[0]
    assert "<script>" not in people and "&lt;script&gt;" in people
