"""The demo's gold annotation files: reading one, checking it against its article, placing its claims.

Pure (no Django). A gold file (`fixtures/gold/<seed file stem>.json`) holds the adjudicated claims of one
seed article, offsets in code points into the whole article text (the imported Document.text):

    {"document": "000_19274ddd54156fa7.txt", "description": "one line",
     "speakers": [{"name", "kind", "affiliation", "aliases"}],
     "claims": [{"start", "end", "text", "attribution", "speaker": name | null,
                 "mention_start", "mention_end": int | null, "perspective", "stance", "target"}]}

Every problem is a `GoldError` naming the file and the item ("000.json: claims[3].text: ...").
"""

import bisect
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any


class GoldError(ValueError):
    """A gold file that cannot be loaded as it is; the message names the file and the item."""


@dataclass(frozen=True)
class DemoSpeaker:
    name: str
    kind: str
    affiliation: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoClaim:
    """A claim's span and labels; offsets into the article (as read) or into its passage (once placed).

    `source` is set on a simulated annotator's claim: the index, in its passage, of the gold claim it was
    derived from (None for a claim the annotator added on their own).
    """

    start: int
    end: int
    text: str
    attribution: str
    perspective: str
    stance: str
    target: str
    speaker: str | None = None
    mention: tuple[int, int] | None = None
    source: int | None = None


@dataclass(frozen=True)
class GoldFile:
    file_name: str
    document: str
    description: str
    speakers: tuple[DemoSpeaker, ...]
    claims: tuple[DemoClaim, ...]
    # The file as parsed, for the checks that take it so (annotator.suggestions.detector.gold).
    data: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


LABELS = ("attribution", "perspective", "stance", "target")


def gold_read(data: str, *, file_name: str) -> GoldFile:
    """Parse one gold file, checking its shape (types, speaker names); the rules its claims must meet in
    their article and schema are checked on loading (`gold_problems` of the detector's gold module)."""
    try:
        raw = json.loads(data)
    except json.JSONDecodeError as error:
        raise GoldError(f"{file_name}: not valid JSON: {error.msg} (line {error.lineno})") from None
    if not isinstance(raw, dict):
        raise GoldError(f"{file_name}: expected a JSON object with document, speakers and claims")
    document = raw.get("document")
    if not isinstance(document, str) or not document.strip():
        raise GoldError(f"{file_name}: document: name the seed article file")
    speakers = tuple(
        _speaker(item, f"{file_name}: speakers[{i}]")
        for i, item in enumerate(_list(raw, "speakers", file_name))
    )
    names = {speaker.name for speaker in speakers}
    claims = tuple(
        _claim(item, f"{file_name}: claims[{i}]", names)
        for i, item in enumerate(_list(raw, "claims", file_name))
    )
    return GoldFile(
        file_name=file_name,
        document=document,
        description=str(raw.get("description") or ""),
        speakers=speakers,
        claims=claims,
        data=raw,
    )


def _list(raw: dict[str, Any], key: str, file_name: str) -> list[Any]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise GoldError(f"{file_name}: {key}: expected a list")
    return value


def _speaker(item: Any, where: str) -> DemoSpeaker:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
        raise GoldError(f"{where}: a speaker is an object with a non-empty name")
    aliases = item.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(alias, str) for alias in aliases):
        raise GoldError(f"{where}.aliases: expected a list of names")
    for key in ("kind", "affiliation"):
        if not isinstance(item.get(key) or "", str):
            raise GoldError(f"{where}.{key}: expected a string")
    return DemoSpeaker(
        name=item["name"].strip(),
        kind=item.get("kind") or "person",
        affiliation=item.get("affiliation") or "",
        aliases=tuple(aliases),
    )


def _claim(item: Any, where: str, speakers: set[str]) -> DemoClaim:
    if not isinstance(item, dict):
        raise GoldError(f"{where}: expected an object")
    for key in ("start", "end"):
        if not _is_int(item.get(key)):
            raise GoldError(f"{where}.{key}: expected a whole number")
    for key in ("text", *LABELS):
        if not isinstance(item.get(key), str):
            raise GoldError(f"{where}.{key}: expected a string")
    speaker = item.get("speaker")
    if speaker is not None and speaker not in speakers:
        raise GoldError(f"{where}.speaker: {speaker!r} is not among the file's speakers")
    mention_start, mention_end = item.get("mention_start"), item.get("mention_end")
    if (mention_start is None) != (mention_end is None) or not all(
        value is None or _is_int(value) for value in (mention_start, mention_end)
    ):
        raise GoldError(
            f"{where}.mention_start: give both ends of the speaker mention as numbers, or neither"
        )
    return DemoClaim(
        start=item["start"],
        end=item["end"],
        text=item["text"],
        speaker=speaker,
        mention=None if mention_start is None else (mention_start, mention_end),
        **{key: item[key] for key in LABELS},
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def gold_place(gold: GoldFile, *, text: str, passages: Sequence[tuple[int, int]]) -> list[list[DemoClaim]]:
    """The gold claims per passage (offsets moved into the passage), for `passages` as sorted, disjoint
    [start, end) ranges of the article `text`. A claim whose text is not the article's slice, or that is
    not inside one passage (it crosses paragraphs, or lies in the title or page furniture), is an error.
    A speaker mention outside the claim's passage is dropped: a mention lives in the claim's passage."""
    placed: list[list[DemoClaim]] = [[] for _ in passages]
    starts = [start for start, _ in passages]
    for index, claim in enumerate(gold.claims):
        where = f"{gold.file_name}: claims[{index}]"
        if not 0 <= claim.start < claim.end <= len(text):
            raise GoldError(f"{where}: [{claim.start}, {claim.end}) is not a span of the article text")
        if text[claim.start : claim.end] != claim.text:
            raise GoldError(f"{where}.text: the article has {text[claim.start : claim.end]!r} there")
        at = bisect.bisect_right(starts, claim.start) - 1
        if at < 0 or claim.end > passages[at][1]:
            raise GoldError(
                f"{where}: [{claim.start}, {claim.end}) {claim.text[:40]!r} is not inside one passage "
                "(it crosses paragraphs, or lies in the title or page furniture)"
            )
        offset, passage_end = passages[at]
        mention = claim.mention
        if mention is not None:
            inside = offset <= mention[0] < mention[1] <= passage_end
            mention = (mention[0] - offset, mention[1] - offset) if inside else None
        placed[at].append(replace(claim, start=claim.start - offset, end=claim.end - offset, mention=mention))
    return placed
