"""The seed articles cut into passages as the importer cuts them, and the gold files placed on them."""

from pathlib import Path

import pytest

from annotator.corpus.readers import read_articles
from annotator.corpus.segment import segment_article
from annotator.web.demo.gold import DemoClaim, GoldFile, gold_place, gold_read

REPO = Path(__file__).resolve().parents[3]
SEEDS = REPO / "seeds"
GOLD_DIRS = [REPO / "fixtures" / "gold", REPO / "tests" / "fixtures" / "gold_sample"]


def _article(name: str) -> tuple[str, list[tuple[int, int]]]:
    """The article text (as imported) and its body passages' [start, end) offsets."""
    (record,) = read_articles(name, (SEEDS / name).read_bytes())
    segments = segment_article(record.text, title=record.title)
    return record.text, [(s.start, s.end) for s in segments if s.kind == "body"]


def _placed(gold: GoldFile) -> list[tuple[str, list[DemoClaim]]]:
    """(passage text, its gold claims) for every body passage of the gold file's article."""
    text, passages = _article(gold.document)
    claims = gold_place(gold, text=text, passages=passages)
    return [(text[start:end], found) for (start, end), found in zip(passages, claims, strict=True)]


@pytest.fixture(scope="session")
def gold_files() -> list[GoldFile]:
    """Every gold file there is: the demo's (fixtures/gold) and the small sample the tests load."""
    paths = sorted(path for folder in GOLD_DIRS for path in folder.glob("*.json"))
    assert paths, "no gold files found"
    return [gold_read(path.read_text(encoding="utf-8"), file_name=path.name) for path in paths]


@pytest.fixture(scope="session")
def article():
    return _article


@pytest.fixture(scope="session")
def placed():
    return _placed
