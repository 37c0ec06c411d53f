"""A Hugging Face ``datasets`` folder: JSONL splits by document plus a dataset card (pure; no Django).

Layout: ``data/train.jsonl``, ``data/validation.jsonl``, ``data/test.jsonl`` (a split that gets no document
is left out) and ``README.md``, whose YAML front matter lists the splits under ``configs`` and pins the
column types under ``dataset_info`` — so ``datasets.load_dataset(folder)`` works, and so does
``load_dataset("json", data_files={...})`` (which infers the types itself).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.exports.formats.records import PassageRecord, dumps

__all__ = ["SPLITS", "hf_dataset_files", "split_of", "write_hf_dataset"]

SPLITS = ("train", "validation", "test")
CARD = "README.md"


def _check_splits(splits: Sequence[float]) -> None:
    if len(splits) != len(SPLITS) or any(not 0 <= share <= 1 for share in splits):
        raise ValueError(f"splits must be {len(SPLITS)} shares between 0 and 1 (train, validation, test)")
    if not math.isclose(sum(splits), 1.0, abs_tol=1e-9):
        raise ValueError(f"split shares must add up to 1, not {sum(splits)}")


def split_of(document_id: int, *, seed: int = 0, splits: Sequence[float] = (0.8, 0.1, 0.1)) -> str:
    """The split of a document: a hash of ``seed`` and ``document_id`` placed on the cumulative shares.

    Deterministic and independent of the order or number of the other documents, so every passage of a
    document lands in one split and a re-export with the same seed gives the same splits.
    """
    _check_splits(splits)
    digest = hashlib.sha256(f"{seed}:{document_id}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64
    cumulative = 0.0
    for name, share in zip(SPLITS, splits, strict=True):
        cumulative += share
        if point < cumulative:
            return name
    return [name for name, share in zip(SPLITS, splits, strict=True) if share > 0][-1]  # rounding at 1.0


def _row(record: PassageRecord) -> dict[str, Any]:
    gold = record.get("gold")
    claims = gold if gold is not None else record["claims"]
    claims = sorted(claims, key=lambda c: (c["start"], c["end"], c["annotator"], c["id"]))
    document = record["document"]
    rows = []
    for claim in claims:
        speaker = claim.get("speaker") or {}
        rows.append(
            {
                "id": claim["id"],
                "annotator": claim["annotator"],
                "start": claim["start"],
                "end": claim["end"],
                "text": claim["text"],
                "speaker": speaker.get("name"),
                "speaker_kind": speaker.get("kind"),
                "speaker_affiliation": speaker.get("affiliation"),
                "attribution": claim["attribution"],
                "perspective": claim["perspective"],
                "stance": claim["stance"],
                "target": claim["target"],
                "confidence": claim.get("confidence"),
                "note": claim.get("note") or "",
            }
        )
    return {
        "passage_id": record["passage_id"],
        "document_id": record["document_id"],
        "document_title": record["document_title"],
        "document_source": document.get("source"),
        "document_url": document.get("url"),
        "published": document.get("published"),
        "document_language": document.get("language") or "",
        "position": record["position"],
        "text": record["text"],
        "claims_source": "gold" if gold is not None else "annotators",
        "claims": rows,
        "spans": [[claim["start"], claim["end"]] for claim in claims],
    }


_STRING = (
    "document_title", "document_source", "document_url", "published", "document_language", "text",
    "claims_source",
)  # fmt: skip
_CLAIM_INTS = ("id", "start", "end", "confidence")
_CLAIM_FIELDS = (
    "id", "annotator", "start", "end", "text", "speaker", "speaker_kind", "speaker_affiliation",
    "attribution", "perspective", "stance", "target", "confidence", "note",
)  # fmt: skip
_FEATURES_YAML = "\n".join(
    [
        "dataset_info:",
        "  features:",
        *(
            f"  - name: {name}\n    dtype: {'string' if name in _STRING else 'int64'}"
            for name in ("passage_id", "document_id", *_STRING[:5], "position", *_STRING[5:])
        ),
        "  - name: claims",
        "    list:",
        *(
            f"    - name: {name}\n      dtype: {'int64' if name in _CLAIM_INTS else 'string'}"
            for name in _CLAIM_FIELDS
        ),
        "  - name: spans",
        "    list:",
        "      list: int64",
    ]
)


@dataclass
class _Counts:
    passages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SPLITS, 0))
    claims: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SPLITS, 0))
    documents: dict[str, set[int]] = field(default_factory=lambda: {name: set() for name in SPLITS})
    languages: set[str] = field(default_factory=set)  # the documents' language tags, "" for unknown

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            name: {
                "passages": self.passages[name],
                "documents": len(self.documents[name]),
                "claims": self.claims[name],
            }
            for name in SPLITS
        }


def _yaml_str(value: str) -> str:
    """A YAML double-quoted scalar: JSON's escapes, plus escapes for what YAML treats as a line break."""
    text = json.dumps(value, ensure_ascii=False)
    return "".join(
        ch if ch.isprintable() else f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"
        for ch in text
    )


