"""Simulated annotators for the demo: each one's version of a passage, derived from its gold claims.

Pure (no Django) and deterministic: every draw comes from a `random.Random` seeded with the annotator and
the passage's place, so every demo start writes the same data. The versions are simulated, not real
annotators' work; they disagree with the gold (and with each other) at these rates (`RATES`):

- a gold claim is missed: 15 % (each annotator draws on their own, so they miss different claims);
- a kept claim's boundary moves by one word at one edge (wider or narrower, snapped to word edges, inside
  the passage, then tidied by the project's span rule, `annotator/labeling/span_rule.py`): 12 %;
- its stance changes to another stance: 10 %; its perspective to another perspective: 8 %;
- its speaker (if it has one) is left out, or another of the article's speakers is picked: 10 %;
- a passage gets one extra claim of the annotator's own (a sentence no gold claim touches, in the
  writer's voice): 10 % of passages.
"""

import itertools
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from annotator.labeling.span_rule import DEFAULT_RULE, normalise_span
from annotator.web.demo.gold import DemoClaim

SEED = "annotator-demo-1"
# A word as the editor snaps to it (wordSpans in static/annotator/text.js): an inner apostrophe belongs.
WORD = re.compile(r"\w+(?:['’]\w+)*")
# Where a sentence ends: a stop (and closing quotes) before space and a capital or digit. Good enough to
# pick an extra claim; an initialism ("U.S. Secretary") only makes that sentence end a little early.
SENTENCE_BREAK = re.compile(r"[.!?][”’\"»)]*\s+(?=[“‘\"«(]?[A-Z0-9])")
EXTRA_MIN_WORDS = 4  # an extra claim is a sentence, not the tail of "U.S."


@dataclass(frozen=True)
class Rates:
    miss: float = 0.15
    boundary: float = 0.12
    stance: float = 0.10
    perspective: float = 0.08
    speaker: float = 0.10
    extra: float = 0.10  # per passage


RATES = Rates()


@dataclass(frozen=True)
class Choices:
    """What an annotator can pick instead of the gold: the schema's values and the article's speakers."""

    perspectives: Sequence[str]
    stances: Sequence[str]
    speakers: Sequence[str]
    target: str
    span_rule: Mapping[str, bool] = field(default_factory=lambda: dict(DEFAULT_RULE))


def simulate_passage(
    text: str,
    gold: Sequence[DemoClaim],
    *,
    annotator: str,
    place: str,
    choices: Choices,
    rates: Rates = RATES,
    seed: str = SEED,
) -> list[DemoClaim]:
    """`annotator`'s claims on the passage `text` whose gold claims are `gold` (passage offsets).

    `place` names the passage (e.g. "<document>#<position>"): with the annotator and `seed` it fixes the
    draws, so the result depends on nothing else. Each claim's `source` is its gold claim's index.
    """
    rng = random.Random(f"{seed}|{annotator}|{place}")
    claims: list[DemoClaim] = []
    for index, claim in enumerate(gold):
        if rng.random() < rates.miss:
            continue
        claim = replace(claim, source=index)
        if rng.random() < rates.boundary:
            claim = _shifted(text, claim, rng, choices.span_rule)
        if rng.random() < rates.stance:
            claim = replace(claim, stance=_other(rng, choices.stances, claim.stance))
        if rng.random() < rates.perspective:
            claim = replace(claim, perspective=_other(rng, choices.perspectives, claim.perspective))
        if claim.speaker is not None and rng.random() < rates.speaker:
            claim = _respoken(claim, rng, choices.speakers)
        claims.append(claim)
    if rng.random() < rates.extra:
        extra = _extra_claim(text, gold, rng, choices)
        if extra is not None:
            claims.append(extra)
    return claims


def _other(rng: random.Random, values: Sequence[str], current: str) -> str:
    others = [value for value in values if value != current]
    return rng.choice(others) if others else current


def _respoken(claim: DemoClaim, rng: random.Random, speakers: Sequence[str]) -> DemoClaim:
    """No speaker (half the time, or when the article has no other), else another of its speakers."""
    others = [name for name in speakers if name != claim.speaker]
    if others and rng.random() < 0.5:
        return replace(claim, speaker=rng.choice(others))
    # A quote whose speaker is left out stays a quote: the annotator did not pick one (mention and all).
    return replace(claim, speaker=None, mention=None)


def _shifted(text: str, claim: DemoClaim, rng: random.Random, rule: Mapping[str, bool]) -> DemoClaim:
    """The claim with one edge moved by one word (tried in random order); unchanged if no move is valid."""
    words = [match.span() for match in WORD.finditer(text)]
    inside = [i for i, (start, end) in enumerate(words) if start >= claim.start and end <= claim.end]
    if not inside:
        return claim
    first, last = inside[0], inside[-1]
    moves = []
    if first > 0:
        moves.append((words[first - 1][0], claim.end))  # one more word before
    if last + 1 < len(words):
        moves.append((claim.start, words[last + 1][1]))  # one more word after
    if first < last:
        moves.append((words[first + 1][0], claim.end))  # the first word left out
        moves.append((claim.start, words[last - 1][1]))  # the last word left out
    rng.shuffle(moves)
    for start, end in moves:
        start, end = normalise_span(text, start, end, rule)
        if (start, end) != (claim.start, claim.end) and valid_span(text, start, end, rule):
            return replace(claim, start=start, end=end, text=text[start:end])
    return claim


def _extra_claim(
    text: str, gold: Sequence[DemoClaim], rng: random.Random, choices: Choices
) -> DemoClaim | None:
    """A sentence of the passage that no gold claim overlaps, claimed in the writer's voice."""
    free = []
    for start, end in _sentences(text):
        start, end = normalise_span(text, start, end, choices.span_rule)
        clear = all(end <= claim.start or start >= claim.end for claim in gold)
        long_enough = len(WORD.findall(text, start, end)) >= EXTRA_MIN_WORDS
        if clear and long_enough and valid_span(text, start, end, choices.span_rule):
            free.append((start, end))
    if not free:
        return None
    start, end = rng.choice(free)
    return DemoClaim(
        start=start,
        end=end,
        text=text[start:end],
        attribution="authorial",
        perspective=rng.choice(list(choices.perspectives)),
        stance=rng.choice(list(choices.stances)),
        target=choices.target,
    )


def _sentences(text: str) -> list[tuple[int, int]]:
    cuts = [0, *(match.end() for match in SENTENCE_BREAK.finditer(text)), len(text)]
    return [(start, end) for start, end in itertools.pairwise(cuts) if start < end]


def valid_span(text: str, start: int, end: int, rule: Mapping[str, bool] = DEFAULT_RULE) -> bool:
    """Inside the text, not empty, and already as the span rule leaves it."""
    return 0 <= start < end <= len(text) and normalise_span(text, start, end, rule) == (start, end)
