"""Export writers: passage records in, text chunks out (pure; no Django).

Every writer takes an iterable of ``records.PassageRecord`` and is a generator of ``str`` chunks: it holds
one passage at a time, so a view can stream a whole project (``StreamingHttpResponse``) or a task can
write it to a file. Writers check their arguments when called, before any chunk is made. Formats:

- ``jsonl``: one passage a line, everything we know (document metadata, claims, gold).
- ``csv_claims``: one claim a row, spreadsheet-safe (see ``spreadsheet_safe``).
- ``conll_bio`` (in ``conll``): token/tag lines; overlapping claims need a rule, documented there.
  ``conll_by_annotator`` and ``write_conll_plain_folder`` (in ``conll_annotators``): a block (or a plain
  file) per annotator, with the claims BIO could not express counted at the top.
- ``hf_dataset_files``/``write_hf_dataset`` (in ``hf``): a Hugging Face ``datasets`` folder.
- ``doccano_jsonl``/``write_doccano_folder`` (in ``doccano``), ``label_studio_json`` and
  ``label_studio_config`` (in ``label_studio``), ``write_brat_folder`` (in ``brat``): the annotation
  tools' own formats, in the shapes the tools import; the readers of our own files are in
  ``annotator.exports.readers``.

Offset units — our offsets are Python code points; the tools differ:

- **Label Studio** stores ``value.start``/``value.end`` of a ``<Text>`` region in code points, not in
  JavaScript UTF-16 units. Evidence (HumanSignal/label-studio, ``web/libs/editor``): ``utils/html.js``
  counts ``[...node.textContent].length`` ("In python and other modern tools complex unicode symbols
  handled as code points ... js length should be converted to code points count"), the newer
  ``tags/object/RichText/domManager.ts`` builds its offsets from ``[...text]``, and the e2e test
  ``tests/integration/e2e/ner/emoji.cy.ts`` expects "test" in "🐱 Warning: This is a test text" at 21–25
  (code points; UTF-16 would be 22–26) with the feature flag on and off. Older versions wrote UTF-16
  offsets (issue #1347, 2021; fixed by label-studio PR #1559 / label-studio-frontend PR #308, 2022);
  ``read_label_studio`` recognises those by the region's stored ``text``. So ``label_studio_json`` writes
  our offsets unchanged.
- **doccano** (1.x with the ``v-annotator`` editor) takes offsets from the browser selection
  (``anchorOffset``) and ``text.length``, i.e. UTF-16 code units, although its code calls them code points;
  the backend stores them as given. Evidence: doccano/v-annotator ``src/domain/models/Label/Text.ts``
  (``codePointLength`` returns ``this.text.length``), ``EventHandler/TextSelectionHandler.ts``, and
  doccano issue #2290 ("firetrucks" after "👨🏻‍🚒" is 22–32 in doccano, 19–29 in Python). A project with
  "Count grapheme clusters as one character" stores grapheme offsets instead, which we do not support.
  So ``doccano_jsonl`` converts to UTF-16 by default (``offsets="codepoint"`` writes ours unchanged, for
  scripts that slice in Python) and ``readers.read_doccano`` converts back.

The tool formats mark a claim as a ``CLAIM`` span and, when the annotator marked where the speaker is
named (``mention_start``/``mention_end``), that place as a ``SPEAKER`` span with a ``said_by`` relation
from the claim to it. doccano has one label per span, so the other claim fields ride in a
``claim_attributes`` list on the line (doccano's import keeps unknown keys as example metadata and its
export writes them back), matched to spans by offsets and label, so spans added or moved inside doccano
simply have none. Label Studio gets them as per-region controls (``perspective``/``stance``/
``attribution`` choices, ``target``/``speaker``/``note`` text areas, ``confidence`` rating;
``label_studio_config`` writes a matching labeling config); brat as attributes and notes. Claim ids,
speaker ids and versions do not round trip; speakers come back as names.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from annotator.exports.formats.brat import brat_ann, brat_annotation_conf, write_brat_folder
from annotator.exports.formats.conll import BioStats, BioTagging, bio_tags, conll_bio, spans_from_bio
from annotator.exports.formats.conll_annotators import conll_by_annotator, write_conll_plain_folder
from annotator.exports.formats.doccano import doccano_jsonl, write_doccano_folder
from annotator.exports.formats.hf import hf_dataset_files, split_of, write_hf_dataset
from annotator.exports.formats.label_studio import label_studio_config, label_studio_json
from annotator.exports.formats.records import (
    GOLD,
    ClaimRecord,
    PassageRecord,
    dumps,
    perspective_label,
    perspective_stance_label,
)

__all__ = [
    "CSV_COLUMNS",
    "FORMULA_STARTS",
    "BioStats",
    "BioTagging",
    "bio_tags",
    "brat_ann",
    "brat_annotation_conf",
    "conll_bio",
    "conll_by_annotator",
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
    "write_brat_folder",
    "write_conll_plain_folder",
    "write_doccano_folder",
    "write_hf_dataset",
]

CLAIM_KEYS = (
    "id", "annotator", "start", "end", "text", "speaker", "attribution", "perspective", "stance", "target",
    "confidence", "note",
)  # fmt: skip


ANNOTATOR_KEYS = ("username", "status", "flag_reason", "flag_note", "active_seconds")
DOCUMENT_KEYS = ("source", "url", "published", "language", "meta")  # language: a BCP 47 tag, "" unknown


def _claim(claim: ClaimRecord) -> dict[str, Any]:
    return {key: claim.get(key) for key in CLAIM_KEYS}


def jsonl(records: Iterable[PassageRecord]) -> Iterator[str]:
    """Yield one JSON line per passage: ids, title, document metadata, offsets, text, claims, annotators
    and gold.

    ``annotators`` lists the selected annotators' assignments on the passage, with claims or without:
    ``[{"username", "status", "flag_reason", "flag_note", "active_seconds"}]`` (``flag_reason`` "" = not
    flagged; ``active_seconds`` = time on task); empty for a gold-only export. ``gold`` is null for a
    passage not adjudicated and a list (maybe empty) otherwise. UTF-8 text is written as is
    (``ensure_ascii=False``).
    """
    for record in records:
        document = record["document"]
        gold = record.get("gold")
        line = {
            "passage_id": record["passage_id"],
            "document_id": record["document_id"],
            "document_title": record["document_title"],
            "document": {key: document.get(key) for key in DOCUMENT_KEYS}
            | {"language": document.get("language") or ""},
            "position": record["position"],
            "start": record["start"],
            "end": record["end"],
            "text": record["text"],
            "claims": [_claim(claim) for claim in record["claims"]],
            "annotators": [
                {key: person.get(key) for key in ANNOTATOR_KEYS} for person in record.get("annotators", ())
            ],
            "gold": None if gold is None else [_claim(claim) for claim in gold],
        }
        yield dumps(line) + "\n"


# OWASP "CSV Injection": a cell starting with one of these may run as a formula. The full-width forms are
# read as formulas by some East Asian spreadsheet locales, so they are neutralised as well.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

CSV_COLUMNS = (
    "passage_id", "document_id", "document_title", "document_language", "position", "claim_id", "annotator",
    "start", "end", "text", "speaker", "speaker_kind", "speaker_affiliation", "attribution", "perspective",
    "stance", "target", "confidence", "note", "flag_reason", "active_seconds",
)  # fmt: skip


def spreadsheet_safe(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is text a spreadsheet could run as a formula; else unchanged.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return (or a full-width ``＝＋－＠``) gets
    the quote; numbers, None and other text are returned as they are.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_row(record: PassageRecord, claim: ClaimRecord) -> list[Any]:
    speaker = claim.get("speaker") or {}
    row = [
        record["passage_id"], record["document_id"], record["document_title"],
        record["document"].get("language"), record["position"],
        claim["id"], claim["annotator"], claim["start"], claim["end"], claim["text"],
        speaker.get("name"), speaker.get("kind"), speaker.get("affiliation"), claim["attribution"],
        claim["perspective"], claim["stance"], claim["target"], claim.get("confidence"), claim.get("note"),
        claim.get("flag_reason"), claim.get("active_seconds"),
    ]  # fmt: skip
    return ["" if value is None else spreadsheet_safe(value) for value in row]


def csv_claims(records: Iterable[PassageRecord], *, include_gold: bool = True) -> Iterator[str]:
    """Yield a CSV file: the ``CSV_COLUMNS`` header, then one row per annotator claim (and gold claim).

    ``flag_reason`` and ``active_seconds`` are those of the claim's assignment (empty on gold rows).
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
