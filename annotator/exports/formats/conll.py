"""CoNLL-style BIO export of claim spans over word tokens (pure; no Django).

Flat BIO gives each token one tag, so overlapping and nested claims cannot all be expressed. The rule:
identical spans (same offsets and label, e.g. two annotators agreeing) are written once; of the remaining
spans, the earliest start wins and, at equal starts, the longest — so a nested claim loses to the claim
around it and a later claim that overlaps a kept one is dropped whole. Dropped spans are counted (a
``# dropped_claims = n`` comment on the passage and ``BioStats``). A span is snapped outward to whole
tokens (a claim boundary inside a token takes the whole token); a span that covers no token, or whose
tokens all belong to a kept span already, is dropped too.

Tokens are ``tokens.word_tokens``: words, numbers and single punctuation marks; Chinese is segmented into
words by jieba (金正恩 / 与 / 普京), so a claim boundary inside a Chinese word takes the whole word.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from annotator.exports.formats.records import ClaimRecord, PassageRecord, check_source, select_claims
from annotator.exports.formats.tokens import word_tokens

__all__ = ["BioStats", "BioTagging", "Tokenize", "bio_tags", "conll_bio", "span_label", "spans_from_bio"]

Span = tuple[int, int, str]  # (start, end, label), code points
Tokenize = Callable[[str], list[tuple[int, int]]]
OUTSIDE = "O"


class BioTagging(NamedTuple):
    tokens: list[tuple[int, int]]  # code-point spans of the tokens
    tags: list[str]  # one of "O", "B-<label>", "I-<label>" per token
    dropped: list[Span]  # spans that flat BIO could not express


@dataclass
class BioStats:
    """Totals a ``conll_bio`` run fills in while it streams."""

    passages: int = 0
    tokens: int = 0
    spans: int = 0  # spans written
    dropped: int = 0  # overlapping/nested or token-less spans left out
    skipped_passages: int = 0  # passages the source had nothing for (e.g. not adjudicated)
    dropped_by_passage: dict[int, int] = field(default_factory=dict)


def _clean_label(label: str) -> str:
    # A tag is one whitespace-free field in the token line.
    return "_".join(str(label).split()) or "CLAIM"


def span_label(claim: ClaimRecord, label_field: str | None) -> str:
    """The label of a claim's span: ``CLAIM``, or the value of ``label_field`` (e.g. its perspective)."""
    return "CLAIM" if label_field is None else str(claim[label_field])  # type: ignore[literal-required]


def bio_tags(text: str, spans: Iterable[Span], tokenize: Tokenize = word_tokens) -> BioTagging:
    """Tag the tokens of ``text`` with ``spans`` (``(start, end, label)``) by the rule in the module doc."""
    tokens = tokenize(text)
    tags = [OUTSIDE] * len(tokens)
    unique = sorted({(s, e, label) for s, e, label in spans}, key=lambda s: (s[0], -(s[1] - s[0]), s[2]))
    dropped: list[Span] = []
    kept_end = -1
    for start, end, label in unique:
        if start < kept_end:
            dropped.append((start, end, label))
            continue
        covered = [i for i, (ts, te) in enumerate(tokens) if ts < end and te > start and tags[i] == OUTSIDE]
        if not covered:
            dropped.append((start, end, label))
            continue
        clean = _clean_label(label)
        tags[covered[0]] = f"B-{clean}"
        for i in covered[1:]:
            tags[i] = f"I-{clean}"
        kept_end = end
    return BioTagging(tokens, tags, dropped)


def spans_from_bio(tokens: Sequence[tuple[int, int]], tags: Sequence[str]) -> list[Span]:
    """The ``(start, end, label)`` spans that BIO ``tags`` mark over ``tokens`` (code-point spans).

    The inverse of ``bio_tags`` for the spans it kept (snapped to tokens). An ``I-`` tag that does not
    continue a span of the same label starts a new one (the conlleval convention).
    """
    if len(tokens) != len(tags):
        raise ValueError(f"{len(tokens)} tokens but {len(tags)} tags")
    spans: list[list] = []
    current: list | None = None  # [start, end, label]
    for (start, end), tag in zip(tokens, tags, strict=True):
        prefix, _, label = tag.partition("-")
        if tag == OUTSIDE or prefix not in ("B", "I") or not label:
            current = None
            continue
        if prefix == "I" and current is not None and current[2] == label:
            current[1] = end
            continue
        current = [start, end, label]  # extended in place while I- tags continue it
        spans.append(current)
    return [(s, e, label) for s, e, label in spans]


def conll_bio(
    records: Iterable[PassageRecord],
    *,
    source: str = "gold",
    label_field: str | None = None,
    tokenize: Tokenize = word_tokens,
    stats: BioStats | None = None,
) -> Iterator[str]:
    """Yield CoNLL text a passage at a time: ``# passage_id = …`` lines, ``token<TAB>tag`` lines, blank line.

    Tags are ``B-CLAIM``/``I-CLAIM``/``O``, or ``B-<value>`` with ``label_field`` (e.g. "perspective"
    gives ``B-us_western``). ``source`` picks the claims (see ``records.select_claims``); passages it has
    nothing for are skipped. Overlaps follow the module rule; ``stats``, if given, is updated as it goes.
    """
    check_source(source)  # now, not when the first chunk is asked for
    return _conll_chunks(records, source, label_field, tokenize, stats if stats is not None else BioStats())


def _conll_chunks(
    records: Iterable[PassageRecord],
    source: str,
    label_field: str | None,
    tokenize: Tokenize,
    stats: BioStats,
) -> Iterator[str]:
    for record in records:
        claims = select_claims(record, source)
        if claims is None:
            stats.skipped_passages += 1
            continue
        spans = [(c["start"], c["end"], span_label(c, label_field)) for c in claims]
        tagging = bio_tags(record["text"], spans, tokenize)
        lines = [f"# passage_id = {record['passage_id']}", f"# document_id = {record['document_id']}"]
        if tagging.dropped:
            lines.append(f"# dropped_claims = {len(tagging.dropped)}")
            stats.dropped_by_passage[record["passage_id"]] = len(tagging.dropped)
        text = record["text"]
        lines.extend(f"{text[s:e]}\t{tag}" for (s, e), tag in zip(tagging.tokens, tagging.tags, strict=True))
        stats.passages += 1
        stats.tokens += len(tagging.tokens)
        stats.spans += sum(1 for tag in tagging.tags if tag.startswith("B-"))
        stats.dropped += len(tagging.dropped)
        yield "\n".join(lines) + "\n\n"