def _md(value: Any) -> str:
    """One line of Markdown table-cell text."""
    return " ".join(str(value).split()).replace("|", "\\|")


def _size_category(total: int) -> str:
    limits = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"))
    for limit, name in limits:
        if total < limit:
            return name
    return "1M<n<10M"


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix} › {key}" if prefix else str(key))
    else:
        yield prefix, value


def _schema_markdown(schema: Mapping[str, Any]) -> str:
    parts = []
    for key, items in schema.items():
        title = str(key).replace("_", " ").capitalize()
        if isinstance(items, list):
            lines = []
            for item in items:
                if isinstance(item, Mapping):
                    label = f" — {_md(item['label'])}" if item.get("label") else ""
                    lines.append(f"- `{_md(item.get('value', ''))}`{label}")
                else:
                    lines.append(f"- {_md(item)}")
            parts.append(f"### {title}\n\n" + "\n".join(lines))
        else:
            parts.append(f"### {title}\n\n{_md(items)}")
    return "\n\n".join(parts) or "No label schema was given."


def _schema_version_line(schema_version: int | None) -> str:
    """Which version of the project's label schema the labels follow (when the caller says)."""
    if schema_version is None:
        return ""
    return f"The labels follow version {schema_version} of the project's label schema.\n\n"


def _who_says_what_markdown(report: Mapping[str, Any] | None) -> str:
    """Claims per outlet and perspective, and the voice of each perspective, from the report's rows."""
    if not report or not report.get("perspectives"):
        return "No claim counts yet (no passage adjudicated or agreed on by a majority of its annotators)."
    names = report.get("labels", {}).get("perspective", {})
    perspectives = list(report["perspectives"])
    header = " | ".join(_md(names.get(p, p)) for p in perspectives)
    cells: dict[tuple[str, str], Mapping[str, Any]] = {
        (row["group"], row["perspective"]): row for row in report.get("speakers_per_group", [])
    }
    lines = [f"| outlet | {header} |", "|---|" + "---:|" * len(perspectives)]
    for group in report.get("groups", []):
        values = []
        for p in perspectives:
            row = cells.get((group["key"], p))
            claims = row["claims"] if row else {"gold": 0, "majority": 0}
            speakers = row["distinct_speakers"] if row else 0
            values.append(f"{claims['gold'] + claims['majority']} ({speakers} speakers)")
        lines.append(f"| {_md(group['label'])} | {' | '.join(values)} |")
    voice = {(row["perspective"], row["attribution"]): row["share"] for row in report.get("voice", [])}
    voice_lines = ["| perspective | direct quote | indirect | authorial |", "|---|---:|---:|---:|"]
    for p in perspectives:
        shares = " | ".join(f"{voice.get((p, a), 0.0):.0%}" for a in ("direct", "indirect", "authorial"))
        voice_lines.append(f"| {_md(names.get(p, p))} | {shares} |")
    total = report.get("claims", {"gold": 0, "majority": 0})
    freshness = report.get("freshness") or {}
    stale = "" if freshness.get("current", True) else " They were being refreshed when this card was written."
    return (
        f"{_md(report.get('definition', ''))}\n\n"
        f"{total['gold']} gold and {total['majority']} majority claims count.{stale}\n\n"
        "Claims per outlet and perspective (distinct speakers in brackets):\n\n"
        + "\n".join(lines)
        + "\n\nVoice: the share of each perspective's claims in the speaker's own words, paraphrased, or in "
        "the author's voice:\n\n" + "\n".join(voice_lines)
    )


