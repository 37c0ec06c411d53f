"""`manage.py evaluate_suggestions`: the table on the shipped gold, and clear errors for bad input."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("evaluate_suggestions", *args, stdout=out)
    return out.getvalue()


def test_prints_a_row_per_article_and_overall():
    lines = run().splitlines()
    assert lines[0].startswith("| article | gold | suggested |")
    names = [line.split("|")[1].strip() for line in lines[2:]]
    assert names == ["000_19274ddd54156fa7.txt", "003_5e84ef38828d30a4.txt", "overall"]
    overall = [cell.strip() for cell in lines[-1].split("|")[1:-1]]
    gold_counts = sum(
        sum(c["attribution"] != "authorial" for c in json.loads(p.read_text(encoding="utf-8"))["claims"])
        for p in (ROOT / "fixtures" / "gold").glob("*.json")
    )
    assert int(overall[1]) == gold_counts


def test_an_empty_gold_folder_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no .json files"):
        run("--gold", str(tmp_path))


def test_a_gold_file_that_breaks_the_rules_is_named_with_its_problem(tmp_path):
    gold = json.loads((ROOT / "fixtures" / "gold" / "000_19274ddd54156fa7.json").read_text(encoding="utf-8"))
    gold["claims"][0]["end"] += 1
    (tmp_path / "broken.json").write_text(json.dumps(gold), encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken\.json: claims\[0\]: text is not the document's slice"):
        run("--gold", str(tmp_path))


def test_a_missing_document_is_an_error(tmp_path):
    (tmp_path / "g.json").write_text(json.dumps({"document": "nowhere.txt", "speakers": [], "claims": []}))
    with pytest.raises(CommandError, match="nowhere.txt does not exist"):
        run("--gold", str(tmp_path))
