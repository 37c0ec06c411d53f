"""Export writers: passage records in, text chunks out (pure; no Django).

Every writer takes an iterable of ``records.PassageRecord`` and is a generator of ``str`` chunks: it holds
one passage at a time, so a view can stream a whole project (``StreamingHttpResponse``) or a task can
write it to a file. Writers check their arguments before the first chunk. Formats:

- ``jsonl``: one passage a line, everything we know (document metadata, claims, gold).
- ``csv_claims``: one claim a row, spreadsheet-safe (see ``spreadsheet_safe``).
- ``conll_bio`` (in ``bio``): token/tag lines; overlapping claims need a rule, documented there.
- ``hf_dataset_files``/``write_hf_dataset`` (in ``hf``): a Hugging Face ``datasets`` folder.
- ``doccano_jsonl``/``label_studio_json``: the two annotation tools' own formats, for round trips.

Offset units — our offsets are Python code points; the tools differ:

- **Label Studio** stores ``value.start``/``value.end`` of a ``<Text>`` region in code points, not in
  JavaScript UTF-16 units. Evidence (HumanSignal/label-studio, ``web/libs/editor``): ``utils/html.js``
  counts ``[...node.textContent].length`` ("In python and other modern tools complex unicode symbols
  handled as code points ... js length should be converted to code points count"), the newer
  ``tags/object/RichText/domManager.ts`` builds its offsets from ``[...text]``, and the e2e test
  ``tests/integration/e2e/ner/emoji.cy.ts`` expects "test" in "🐱 Warning: This is a test text" at 21–25
  (code points; UTF-16 would be 22–26) with the feature flag on and off. Label Studio before that fix
  (frontend PR #308, 2022; issue #1347) wrote UTF-16 offsets; ``readers.read_label_studio`` detects those
  from the region's ``text``. So ``label_studio_json`` writes our offsets unchanged.
- **doccano** (1.x with the ``v-annotator`` editor) takes offsets from the browser selection
  (``anchorOffset``) and ``text.length``, i.e. UTF-16 code units, although its code calls them code points;
  the backend stores them as given. Evidence: doccano/v-annotator ``src/domain/models/Label/Text.ts``
  (``codePointLength`` returns ``this.text.length``), ``EventHandler/TextSelectionHandler.ts``, and
  doccano issue #2290 ("firetrucks" after "👨🏻‍🚒" is 22–32 in doccano, 19–29 in Python). A project with
  "Count grapheme clusters as one character" stores grapheme offsets instead, which we do not support.
  So ``doccano_jsonl`` converts to UTF-16 by default (``offsets="codepoint"`` writes ours unchanged, for
  scripts that slice in Python) and ``readers.read_doccano`` converts back.

What round trips through the tools: passage text, span offsets, annotator and the label
(``label_of(claim)``, by default the perspective). doccano has one label per span, so the other claim fields
ride in a ``claim_attributes`` list on the line (doccano keeps unknown keys as example metadata and writes
them back on export) and come back as ``ForeignSpan.attributes``; they are matched to spans by offsets and
label, so spans added or moved inside doccano simply have no attributes. Label Studio gets the other fields
as per-region controls (``stance``/``attribution`` choices, ``target``/``speaker``/``note`` text areas,
``confidence`` rating; ``label_studio_config`` writes a matching labeling config) and gives them back the
same way. Claim ids, speaker ids and versions do not round trip; speakers come back as names.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal
from xml.sax.saxutils import quoteattr

from annotator.exports.bio import BioStats, BioTagging, bio_tags, conll_bio, spans_from_bio
from annotator.exports.hf import hf_dataset_files, split_of, write_hf_dataset
from annotator.exports.offsets import to_utf16
from annotator.exports.records import (
    GOLD,
    ClaimRecord,
    LabelOf,
    PassageRecord,
    check_source,
    dumps,
    perspective_label,
    perspective_stance_label,
    select_claims,
)

__all__ = [
    "CSV_COLUMNS",
    "BioStats",
    "BioTagging",
    "bio_tags",
    "conll_bio",
    "csv_claims",
    "doccano_jsonl",
    "hf_dataset_files",
    "jsonl",
    "label_studio_config",
    "label_studio_json",
    "perspective_label",
    "perspective_stance_label",
    "spans_from_bio",
    "split_of",
    "spreadsheet_safe",
    "write_hf_dataset",
]

CLAIM_KEYS = (
    "id", "annotator", "start", "end", "text", "speaker", "attribution", "perspective", "stance", "target",
    "confidence", "note",
)  # fmt: skip


def _claim(claim: ClaimRecord) -> dict[str, Any]:
    return {key: claim.get(key) for key in CLAIM_KEYS}


def jsonl(records: Iterable[PassageRecord]) -> Iterator[str]:
    """Yield one JSON line per passage: ids, title, document metadata, offsets, text, claims and gold.

    ``gold`` is null for a passage not adjudicated and a list (maybe empty) otherwise. UTF-8 text is
    written as is (``ensure_ascii=False``).
    """
    for record in records:
        document = record["document"]
        gold = record.get("gold")
        line = {
            "passage_id": record["passage_id"],
            "document_id": record["document_id"],
            "document_title": record["document_title"],
            "document": {key: document.get(key) for key in ("source", "url", "published", "meta")},
            "position": record["position"],
            "start": record["start"],
            "end": record["end"],
            "text": record["text"],
            "claims": [_claim(claim) for claim in record["claims"]],
            "gold": None if gold is None else [_claim(claim) for claim in gold],
        }
        yield dumps(line) + "\n"


# OWASP "CSV Injection": a cell starting with one of these may run as a formula. The full-width forms are
# read as formulas by some East Asian spreadsheet locales, so they are neutralised as well.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

CSV_COLUMNS = (
    "passage_id", "document_id", "document_title", "position", "claim_id", "annotator", "start", "end",
    "text", "speaker", "speaker_kind", "speaker_affiliation", "attribution", "perspective", "stance",
    "target", "confidence", "note",
)  # fmt: skip


def spreadsheet_safe(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is text a spreadsheet could run as a formula; else unchanged.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return (or a full-width ``＝＋－＠``) gets
    the quote; numbers, None and other text are returned as they are.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv_row(record: PassageRecord, claim: ClaimRecord) -> list[Any]:
    speaker = claim.get("speaker") or {}
    row = [
        record["passage_id"], record["document_id"], record["document_title"], record["position"],
        claim["id"], claim["annotator"], claim["start"], claim["end"], claim["text"],
        speaker.get("name"), speaker.get("kind"), speaker.get("affiliation"), claim["attribution"],
        claim["perspective"], claim["stance"], claim["target"], claim.get("confidence"), claim.get("note"),
    ]  # fmt: skip
    return ["" if value is None else spreadsheet_safe(value) for value in row]


def csv_claims(records: Iterable[PassageRecord], *, include_gold: bool = True) -> Iterator[str]:
    """Yield a CSV file: the ``CSV_COLUMNS`` header, then one row per annotator claim (and gold claim).

    Gold rows have annotator "gold". Every text cell passes through ``spreadsheet_safe``, so a cell that
    started with a formula character no longer equals the passage slice (strip the leading ``'``).
    Rows end in CRLF (RFC 4180); read it with ``newline=""``. Chunks are one passage's rows.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    for record in records:
        buffer.seek(0)
        buffer.truncate()
        claims = list(record["claims"])
        if include_gold:
            claims += [{**claim, "annotator": GOLD} for claim in record.get("gold") or ()]
        writer.writerows(_csv_row(record, claim) for claim in claims)
        if buffer.tell():
            yield buffer.getvalue()


OffsetUnit = Literal["utf16", "codepoint"]


def _check_offsets(offsets: str) -> None:
    if offsets not in ("utf16", "codepoint"):
        raise ValueError(f"offsets must be 'utf16' or 'codepoint', not {offsets!r}")


def _attributes(claim: ClaimRecord) -> dict[str, Any]:
    speaker = claim.get("speaker")
    return {
        "annotator": claim["annotator"],
        "claim_id": claim["id"],
        "perspective": claim["perspective"],
        "stance": claim["stance"],
        "attribution": claim["attribution"],
        "target": claim["target"],
        "speaker": speaker["name"] if speaker else None,
        "confidence": claim.get("confidence"),
        "note": claim.get("note") or "",
    }


def doccano_jsonl(
    records: Iterable[PassageRecord],
    *,
    source: str = "all",
    label_of: LabelOf = perspective_label,
    offsets: OffsetUnit = "utf16",
) -> Iterator[str]:
    """Yield doccano sequence-labeling JSONL: ``{"id", "text", "label": [[start, end, label], ...], ...}``.

    The plain triple form of doccano's export (not the ``entities``/``relations`` form of projects with
    relation labeling). Offsets are UTF-16 units, as doccano's editor counts them (``offsets="codepoint"``
    keeps ours). Other keys are metadata: passage/document ids, the title, and ``claim_attributes`` (one
    object per span: ``start``, ``end``, ``label``, annotator and the other claim fields). ``source`` picks
    the claims (``records.select_claims``; default "all": annotators and gold); for doccano's
    one-file-per-user layout write ``source="annotator:<name>"`` to ``<name>.jsonl``.
    """
    check_source(source)  # now, not when the first chunk is asked for
    _check_offsets(offsets)
    return _doccano_lines(records, source, label_of, offsets)


def _doccano_lines(
    records: Iterable[PassageRecord], source: str, label_of: LabelOf, offsets: str
) -> Iterator[str]:
    for record in records:
        claims = select_claims(record, source)
        if claims is None:
            continue
        text = record["text"]
        labels, attributes = [], []
        for claim in sorted(claims, key=lambda c: (c["start"], c["end"], c["annotator"], c["id"])):
            start, end, label = claim["start"], claim["end"], label_of(claim)
            if offsets == "utf16":
                start, end = to_utf16(text, start), to_utf16(text, end)
            labels.append([start, end, label])
            attributes.append({"start": start, "end": end, "label": label, **_attributes(claim)})
        line = {
            "id": record["passage_id"],
            "text": text,
            "label": labels,
            "passage_id": record["passage_id"],
            "document_id": record["document_id"],
            "document_title": record["document_title"],
            "position": record["position"],
            "claim_attributes": attributes,
        }
        yield dumps(line) + "\n"


# Per-region Label Studio controls carrying the claim fields that are not the label: (name, type, key).
LS_REGION_FIELDS = (
    ("stance", "choices", "choices"),
    ("attribution", "choices", "choices"),
    ("target", "textarea", "text"),
    ("speaker", "textarea", "text"),
    ("note", "textarea", "text"),
    ("confidence", "rating", "rating"),
)


def _ls_results(claim: ClaimRecord, label: str, from_name: str, to_name: str) -> list[dict[str, Any]]:
    region = {"start": claim["start"], "end": claim["end"]}
    region_id = f"claim-{claim['id']}"
    results = [
        {
            "id": region_id,
            "from_name": from_name,
            "to_name": to_name,
            "type": "labels",
            "value": {**region, "text": claim["text"], "labels": [label]},
        }
    ]
    values = _attributes(claim)
    for name, kind, key in LS_REGION_FIELDS:
        value = values[name]
        if value is None or value == "":
            continue
        payload = value if kind == "rating" else [str(value)]
        value = {**region, key: payload}
        results.append({"id": region_id, "from_name": name, "to_name": to_name, "type": kind, "value": value})
    return results


def label_studio_json(
    records: Iterable[PassageRecord],
    *,
    source: str = "all",
    label_of: LabelOf = perspective_label,
    from_name: str = "label",
    to_name: str = "text",
) -> Iterator[str]:
    """Yield a Label Studio JSON export: a JSON array of tasks, streamed (``[]`` for no records).

    Each task is ``{"id", "data": {"text", ids, title}, "annotations": [...]}`` with one annotation per
    annotator who made claims in the passage (``completed_by: {"username": name}``; gold, when the source
    includes it, is one more annotation marked ``ground_truth``). Each claim is a ``labels`` region with
    code-point ``start``/``end`` (Label Studio's unit, see the module doc) plus per-region results for the
    other fields (``LS_REGION_FIELDS``).
    """
    check_source(source)  # now, not when the first chunk is asked for
    return _label_studio_chunks(records, source, label_of, from_name, to_name)


def _label_studio_chunks(
    records: Iterable[PassageRecord], source: str, label_of: LabelOf, from_name: str, to_name: str
) -> Iterator[str]:
    yield "["
    first = True
    for record in records:
        claims = select_claims(record, source)
        if claims is None:
            continue
        by_annotator: dict[str, list[ClaimRecord]] = {}
        for claim in claims:
            by_annotator.setdefault(claim["annotator"], []).append(claim)
        # Annotators by name, gold last.
        names = sorted(by_annotator, key=lambda name: (name == GOLD, name))
        annotations = [
            {
                "completed_by": {"username": name},
                "ground_truth": name == GOLD,
                "was_cancelled": False,
                "result": [
                    result
                    for claim in sorted(by_annotator[name], key=lambda c: (c["start"], c["end"], c["id"]))
                    for result in _ls_results(claim, label_of(claim), from_name, to_name)
                ],
            }
            for name in names
        ]
        task = {
            "id": record["passage_id"],
            "data": {
                "text": record["text"],
                "passage_id": record["passage_id"],
                "document_id": record["document_id"],
                "document_title": record["document_title"],
                "position": record["position"],
            },
            "annotations": annotations,
        }
        yield ("\n" if first else ",\n") + dumps(task)
        first = False
    yield "]" if first else "\n]"


def _values(items: Iterable[Any]) -> list[str]:
    return [item["value"] if isinstance(item, Mapping) else str(item) for item in items]


def label_studio_config(
    schema: Mapping[str, Any], *, labels: Iterable[str] | None = None, from_name: str = "label",
    to_name: str = "text",
) -> str:  # fmt: skip
    """A Label Studio labeling config (XML) matching ``label_studio_json``'s output for ``schema``.

    ``schema`` is a project schema (``perspectives``, ``stances``, ``attributions``: lists of values or of
    ``{"value": ...}``); ``labels`` overrides the span labels (default: the perspectives), e.g. when the
    export used another ``label_of``.
    """
    span_labels = list(labels) if labels is not None else _values(schema.get("perspectives", ()))

    def choices(name: str, values: list[str]) -> str:
        options = "".join(f"\n      <Choice value={quoteattr(v)}/>" for v in values)
        return (
            f'\n    <Choices name="{name}" toName={quoteattr(to_name)} perRegion="true" choice="single">'
            f"{options}\n    </Choices>"
        )

    label_tags = "".join(f"\n    <Label value={quoteattr(label)}/>" for label in span_labels)
    text_areas = "".join(
        f'\n    <TextArea name="{name}" toName={quoteattr(to_name)} perRegion="true" maxSubmissions="1"'
        ' editable="true" placeholder=' + quoteattr(name) + "/>"
        for name in ("target", "speaker", "note")
    )
    return (
        "<View>"
        f"\n  <Labels name={quoteattr(from_name)} toName={quoteattr(to_name)}>{label_tags}\n  </Labels>"
        f'\n  <Text name={quoteattr(to_name)} value="$text"/>'
        '\n  <View visibleWhen="region-selected">'
        + choices("stance", _values(schema.get("stances", ())))
        + choices("attribution", _values(schema.get("attributions", ())))
        + text_areas
        + f'\n    <Rating name="confidence" toName={quoteattr(to_name)} perRegion="true" maxRating="5"/>'
        "\n  </View>\n</View>\n"
    )
