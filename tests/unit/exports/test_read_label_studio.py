"""Label Studio 1.23 exports: full JSON (annotators, relations, per-region choices) and JSON_MIN."""

from __future__ import annotations

import json

from annotator.exports.readers.label_studio import read_label_studio
from tests.unit.exports.foreign_fixtures import (
    LABEL_STUDIO,
    errors_of,
    records_of,
    relation_texts,
    span_texts,
)

ANN1, ANN2 = "ann1@example.org", "ann2@example.org"


def read(name: str, **kwargs):
    path = LABEL_STUDIO / name
    return list(read_label_studio(path.read_bytes(), file_name=path.name, **kwargs))


def task(*annotations, text="Kim said peace."):
    return json.dumps(
        [{"id": 1, "data": {"text": text}, "annotations": list(annotations), "predictions": []}]
    )


def region(rid, start, end, label, text):
    value = {"start": start, "end": end, "text": text[start:end], "labels": [label]}
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": value}


def test_annotators_are_named_by_email_and_relations_join_region_ids():
    first = read("seeds-json.json")[0]
    assert first.annotators == (ANN1, ANN2)
    assert ("ann1@example.org", "said_by", first.text[316:411], "Kurt Campbell") in relation_texts(first)
    assert [r.type for r in first.relations if r.annotator == ANN1] == ["said_by", "said_by", "responds_to"]


def test_per_region_choices_become_the_claims_attributes():
    first = read("seeds-json.json")[0]
    claims = [s for s in first.annotations if s.label == "CLAIM" and s.annotator == ANN2]
    assert [dict(s.attributes) for s in claims] == [{"perspective": "us_western", "stance": "neutral"}]


def test_an_empty_annotation_counts_as_looked_and_a_cancelled_one_as_skipped():
    records = read("seeds-json.json")
    skipped, looked = records[2], records[3]
    assert skipped.annotators == (ANN1,) and skipped.cancelled == (ANN2,)
    assert looked.annotators == (ANN1, ANN2) and {s.annotator for s in looked.annotations} == {ANN1}


def test_code_point_offsets_after_an_emoji_are_kept():
    live = read("seeds-json.json")[4]
    assert span_texts(live)[:2] == [
        (ANN1, "dearest comrade", "CLAIM"),
        (ANN1, "changes little for China", "CLAIM"),
    ]


def test_int_user_ids_are_named_by_the_mapping_or_left_as_text():
    data = task({"id": 5, "completed_by": 11, "result": [region("a", 0, 3, "SPEAKER", "Kim said peace.")]})
    (record,) = read_label_studio(data, file_name="x.json")
    assert record.annotators == ("11",)
    (named,) = read_label_studio(data, file_name="x.json", user_names={11: "ann1"})
    assert named.annotators == ("ann1",) and named.annotations[0].annotator == "ann1"


def test_a_left_pointing_relation_is_turned_to_follow_the_arrow():
    text = "Kim said peace."
    result = [
        region("s", 0, 3, "SPEAKER", text),
        region("c", 9, 14, "CLAIM", text),
        {"from_id": "s", "to_id": "c", "type": "relation", "direction": "left", "labels": ["said_by"]},
        {"from_id": "c", "to_id": "s", "type": "relation", "direction": "right", "labels": []},
    ]
    (record,) = read_label_studio(task({"id": 5, "completed_by": 1, "result": result}), file_name="x.json")
    assert [(r.from_id, r.to_id, r.type) for r in record.relations] == [("c", "s", "said_by"), ("c", "s", "")]


def test_a_task_level_choice_fills_in_only_where_a_region_has_none():
    text = "Kim said peace."
    result = [
        region("c1", 9, 14, "CLAIM", text),
        region("c2", 0, 3, "CLAIM", text),
        {
            "id": "c1",
            "from_name": "stance",
            "type": "choices",
            "value": {"start": 9, "end": 14, "choices": ["against"]},
        },
        {"id": "doc", "from_name": "stance", "type": "choices", "value": {"choices": ["favor"]}},
    ]
    (record,) = read_label_studio(task({"id": 5, "completed_by": 1, "result": result}), file_name="x.json")
    assert [s.attributes["stance"] for s in record.annotations] == ["against", "favor"]


def test_predictions_are_not_annotations():
    data = json.loads(task({"id": 5, "completed_by": 1, "result": []}))
    data[0]["predictions"] = [
        {"result": [region("p", 0, 3, "SPEAKER", "Kim said peace.")], "model_version": "x"}
    ]
    (record,) = read_label_studio(json.dumps(data), file_name="x.json")
    assert record.annotations == [] and record.annotators == ("1",)


def test_json_min_rows_are_imported_with_what_the_format_loses_noted():
    items = read("seeds-json-min.json")
    assert errors_of(items) == []
    records = records_of(items)
    assert [(r.record_id, r.annotators) for r in records[:2]] == [(41, (ANN2,)), (41, (ANN1,))]
    assert span_texts(records[1])[0] == (ANN1, records[1].text[316:411], "CLAIM")
    assert records[1].relations == [] and any("relations" in note for note in records[1].meta["_lost"])
    assert any("per-region choices" in note for note in records[1].meta["_lost"])
    assert records[5].annotations == [] and records[5].annotators == (ANN2,)  # looked, no claim