def _languages_markdown(languages: set[str]) -> str:
    known = sorted(tag for tag in languages if tag)
    shown = ", ".join(f"`{_md(tag)}`" for tag in known) if known else "not recorded"
    unknown = ""
    if "" in languages:
        unknown = " Some documents' language is unknown (`document_language` is empty)."
    return (
        f"Document languages: {shown}.{unknown} Offsets count code points in every language; Chinese text "
        "has no spaces, and the project's CoNLL export segments it into words with jieba."
    )


def _card(
    project_name: str,
    schema: Mapping[str, Any],
    agreement: Mapping[str, Any] | None,
    counts: _Counts,
    seed: int,
    schema_version: int | None = None,
    who_says_what: Mapping[str, Any] | None = None,
) -> str:
    present = [name for name in SPLITS if counts.passages[name]]
    name = " ".join(project_name.split()) or "Annotated claims"
    data_files = "".join(f"\n  - split: {split}\n    path: data/{split}.jsonl" for split in present)
    total = sum(counts.passages.values())
    # The card's ``language`` lists ISO 639 codes: the primary subtag of each known document language.
    languages = sorted({tag.split("-")[0].lower() for tag in counts.languages if tag})
    language_yaml = "".join(f"\n- {_yaml_str(code)}" for code in languages)
    front = (
        f"---\npretty_name: {_yaml_str(name)}\n"
        + (f"language:{language_yaml}\n" if languages else "")
        + "task_categories:\n- token-classification\n- text-classification\n"
        "tags:\n- claim-detection\n- stance-detection\n- quotation-attribution\n- perspective\n"
        f"size_categories:\n- {_size_category(total)}\n"
        f"configs:\n- config_name: default\n  data_files:{data_files or ' []'}\n{_FEATURES_YAML}\n---\n"
    )
    table = "\n".join(
        f"| {split} | {c['passages']} | {c['documents']} | {c['claims']} |"
        for split, c in counts.as_dict().items()
    )
    if agreement:
        rows = "\n".join(
            f"| {_md(key)} | {f'{value:.3f}' if isinstance(value, float) else _md(value)} |"
            for key, value in _flatten(agreement)
        )
        agreement_md = f"| measure | value |\n|---|---|\n{rows}"
    else:
        agreement_md = "Agreement was not computed for this export."
    return f"""{front}
# {name}

Passages from news articles in which annotators marked claims: who is quoted or paraphrased (the speaker),
whether the words are a direct quote, reported speech or the author's own voice, whose perspective the claim
advances, and its stance (favor, against, neutral) toward a named target. Each claim is a span of character
offsets into the passage text (Python code points). Where a reviewer adjudicated a passage, its claims are
the gold claims (`claims_source` = `gold`); elsewhere they are every annotator's claims, overlapping where
annotators agree (`claims_source` = `annotators`, `annotator` names who made each one).

## Loading

```python
from datasets import load_dataset

dataset = load_dataset("path/to/this/folder")  # the column types come from this card
```

## Languages

{_languages_markdown(counts.languages)}

## Fields

One JSON line per passage: `passage_id`, `document_id`, `document_title`, `document_source`, `document_url`,
`published`, `document_language` (a BCP 47 tag such as `en` or `zh`; empty when unknown), `position` (of
the passage in its document), `text`, `claims_source`, `claims` (a list of
`id`, `annotator`, `start`, `end`, `text`, `speaker`, `speaker_kind`, `speaker_affiliation`, `attribution`,
`perspective`, `stance`, `target`, `confidence`, `note`) and `spans` (the `[start, end]` of each claim, in
the same order). `text[start:end]` is the claim text.

## Splits

Split by document with a seeded hash of the document id (seed {seed}), so no document has passages in two
splits; the split sizes are therefore close to, not exactly, the requested shares.

| split | passages | documents | claims |
|---|---|---|---|
{table}

## Label schema

{_schema_version_line(schema_version)}{_schema_markdown(schema)}

## Agreement

{agreement_md}

## Who says what

{_who_says_what_markdown(who_says_what)}
"""


