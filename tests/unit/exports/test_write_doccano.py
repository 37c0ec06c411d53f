"""doccano writer: relation JSONL (CLAIM and SPEAKER entities, said_by relations) and the per-user folder."""

from __future__ import annotations

import json

from annotator.exports.formats import doccano_jsonl, write_doccano_folder
from annotator.exports.formats.doccano import doccano_line
from tests.unit.exports.test_formats import ASTRAL, claim, passage, sample_records

TEXT = "🇷🇺 Lavrov said talks were “very substantive”, Lavrov added “productive”."


def named(text, quote, mention, **fields):
    """A claim whose speaker is named at ``mention`` (the first occurrence) in ``text``."""
    start = text.index(mention)
    return {**claim(text, quote, **fields), "mention_start": start, "mention_end": start + len(mention)}


def test_a_claim_is_a_claim_entity_linked_by_said_by_to_one_speaker_entity_per_mention():
    claims = [
        named(TEXT, "very substantive", "Lavrov", id=1, annotator="alice"),
        named(TEXT, "productive", "Lavrov", id=2, annotator="alice"),
        claim(TEXT, "talks", id=3, annotator="alice", speaker=None),  # no mention marked
    ]
    line = doccano_line(passage(7, TEXT, claims), claims, offsets="codepoint")
    lavrov = TEXT.index("Lavrov")
    assert line["entities"] == [
        {
            "id": 1,
            "label": "CLAIM",
            "start_offset": TEXT.index("talks"),
            "end_offset": TEXT.index("talks") + 5,
        },
        {"id": 2, "label": "CLAIM", "start_offset": TEXT.index("very"), "end_offset": TEXT.index("”,")},
        {"id": 3, "label": "SPEAKER", "start_offset": lavrov, "end_offset": lavrov + 6},
        {"id": 4, "label": "CLAIM", "start_offset": TEXT.index("productive"), "end_offset": TEXT.index("”.")},
    ]
    assert line["relations"] == [
        {"id": 1, "from_id": 2, "to_id": 3, "type": "said_by"},
        {"id": 2, "from_id": 4, "to_id": 3, "type": "said_by"},
    ]
    assert {key for key in line if key not in ("entities", "relations")} == {
        "id", "text", "passage_id", "document_id", "document_title", "language", "position",
        "claim_attributes",
    }  # fmt: skip


def test_offsets_of_claims_and_speakers_are_utf16_units():
    claims = [named(TEXT, "very substantive", "Lavrov", id=1)]
    (line,) = [json.loads(x) for x in doccano_jsonl([passage(7, TEXT, claims)])]
    units = TEXT.encode("utf-16-le")
    spans = {
        e["label"]: units[2 * e["start_offset"] : 2 * e["end_offset"]].decode("utf-16-le")
        for e in line["entities"]
    }
    assert spans == {"CLAIM": "very substantive", "SPEAKER": "Lavrov"}
    assert line["entities"][0]["start_offset"] == TEXT.index("very") + 2, "the flag is two astral characters"


def test_claim_attributes_carry_the_other_fields_keyed_by_the_entity_offsets_and_label():
    claims = [named(TEXT, "very substantive", "Lavrov", id=1, note="check", confidence=2)]
    (line,) = [json.loads(x) for x in doccano_jsonl([passage(7, TEXT, claims)])]
    (attributes,) = line["claim_attributes"]
    entity = line["entities"][0]
    assert (attributes["start"], attributes["end"], attributes["label"]) == (
        entity["start_offset"], entity["end_offset"], "CLAIM"
    )  # fmt: skip
    assert attributes | {} == {
        "start": entity["start_offset"], "end": entity["end_offset"], "label": "CLAIM", "annotator": "alice",
        "claim_id": 1, "perspective": "us_western", "stance": "against", "attribution": "direct",
        "target": "Russia–North Korea rapprochement", "speaker": "Antony Blinken", "confidence": 2,
        "note": "check", "speaker_kind": "person", "speaker_affiliation": "us_gov",
    }  # fmt: skip


def test_two_annotators_naming_the_same_speaker_get_a_speaker_entity_each():
    claims = [
        named(TEXT, "very substantive", "Lavrov", id=1, annotator="alice"),
        named(TEXT, "very substantive", "Lavrov", id=2, annotator="bob"),
    ]
    line = doccano_line(passage(7, TEXT, claims), claims)
    assert [e["label"] for e in line["entities"]] == ["CLAIM", "SPEAKER", "CLAIM", "SPEAKER"]
    assert [(r["from_id"], r["to_id"]) for r in line["relations"]] == [(1, 2), (3, 4)]


def test_the_folder_has_a_file_per_annotator_gold_and_a_readme_naming_the_project_settings(tmp_path):
    counts = write_doccano_folder(tmp_path, sample_records(), source="all")
    assert counts == {"alice.jsonl": 2, "bob.jsonl": 1, "gold.jsonl": 2}
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "README.txt",
        "alice.jsonl",
        "bob.jsonl",
        "gold.jsonl",
    ]
    bob = [json.loads(x) for x in (tmp_path / "bob.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in bob] == [11]
    assert {a["annotator"] for a in bob[0]["claim_attributes"]} == {"bob"}
    gold = [json.loads(x) for x in (tmp_path / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(line["id"], len(line["entities"])) for line in gold] == [(11, 1), (13, 0)]
    readme = (tmp_path / "README.txt").read_text(encoding="utf-8")
    for words in ("Sequence labeling", "Allow overlapping spans", "Use relation labeling", "CLAIM", "SPEAKER",
                  "said_by", "UTF-16", "JSONL(Relation)"):  # fmt: skip
        assert words in readme


def test_the_annotators_source_leaves_gold_out_and_odd_usernames_make_safe_file_names(tmp_path):
    records = [passage(1, ASTRAL, [claim(ASTRAL, "new era", id=1, annotator="../eve x")], [])]
    assert write_doccano_folder(tmp_path, records, source="annotators") == {"__eve_x.jsonl": 1}
    assert (tmp_path / "__eve_x.jsonl").is_file()
