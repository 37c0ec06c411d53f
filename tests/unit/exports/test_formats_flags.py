"""jsonl and csv carry each annotator's flag and time on task (pure writers, no database)."""

import csv
import io
import json

from annotator.exports.formats import CSV_COLUMNS, csv_claims, jsonl


def record(claims, annotators, gold=None):
    text = "Officials in Beijing described the agreements as legitimate."
    return {
        "passage_id": 7,
        "document_id": 1,
        "document_title": "Summit",
        "document": {"source": "", "url": "", "published": None, "meta": {}},
        "position": 0,
        "start": 0,
        "end": len(text),
        "text": text,
        "claims": claims,
        "annotators": annotators,
        "gold": gold,
    }


def a_claim(claim_id, annotator, **extra):
    return {
        "id": claim_id,
        "annotator": annotator,
        "start": 0,
        "end": 9,
        "text": "Officials",
        "speaker": None,
        "attribution": "authorial",
        "perspective": "chinese",
        "stance": "neutral",
        "target": "",
        "confidence": None,
        "note": "",
        **extra,
    }


ANNOTATORS = [
    {"username": "ann1", "status": "submitted", "flag_reason": "", "flag_note": "", "active_seconds": 95},
    {
        "username": "ann2",
        "status": "skipped",
        "flag_reason": "bad_segmentation",
        "flag_note": "=cut mid-sentence",
        "active_seconds": 12,
    },
]


def test_a_jsonl_line_lists_every_annotators_status_flag_and_time_on_task():
    claims = [a_claim(1, "ann1", flag_reason="", active_seconds=95)]
    line = json.loads(next(jsonl([record(claims, ANNOTATORS)])))
    assert line["annotators"] == ANNOTATORS
    assert "flag_reason" not in line["claims"][0]


def test_a_record_without_annotators_writes_an_empty_list():
    plain = record([], [])
    del plain["annotators"]
    assert json.loads(next(jsonl([plain])))["annotators"] == []


def test_csv_rows_carry_their_assignments_flag_and_time_and_gold_rows_leave_them_empty():
    claims = [a_claim(1, "ann1", flag_reason="unclear", active_seconds=95)]
    gold = [a_claim(9, "gold")]
    rows = list(csv.DictReader(io.StringIO("".join(csv_claims([record(claims, ANNOTATORS, gold)])))))
    assert CSV_COLUMNS[-2:] == ("flag_reason", "active_seconds")
    assert [(r["annotator"], r["flag_reason"], r["active_seconds"]) for r in rows] == [
        ("ann1", "unclear", "95"),
        ("gold", "", ""),
    ]
