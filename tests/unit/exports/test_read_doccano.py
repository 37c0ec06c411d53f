"""doccano 1.8 exports: per-user relation files, the Download button's zip, the collaborative all.jsonl."""

from __future__ import annotations

import json

from annotator.exports.readers.detect import read_annotations
from annotator.exports.readers.doccano import read_doccano
from tests.unit.exports.foreign_fixtures import DOCCANO, errors_of, records_of, relation_texts, span_texts


def read_file(name: str, **kwargs):
    path = DOCCANO / name
    return list(read_doccano(path.read_bytes().splitlines(keepends=True), file_name=path.name, **kwargs))


def test_relation_file_gives_entity_ids_and_said_by_pairs_from_claim_to_speaker():
    first = read_file("relations/ann1.jsonl")[0]
    assert all(span.span_id is not None for span in first.annotations)
    reported = (
        "Beijing was “somewhat anxious” over growing military cooperation between Russia and North Korea"
    )
    quoted = (
        "I think it is fair to say that China is somewhat anxious about what’s going on between Russia and "
    )
    quoted += "North Korea."
    assert relation_texts(first) == [
        ("ann1", "said_by", reported, "Kurt Campbell"),
        ("ann1", "said_by", quoted, "Campbell"),
        ("ann1", "responds_to", quoted, reported),
    ]


def test_utf16_offsets_after_an_emoji_are_turned_into_code_points():
    live = read_file("relations/ann1.jsonl")[4]
    assert span_texts(live)[:2] == [
        ("ann1", "dearest comrade", "CLAIM"),
        ("ann1", "changes little for China", "CLAIM"),
    ]
    raw = json.loads((DOCCANO / "relations" / "ann1.jsonl").read_text(encoding="utf-8").splitlines()[4])
    assert (
        raw["entities"][0]["start_offset"] == live.annotations[0].start + 5
    )  # five astral characters before


def test_a_record_names_who_looked_only_where_they_left_spans_or_a_comment():
    # doccano writes every example of the project into every member's file: an empty one is no evidence.
    records = read_file("relations/ann2.jsonl")
    assert [len(r.annotations) for r in records] == [2, 2, 0, 0, 2]
    assert [r.annotators for r in records] == [("ann2",), ("ann2",), (), (), ("ann2",)]
    line = json.dumps({"id": 9, "text": "abc", "label": [], "Comments": ["nothing to mark here"]})
    (commented,) = read_doccano([line], file_name="ann2.jsonl")
    assert commented.annotators == ("ann2",) and commented.comments == {"ann2": ("nothing to mark here",)}


def test_comments_go_to_their_annotator_not_into_the_metadata():
    second = read_file("relations/ann1.jsonl")[1]
    assert second.comments == {"ann1": ("Wang is at CASS, a state think tank: treat as quasi-official?",)}
    assert "Comments" not in second.meta


def test_plain_projects_write_comments_as_texts():
    line = json.dumps({"id": 1, "text": "abc", "label": [[0, 1, "CLAIM"]], "Comments": ["check this "]})
    (record,) = read_doccano([line], file_name="bob.jsonl")
    assert record.comments == {"bob": ("check this",)}


def test_collaborative_export_is_refused_once_without_an_annotator():
    items = read_file("all.jsonl")
    assert len(items) == 1 and items[0].line_or_index == 0
    assert "collaborative" in items[0].message and "--annotator" in items[0].message


def test_collaborative_export_is_read_when_an_annotator_is_named():
    records = read_file("all.jsonl", annotator="team")
    assert errors_of(records) == [] and len(records) == 5
    assert {s.annotator for r in records for s in r.annotations} == {"team"}
    assert len(records[0].relations) == 4  # both members' relations, merged as doccano merges them


def test_the_download_zip_gives_one_annotator_per_member():
    items = list(read_annotations([("doccano.zip", (DOCCANO / "doccano-export.zip").read_bytes())]))
    assert errors_of(items) == []
    assert [(r.record_id, {s.annotator for s in r.annotations}) for r in records_of(items)] == [
        *((101 + n, {"ann1"}) for n in range(5)),
        *((101 + n, {"ann2"} if n not in (2, 3) else set()) for n in range(5)),
    ]
    assert records_of(items)[0].file_name == "doccano.zip: ann1.jsonl"


def test_a_relation_to_a_missing_entity_is_that_records_error():
    line = json.dumps(
        {
            "text": "abc",
            "entities": [{"id": 1, "label": "CLAIM", "start_offset": 0, "end_offset": 1}],
            "relations": [{"id": 9, "from_id": 1, "to_id": 2, "type": "said_by"}],
        }
    )
    (error,) = read_doccano([line], file_name="bob.jsonl")
    assert error.line_or_index == 1 and "entity 2" in error.message


def test_a_file_that_is_not_utf8_gets_one_error_at_the_first_bad_byte():
    lines = [b'{"text": "ok"}\n', b'{"text": "caf\xe9"}\n', b'{"text": "\xff"}\n']
    (record, error) = read_doccano(lines, file_name="bob.jsonl")
    assert error.line_or_index == 2 and "offset 28" in error.message and "0xe9" in error.message
