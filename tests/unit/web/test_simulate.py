"""The demo's simulated annotators: deterministic, wrong at the documented rates, every span a valid claim."""

import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import asdict

import pytest

from annotator.corpus.schema import load_default_schema, values
from annotator.web.demo.gold import DemoClaim
from annotator.web.demo.simulate import RATES, Choices, Rates, simulate_passage, valid_span

ANNOTATORS = ("ann1", "ann2", "ann3")
SCHEMA = load_default_schema()
SPEAKERS = ("Wang Junsheng", "Kurt Campbell", "Xinhua")


def choices(speakers=SPEAKERS) -> Choices:
    return Choices(
        perspectives=sorted(values(SCHEMA, "perspectives")),
        stances=sorted(values(SCHEMA, "stances")),
        speakers=speakers,
        target=SCHEMA["default_target"],
    )


def versions(passages, annotator: str, speakers=SPEAKERS, rates: Rates = RATES) -> list[list[DemoClaim]]:
    return [
        simulate_passage(
            text, gold, annotator=annotator, place=f"p{i}", choices=choices(speakers), rates=rates
        )
        for i, (text, gold) in enumerate(passages)
    ]


# A synthetic article big enough to measure rates on: each passage has two gold claims of several
# words (one with a speaker and a mention) and a sentence of the writer's that no claim touches.
SENTENCE_A = "Wang Junsheng said the new treaty was sure to bring relations to new heights."
SENTENCE_B = "“Beijing is somewhat anxious about what is going on,” Campbell told reporters."
SENTENCE_C = "The bridge over the Tumen River has been trending on social media for a week."
PASSAGE = f"{SENTENCE_A} {SENTENCE_B} {SENTENCE_C}"


def synthetic(count: int = 400) -> list[tuple[str, list[DemoClaim]]]:
    def gold(snippet: str, **labels) -> DemoClaim:
        start = PASSAGE.index(snippet)
        return DemoClaim(start=start, end=start + len(snippet), text=snippet, target="t", **labels)

    claims = [
        gold("the new treaty was sure to bring relations to new heights", attribution="indirect",
             perspective="chinese", stance="favor", speaker="Wang Junsheng", mention=(0, 13)),
        gold("Beijing is somewhat anxious about what is going on", attribution="direct",
             perspective="us_western", stance="against"),
    ]  # fmt: skip
    return [(PASSAGE, claims)] * count


def test_the_same_passage_gives_the_same_version_every_time(gold_files, placed):
    passages = [item for gold in gold_files for item in placed(gold)]
    assert versions(passages, "ann2") == versions(passages, "ann2")


def test_the_versions_do_not_depend_on_the_process_hash_seed():
    code = (
        "import json; from dataclasses import asdict;"
        "from tests.unit.web.test_simulate import versions, synthetic;"
        "print(json.dumps([[asdict(c) for c in p] for p in versions(synthetic(30), 'ann1')]))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
            cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__)))),
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
    here = [[asdict(c) for c in p] for p in versions(synthetic(30), "ann1")]
    assert json.loads(outputs.pop()) == json.loads(json.dumps(here))


def test_annotators_miss_different_claims():
    passages = synthetic(60)
    missed = {}
    for annotator in ANNOTATORS:
        kept = {
            (i, claim.source) for i, version in enumerate(versions(passages, annotator)) for claim in version
        }
        missed[annotator] = {(i, source) for i in range(len(passages)) for source in (0, 1)} - kept
    assert all(missed.values())
    assert missed["ann1"] != missed["ann2"] != missed["ann3"] != missed["ann1"]


def test_the_rates_are_roughly_as_documented():
    passages = synthetic()
    counts: Counter[str] = Counter()
    for annotator in ANNOTATORS:
        for (_, gold), version in zip(passages, versions(passages, annotator), strict=True):
            counts["gold"] += len(gold)
            counts["passages"] += 1
            for claim in version:
                if claim.source is None:
                    counts["extra"] += 1
                    continue
                original = gold[claim.source]
                counts["kept"] += 1
                counts["boundary"] += (claim.start, claim.end) != (original.start, original.end)
                counts["stance"] += claim.stance != original.stance
                counts["perspective"] += claim.perspective != original.perspective
                if original.speaker is not None:
                    counts["with_speaker"] += 1
                    counts["speaker"] += claim.speaker != original.speaker
    # 2,400 gold claims and 1,200 passages: three standard errors are under 0.03 for these rates.
    assert 1 - counts["kept"] / counts["gold"] == pytest.approx(RATES.miss, abs=0.03)
    assert counts["boundary"] / counts["kept"] == pytest.approx(RATES.boundary, abs=0.03)
    assert counts["stance"] / counts["kept"] == pytest.approx(RATES.stance, abs=0.03)
    assert counts["perspective"] / counts["kept"] == pytest.approx(RATES.perspective, abs=0.03)
    assert counts["speaker"] / counts["with_speaker"] == pytest.approx(RATES.speaker, abs=0.04)
    assert counts["extra"] / counts["passages"] == pytest.approx(RATES.extra, abs=0.03)


def test_no_changes_at_zero_rates_and_no_claims_at_a_miss_rate_of_one():
    passages = synthetic(20)
    assert versions(passages, "ann1", rates=Rates(0, 0, 0, 0, 0, 0)) == [
        [DemoClaim(**{**asdict(claim), "source": i}) for i, claim in enumerate(gold)] for _, gold in passages
    ]
    assert versions(passages, "ann1", rates=Rates(miss=1, extra=0)) == [[] for _ in passages]


def test_every_claim_is_a_valid_span_on_word_edges_of_its_passage(gold_files, placed):
    """On the real seed articles and gold, with every change made often, so every path is exercised."""
    often = Rates(miss=0.1, boundary=0.9, stance=0.5, perspective=0.5, speaker=0.5, extra=0.9)
    checked = Counter()
    for gold in gold_files:
        passages = placed(gold)
        speakers = [speaker.name for speaker in gold.speakers]
        for annotator in ANNOTATORS:
            for (text, gold_claims), version in zip(
                passages, versions(passages, annotator, speakers, often), strict=True
            ):
                for claim in version:
                    assert valid_span(text, claim.start, claim.end), (claim, text)
                    assert text[claim.start : claim.end] == claim.text
                    assert not _inside_word(text, claim.start) and not _inside_word(text, claim.end), (
                        claim.text
                    )
                    assert claim.stance in values(SCHEMA, "stances")
                    assert claim.perspective in values(SCHEMA, "perspectives")
                    assert claim.speaker is None or claim.speaker in speakers
                    if claim.mention is not None:
                        assert 0 <= claim.mention[0] < claim.mention[1] <= len(text)
                    if claim.attribution == "authorial":
                        assert claim.speaker is None
                    source = gold_claims[claim.source] if claim.source is not None else None
                    checked["moved"] += (
                        source is not None
                        and source.start != claim.start
                        or (source is not None and source.end != claim.end)
                    )
                    checked["extra"] += source is None
    assert checked["moved"] > 50 and checked["extra"] > 50, checked


def _inside_word(text: str, i: int) -> bool:
    return 0 < i < len(text) and text[i - 1].isalnum() and text[i].isalnum()
