"""CoNLL per annotator (counts at the top) and plain CoNLL that NLTK's ConllCorpusReader reads."""

from __future__ import annotations

from nltk.corpus.reader.conll import ConllCorpusReader

from annotator.corpus.segment import word_spans
from annotator.exports.formats import conll_by_annotator, write_conll_plain_folder
from annotator.exports.formats.conll import BioStats
from tests.unit.exports.test_formats import ASTRAL, sample_records


def test_the_header_counts_dropped_claims_per_annotator_before_any_block():
    stats: dict[str, BioStats] = {}
    output = "".join(
        conll_by_annotator(sample_records(), source="all", label_field="perspective", stats=stats)
    )
    header, *blocks = output.rstrip("\n").split("\n\n")
    assert header.splitlines()[0].startswith("# CoNLL")
    assert header.splitlines()[-4:] == [
        "# dropped_claims alice = 0",
        "# dropped_claims bob = 1",
        "# dropped_claims gold = 0",
        "# dropped_claims total = 1",
    ], "bob's nested claim; alice's identical claim does not push bob's out"
    assert stats["bob"].dropped == 1 and stats["bob"].dropped_by_passage == {11: 1}
    owners = [
        (line.split(" = ")[1], int(block.split("\n")[0].split(" = ")[1]))
        for block in blocks
        for line in block.split("\n")
        if line.startswith("# annotator = ")
    ]
    assert owners == [("alice", 11), ("bob", 11), ("gold", 11), ("alice", 12), ("gold", 13)]
    bob = blocks[1].split("\n")
    assert "# dropped_claims = 1" in bob
    tags = [line.split("\t")[1] for line in bob if not line.startswith("#")]
    assert tags.count("B-us_western") == 1 and len(tags) == len(word_spans(ASTRAL))


def test_no_claims_anywhere_still_gives_the_header():
    output = "".join(conll_by_annotator([], source="annotators"))
    assert output.endswith("# dropped_claims total = 0\n\n") and output.count("\n\n") == 1


def test_plain_files_have_no_comments_and_nltk_reads_every_token_back(tmp_path, monkeypatch):
    monkeypatch.setenv("NLTK_DATA", str(tmp_path))  # NLTK reads corpora only under its data roots
    stats = write_conll_plain_folder(tmp_path, sample_records(), source="all")
    files = ["alice.conll", "bob.conll", "gold.conll"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.txt", *files]
    for name in files:
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert not any(line.startswith("#") for line in text.splitlines())
        assert "\n\n\n" not in text and text.endswith("\n\n")
    reader = ConllCorpusReader(str(tmp_path), files, columntypes=("words", "ne"), encoding="utf-8")
    for name in files:
        annotator = name.removesuffix(".conll")
        assert len(reader.words(name)) == stats[annotator].tokens
        assert len(reader.sents(name)) == stats[annotator].passages
    assert list(reader.words("bob.conll")) == [ASTRAL[s:e] for s, e in word_spans(ASTRAL)], (
        "astral tokens intact"
    )
    tagged = ConllCorpusReader(str(tmp_path), files, columntypes=("words", "pos"), encoding="utf-8")
    assert {tag for _, tag in tagged.tagged_words("bob.conll")} == {"B-CLAIM", "I-CLAIM", "O"}
    readme = (tmp_path / "README.txt").read_text(encoding="utf-8")
    assert "dropped_claims bob = 1" in readme and "ConllCorpusReader" in readme
