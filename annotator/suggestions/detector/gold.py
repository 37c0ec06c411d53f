"""The gold annotation files of fixtures/gold/: loading them and checking them against the project's rules.

Pure (no Django). A gold file is `{"document", "description", "speakers": [{name, kind, affiliation,
aliases}], "claims": [{start, end, text, attribution, speaker, mention_start, mention_end, perspective,
stance, target}]}` with offsets in code points into the document text (the seed file as read). It is
checked with the same segmenter, schema and span rule the importer and the editor use, so a gold claim is
one an annotator could have saved. A gold of constructed sentences rather than an article says
`"passages": "lines"`: each non-empty line is then a passage (fixtures/gold_zh/).
"""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from annotator.corpus.schema import span_rule_of, values
from annotator.corpus.segment import segment_article
from annotator.labeling.span_rule import normalise_span

from .text import paragraphs

ATTRIBUTED = frozenset({"direct", "indirect"})


def load_gold(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def known_speakers(gold: Mapping[str, Any]) -> dict[str, str]:
    """Lower-cased name and aliases → canonical name, the shape `detect(known_speakers=...)` takes."""
    known: dict[str, str] = {}
    for speaker in gold["speakers"]:
        for form in (speaker["name"], *speaker.get("aliases", [])):
            known.setdefault(form.lower(), speaker["name"])
    return known


def body_passages(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each body passage, as the importer cuts the article."""
    return [(s.start, s.end) for s in segment_article(text) if s.kind == "body"]


def gold_problems(gold: Mapping[str, Any], text: str, schema: Mapping[str, Any]) -> list[str]:
    """Every way the gold breaks the rules, as "claims[3]: problem" lines; empty when it is sound."""
    problems = _speaker_problems(gold.get("speakers", []), schema)
    names = {s["name"] for s in gold.get("speakers", [])}
    passages = list(paragraphs(text)) if gold.get("passages") == "lines" else body_passages(text)
    rule = span_rule_of(dict(schema))
    choices = {
        "attribution": values(dict(schema), "attributions"),
        "perspective": values(dict(schema), "perspectives"),
        "stance": values(dict(schema), "stances"),
    }
    for i, claim in enumerate(gold.get("claims", [])):
        problems += [
            f"claims[{i}]: {p}" for p in _claim_problems(claim, text, passages, rule, choices, names)
        ]
        if claim.get("target") not in schema["targets"]:
            problems.append(f"claims[{i}]: target {claim.get('target')!r} is not in the schema")
    return problems


def _speaker_problems(speakers: list[dict[str, Any]], schema: Mapping[str, Any]) -> list[str]:
    problems = []
    kinds, affiliations = values(dict(schema), "speaker_kinds"), values(dict(schema), "affiliations")
    seen: set[str] = set()
    for i, speaker in enumerate(speakers):
        if speaker["name"].lower() in seen:
            problems.append(f"speakers[{i}]: {speaker['name']!r} is listed twice")
        seen.add(speaker["name"].lower())
        if speaker.get("kind") not in kinds:
            problems.append(f"speakers[{i}]: kind {speaker.get('kind')!r} is not in the schema")
        if speaker.get("affiliation") not in affiliations:
            problems.append(f"speakers[{i}]: affiliation {speaker.get('affiliation')!r} is not in the schema")
    return problems


def _claim_problems(
    claim: Mapping[str, Any],
    text: str,
    passages: list[tuple[int, int]],
    rule: Mapping[str, bool],
    choices: Mapping[str, set[str]],
    speakers: set[str],
) -> list[str]:
    start, end = claim["start"], claim["end"]
    if not 0 <= start < end <= len(text):
        return [f"span [{start}, {end}) is empty or outside the document"]
    problems = []
    if text[start:end] != claim["text"]:
        problems.append("text is not the document's slice at its offsets")
    passage = next(((s, e) for s, e in passages if s <= start and end <= e), None)
    if passage is None:
        problems.append("span is not inside one body passage")
    if normalise_span(text, start, end, rule) != (start, end):
        problems.append(f"span rule would move the edges to {normalise_span(text, start, end, rule)}")
    for field, allowed in choices.items():
        if claim.get(field) not in allowed:
            problems.append(f"{field} {claim.get(field)!r} is not in the schema")
    speaker, m_start, m_end = claim.get("speaker"), claim.get("mention_start"), claim.get("mention_end")
    if claim.get("attribution") == "authorial" and (speaker is not None or m_start is not None):
        problems.append("an authorial claim has no speaker and no mention")
    if speaker is not None and speaker not in speakers:
        problems.append(f"speaker {speaker!r} is not among the speakers")
    if (m_start is None) != (m_end is None):
        problems.append("mention_start and mention_end are set together")
    elif m_start is not None:
        problems += _mention_problems(start, end, m_start, m_end, passage, has_speaker=speaker is not None)
    return problems


def _mention_problems(
    start: int, end: int, m_start: int, m_end: int, passage: tuple[int, int] | None, *, has_speaker: bool
) -> list[str]:
    problems = []
    if not has_speaker:
        problems.append("a mention without a speaker")
    if m_start >= m_end:
        problems.append("mention span is empty")
    if passage is not None and not (passage[0] <= m_start and m_end <= passage[1]):
        problems.append("mention is not in the claim's passage")
    nested = start <= m_start and m_end <= end  # a parenthetical cue: "Kim and Putin, Delury said, have …"
    if m_start < end and start < m_end and not nested:
        problems.append("mention overlaps the claim without lying inside it")
    return problems