def _chunks(
    records: Iterable[PassageRecord],
    counts: _Counts,
    *,
    schema: Mapping[str, Any],
    agreement: Mapping[str, Any] | None,
    project_name: str,
    split_seed: int,
    splits: Sequence[float],
    schema_version: int | None = None,
    who_says_what: Mapping[str, Any] | None = None,
) -> Iterator[tuple[str, str]]:
    _check_splits(splits)
    for record in records:
        split = split_of(record["document_id"], seed=split_seed, splits=splits)
        row = _row(record)
        counts.passages[split] += 1
        counts.claims[split] += len(row["claims"])
        counts.documents[split].add(record["document_id"])
        counts.languages.add(row["document_language"])
        yield f"data/{split}.jsonl", dumps(row) + "\n"
    yield CARD, _card(project_name, schema, agreement, counts, split_seed, schema_version, who_says_what)


def hf_dataset_files(
    records: Iterable[PassageRecord],
    *,
    schema: Mapping[str, Any],
    agreement: Mapping[str, Any] | None = None,
    project_name: str,
    split_seed: int = 0,
    splits: Sequence[float] = (0.8, 0.1, 0.1),
    schema_version: int | None = None,
    who_says_what: Mapping[str, Any] | None = None,
) -> Iterator[tuple[str, str]]:
    """Yield ``(relative_path, chunk)`` pairs; appending each chunk to its path builds the dataset folder.

    One JSON line per passage goes to ``data/<split>.jsonl`` (split by ``split_of``); ``README.md`` comes
    last, in one chunk, when the counts are known. Each line's ``claims`` are the gold claims where the
    passage was adjudicated, else every annotator's claims. ``who_says_what``: the project's who-says-what
    report as plain data (annotator.analytics), summarised in the card.
    """
    _check_splits(splits)  # now, not when the first chunk is asked for
    return _chunks(
        records, _Counts(), schema=schema, agreement=agreement, project_name=project_name,
        split_seed=split_seed, splits=splits, schema_version=schema_version, who_says_what=who_says_what,
    )  # fmt: skip


def write_hf_dataset(
    folder: Path,
    records: Iterable[PassageRecord],
    *,
    schema: Mapping[str, Any],
    agreement: Mapping[str, Any] | None = None,
    project_name: str,
    split_seed: int = 0,
    splits: Sequence[float] = (0.8, 0.1, 0.1),
    schema_version: int | None = None,
    who_says_what: Mapping[str, Any] | None = None,
) -> dict[str, dict[str, int]]:
    """Write ``hf_dataset_files`` into ``folder`` (created; must be empty) and return the counts per split.

    Counts: ``{"train": {"passages": n, "documents": n, "claims": n}, "validation": ..., "test": ...}``.
    """
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise FileExistsError(f"{folder} is not empty; a dataset folder must start empty")
    counts = _Counts()
    files: dict[str, Any] = {}
    try:
        for path, chunk in _chunks(
            records, counts, schema=schema, agreement=agreement, project_name=project_name,
            split_seed=split_seed, splits=splits, schema_version=schema_version, who_says_what=who_says_what,
        ):  # fmt: skip
            if path not in files:
                target = folder / path
                target.parent.mkdir(parents=True, exist_ok=True)
                files[path] = target.open("w", encoding="utf-8", newline="")
            files[path].write(chunk)
    finally:
        for handle in files.values():
            handle.close()
    return counts.as_dict()
