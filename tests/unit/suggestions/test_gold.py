"""The shipped gold annotation of the seed articles, checked with the importer's segmenter, the schema and
the span rule; and the checker itself, on broken copies of it."""

import copy
import importlib.util
from pathlib import Path

import pytest

from annotator.corpus.schema import load_default_schema
from annotator.suggestions.detector.gold import body_passages, gold_problems, known_speakers, load_gold

ROOT = Path(__file__).resolve().parents[3]
GOLD_FILES = sorted((ROOT / "fixtures" / "gold").glob("*.json"))
SCHEMA = load_default_schema()


def document_text(gold: dict) -> str:
    return (ROOT / "seeds" / gold["document"]).read_text(encoding="utf-8")


def test_there_is_a_gold_file_for_each_seed_article():
    documents = {load_gold(p)["document"] for p in GOLD_FILES}
    assert documents == {"000_19274ddd54156fa7.txt", "003_5e84ef38828d30a4.txt"}


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.stem)
def test_gold_file_satisfies_every_rule(path):
    gold = load_gold(path)
    assert gold_problems(gold, document_text(gold), SCHEMA) == []
    attributed = [c for c in gold["claims"] if c["attribution"] != "authorial"]
    assert len(attributed) >= 20 and len(gold["claims"]) > len(attributed)


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.stem)
def test_gold_file_is_what_the_builder_writes(path):
    spec = importlib.util.spec_from_file_location("gold_build", ROOT / "fixtures" / "gold" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    article = next(a for a in build.ARTICLES if a["document"] == load_gold(path)["document"])
    assert build.build(article) == load_gold(path)


def test_known_speakers_maps_names_and_aliases_to_the_canonical_name():
    gold = load_gold(GOLD_FILES[0])
    known = known_speakers(gold)
    assert known["campbell"] == "Kurt Campbell"
    assert known["kurt campbell"] == "Kurt Campbell"


@pytest.fixture
def gold():
    return load_gold(GOLD_FILES[0])


def first(gold: dict, attribution: str) -> dict:
    return next(c for c in gold["claims"] if c["attribution"] == attribution and c.get("mention_start"))


def test_checker_reports_text_that_is_not_the_slice(gold):
    broken = copy.deepcopy(gold)
    first(broken, "direct")["text"] += "x"
    assert any("slice" in p for p in gold_problems(broken, document_text(gold), SCHEMA))


def test_checker_reports_a_claim_across_two_passages(gold):
    text = document_text(gold)
    (_, end_1), (start_2, _) = body_passages(text)[:2]
    broken = copy.deepcopy(gold)
    claim = broken["claims"][0]
    claim.update(start=end_1 - 5, end=start_2 + 5, text=text[end_1 - 5 : start_2 + 5])
    assert any("one body passage" in p for p in gold_problems(broken, text, SCHEMA))


def test_checker_reports_an_edge_the_span_rule_would_move(gold):
    text = document_text(gold)
    broken = copy.deepcopy(gold)
    claim = first(broken, "direct")
    claim["end"] += 1  # takes in the closing comma or quotation mark
    claim["text"] = text[claim["start"] : claim["end"]]
    assert any("span rule" in p for p in gold_problems(broken, text, SCHEMA))


def test_checker_reports_values_outside_the_schema_and_unknown_speakers(gold):
    broken = copy.deepcopy(gold)
    claim = first(broken, "indirect")
    claim.update(stance="pro", speaker="Nobody Known")
    broken["speakers"][0]["affiliation"] = "us_government"
    problems = gold_problems(broken, document_text(gold), SCHEMA)
    assert any("stance 'pro'" in p for p in problems)
    assert any("'Nobody Known' is not among" in p for p in problems)
    assert any("affiliation 'us_government'" in p for p in problems)


def test_checker_reports_a_mention_that_overlaps_the_claim_or_leaves_its_passage(gold):
    text = document_text(gold)
    broken = copy.deepcopy(gold)
    overlapping, elsewhere = [c for c in broken["claims"] if c.get("mention_start")][:2]
    overlapping.update(mention_start=overlapping["start"] - 2, mention_end=overlapping["start"] + 2)
    elsewhere.update(mention_start=0, mention_end=5)
    problems = gold_problems(broken, text, SCHEMA)
    assert any("overlaps the claim" in p for p in problems)
    assert any("not in the claim's passage" in p for p in problems)


def test_checker_reports_an_authorial_claim_with_a_speaker(gold):
    broken = copy.deepcopy(gold)
    next(c for c in broken["claims"] if c["attribution"] == "authorial")["speaker"] = "Kurt Campbell"
    problems = gold_problems(broken, document_text(gold), SCHEMA)
    assert any("authorial claim has no speaker" in p for p in problems)
