"""`manage.py agreement`: computes in-process through the run service and prints a table or JSON."""

import json

import pytest
from django.core.management import CommandError, call_command

from annotator.agreement.models import AgreementRun, RunStatus

pytestmark = pytest.mark.django_db


def test_json_output_is_the_stored_run(small, capsys):
    call_command("agreement", "--project", small.slug, "--json", "--n-boot", "50")
    printed = json.loads(capsys.readouterr().out)
    run = AgreementRun.objects.get(project=small)
    assert run.status == RunStatus.SUCCEEDED and printed["run"]["id"] == run.pk
    assert printed["report"] == run.results["report"] and printed["report"]["parameters"]["n_boot"] == 50
    assert printed["run"]["input_digest"] == run.input_digest


def test_the_table_names_the_figures_annotators_and_documents(small, members, capsys):
    call_command("agreement", "--project", small.slug, "--n-boot", "0")
    out = capsys.readouterr().out
    run = AgreementRun.objects.get(project=small)
    position = run.results["report"]["span"]["position_alpha"]["value"]
    assert f"run #{run.pk}" in out and f"{position:.3f}" in out
    for text in ("position alpha", "span F1, overlap", "stance Cohen kappa", "ann1", "ann3", "Article 2"):
        assert text in out


def test_a_second_call_reuses_the_result_when_nothing_changed(small, capsys):
    call_command("agreement", "--project", small.slug, "--json", "--n-boot", "10")
    first = json.loads(capsys.readouterr().out)["run"]
    call_command("agreement", "--project", small.slug, "--json", "--n-boot", "10")
    second = json.loads(capsys.readouterr().out)["run"]
    assert second["id"] != first["id"] and second["reused_from"] == first["id"]


def test_an_unknown_project_is_an_error(db):
    with pytest.raises(CommandError, match="No project"):
        call_command("agreement", "--project", "nope")
