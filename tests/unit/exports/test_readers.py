"""The import readers (doccano JSONL, Label Studio JSON), their validation, and round trips."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from annotator.exports.formats import doccano_jsonl, jsonstream, label_studio_json, perspective_stance_label
from annotator.exports.readers import (
    ForeignRecord,
    ForeignSpan,
    LabelMapError,
    RecordError,
    parse_label_map,
    read_doccano,
    read_label_studio,
    validate_records,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DOCCANO = FIXTURES / "doccano" / "alice.jsonl"
LABEL_STUDIO = FIXTURES / "label_studio" / "project-12-at-2025-03-04-09-41-5b3e1c2a.json"
DOCCANO_LABELS = {"RU": "russian", "US": "us_western", "DPRK": "north_korean", "CN": "chinese"}
LS_LABELS = {"Russia": "russian", "US": "us_western", "China": "chinese", "DPRK": "north_korean"}
SCHEMA_LABELS = {
    "us_western": "us_western",
    "chinese": "chinese",
    "russian": "russian",
    "north_korean": "north_korean",
    "south_korean_japanese": "south_korean_japanese",
}
OWN_LABELS = {**SCHEMA_LABELS, "CLAIM": "claim", "SPEAKER": "speaker"}  # what our own exports write


def spans_of(record):
    return [(s.annotator, record.text[s.start : s.end], s.label) for s in record.annotations]


def errors_of(items):
    return [item for item in items if isinstance(item, RecordError)]


def records_of(items):
    return [item for item in items if isinstance(item, ForeignRecord)]


# --- doccano --------------------------------------------------------------------------------------------


def read_fixture_doccano(**kwargs):
    with DOCCANO.open(encoding="utf-8") as lines:
        return list(read_doccano(lines, file_name=DOCCANO.name, **kwargs))


def test_doccano_fixture_is_read_with_utf16_offsets_turned_into_code_points():
    items = read_fixture_doccano()
    assert errors_of(items) == []
    first, second, third, fourth = items
    assert spans_of(first) == [
        (
            "alice",
            "provides for mutual assistance in the event of aggression against one of the parties",
            "RU",
        )
    ]
    assert first.annotations[0].start == first.text.index("provides")  # 5 astral characters earlier
    assert spans_of(second) == [
        ("alice", "a serious concern for anyone who cares about peace on the Korean Peninsula", "US"),
        ("alice", "new era", "DPRK"),
    ]
    assert "o\u0306" in second.text  # the combining breve is one code point in both units: no shift
    assert [text for _, text, _ in spans_of(third)] == [
        "the matter was “between two sovereign states”",
        "between two sovereign states",
    ]
    assert fourth.annotations == []
    assert (second.index, second.record_id) == (2, 2202)
    assert second.meta["url"] == "https://example.org/summit-reactions" and "Comments" not in second.meta
    assert second.comments == {"alice": ("is Chosŏn Sinbo DPRK-run or Japan-based?",)}


def test_doccano_annotator_comes_from_the_file_stem_unless_given():
    assert {s.annotator for r in read_fixture_doccano(annotator="alice2") for s in r.annotations} == {
        "alice2"
    }


def test_doccano_fixture_validates_against_a_label_mapping():
    result = validate_records(read_fixture_doccano(), label_map=DOCCANO_LABELS)
    assert result.errors == []
    assert len(result.records) == 4
    assert [dict(s.fields) for s in result.records[1].annotations] == [
        {"perspective": "us_western"},
        {"perspective": "north_korean"},
    ]


def test_doccano_entities_form_and_users_on_spans_or_lines():
    lines = [
        json.dumps(
            {
                "id": 1,
                "text": "𝕏 Kim praised the “invincible alliance.”",
                "entities": [
                    {"id": 7, "label": "DPRK", "start_offset": 20, "end_offset": 39, "user": "carol"},
                    {"id": 8, "label": "DPRK", "start_offset": 3, "end_offset": 6},
                ],
                "relations": [{"id": 1, "from_id": 8, "to_id": 7, "type": "says"}],
                "user": "dave",
            },
            ensure_ascii=False,
        ),
        json.dumps({"id": 2, "text": "no users here", "label": [[0, 2, "US"]]}),
    ]
    first, second = read_doccano(lines, file_name="all.jsonl")
    assert spans_of(first) == [("carol", "invincible alliance", "DPRK"), ("dave", "Kim", "DPRK")]
    assert "relations" not in first.meta
    assert [(r.annotator, r.from_id, r.to_id, r.type) for r in first.relations] == [("dave", 8, 7, "says")]
    assert isinstance(second, RecordError) and "collaborative" in second.message  # nobody to credit it to


def test_doccano_code_point_offsets_when_the_file_was_written_in_python():
    line = json.dumps({"text": "😀😀 peace", "label": [[3, 8, "US"]]}, ensure_ascii=False)
    (record,) = read_doccano([line], file_name="bob.jsonl", offsets="codepoint")
    assert spans_of(record) == [("bob", "peace", "US")]


def test_doccano_bad_lines_become_errors_with_their_line_numbers_and_reading_goes_on():
    good = json.dumps({"text": "good", "label": [[0, 4, "US"]]})
    lines = [
        "\ufeff" + good,
        "{not json",
        "[1, 2]",
        '{"label": []}',
        '{"text": "x", "label": [[0, "1", "US"]]}',
        '{"text": "😀x", "label": [[1, 3, "US"]]}',
        '{"text": "x", "label": ["POS"]}',
        "   ",
        good.encode(),
    ]
    items = list(read_doccano(lines, file_name="eve.jsonl"))
    assert [len(r.annotations) for r in records_of(items)] == [1, 1]
    errors = {error.line_or_index: error.message for error in errors_of(items)}
    assert sorted(errors) == [2, 3, 4, 5, 6, 7]
    assert errors[2].startswith("malformed JSON")
    assert "expected a JSON object" in errors[3]
    assert "no text" in errors[4]
    assert "must be integers" in errors[5]
    assert "surrogate pair" in errors[6]
    assert "'POS'" in errors[7]
    assert str(errors_of(items)[0]) == "eve.jsonl:2: " + errors[2]


def test_records_of_an_unforeseen_shape_are_errors_not_crashes():
    odd_doccano = json.dumps({"text": "abc", "label": [[0, 1, "US"]], "claim_attributes": [{"start": [0]}]})
    items = list(read_doccano([odd_doccano, '{"text": "ok"}'], file_name="odd.jsonl"))
    assert [type(item).__name__ for item in items] == ["RecordError", "ForeignRecord"]
    assert "unexpected shape" in items[0].message
    odd_task = ls_task("abc", 0, 1, "a") | {
        "annotations": [
            {"completed_by": [1], "result": [{"id": [1], "type": "choices", "value": {"choices": []}}]}
        ]
    }
    items = list(read_label_studio(json.dumps([odd_task, ls_task("abc", 0, 1, "a")]), file_name="odd.json"))
    assert [type(item).__name__ for item in items] == ["RecordError", "ForeignRecord"]
    assert items[0].message.startswith("task 1: unexpected shape")


def test_validation_names_file_record_and_problem_for_bad_offsets_and_unknown_labels():
    lines = [
        json.dumps(
            {"id": 40, "text": "abc", "label": [[2, 1, "US"], [1, 9, "US"], [0, 1, "XX"], [0, 3, "US"]]}
        ),
        json.dumps({"id": 41, "text": "", "label": []}),
        json.dumps({"id": 42, "text": "fine", "label": [[0, 4, "US"]]}),
    ]
    result = validate_records(
        read_doccano(lines, file_name="frank.jsonl", offsets="codepoint"), label_map=DOCCANO_LABELS
    )
    assert [r.record_id for r in result.records] == [42]
    messages = [str(error) for error in result.errors]
    assert messages == [
        "frank.jsonl:1: record 40: span 1 (frank, 'US' at 2–1): start 2 is not before end 1",
        "frank.jsonl:1: record 40: span 2 (frank, 'US' at 1–9): offsets 1–9 are outside the text"
        " (3 characters)",
        "frank.jsonl:1: record 40: span 3 (frank, 'XX' at 0–1): unknown label 'XX'"
        " (not in the label mapping)",
        "frank.jsonl:2: record 41: the text is empty",
    ]


def test_label_map_can_name_stance_and_attribution_and_values_are_checked_against_the_schema():
    record = ForeignRecord(
        "x.json",
        1,
        "They said “no”.",
        {},
        [
            ForeignSpan("ann", 11, 13, "AGAINST-US", attributes={"attribution": "direct"}),
            ForeignSpan("ann", 11, 13, "PRO", attributes={"stance": "against"}),
            ForeignSpan("ann", 11, 13, "ODD"),
        ],
    )
    label_map = {
        "AGAINST-US": {"perspective": "us_western", "stance": "against"},
        "PRO": {"stance": "favor"},
        "ODD": {"perspective": "martian"},
    }
    result = validate_records([record], label_map=label_map, allowed={"perspective": SCHEMA_LABELS})
    assert result.records == []
    assert [error.message.split(": ", 1)[1] for error in result.errors] == [
        "the label says stance 'favor' but the span's stance is 'against'",
        "perspective 'martian' is not one of"
        " ['chinese', 'north_korean', 'russian', 'south_korean_japanese', 'us_western']",
    ]
    ok = validate_records([record], label_map={**label_map, "PRO": {"stance": "against"}, "ODD": "chinese"})
    assert ok.errors == []
    assert [dict(s.fields) for s in ok.records[0].annotations] == [
        {"perspective": "us_western", "stance": "against", "attribution": "direct"},
        {"stance": "against"},
        {"perspective": "chinese"},
    ]


@pytest.mark.parametrize(
    ("label_map", "named"),
    [
        ({"US": {"speaker": "Blinken"}}, "'US'"),
        ({"SPEAKER": None}, "'SPEAKER'"),
        ({"SPEAKER": ""}, "'SPEAKER'"),
        ({"X": {"role": "narrator"}}, "narrator"),
        ({"X": {"role": "speaker", "stance": "favor"}}, "no claim fields"),
        ({"X": {"stance": 3}}, "non-empty text"),
        (["CLAIM"], "JSON object"),
    ],
)
def test_a_malformed_label_map_is_refused_before_reading_naming_the_label(label_map, named):
    with pytest.raises(LabelMapError, match=named):
        validate_records([], label_map=label_map)


def test_label_roles_say_claim_speaker_or_ignore():
    roles = parse_label_map(
        {"CLAIM": {"attribution": "indirect"}, "SPEAKER": "speaker", "NOTE": "ignore", "US": "us_western",
         "C": {}, "S": {"role": "speaker"}}
    )  # fmt: skip
    assert {label: (role.role, dict(role.fields)) for label, role in roles.items()} == {
        "CLAIM": ("claim", {"attribution": "indirect"}),
        "SPEAKER": ("speaker", {}),
        "NOTE": ("ignore", {}),
        "US": ("claim", {"perspective": "us_western"}),
        "C": ("claim", {}),
        "S": ("speaker", {}),
    }


# --- Label Studio ---------------------------------------------------------------------------------------


def read_fixture_label_studio(**kwargs):
    with LABEL_STUDIO.open("rb") as data:
        return list(read_label_studio(data, file_name=LABEL_STUDIO.name, **kwargs))


def test_label_studio_fixture_skips_cancelled_annotations_and_reads_text_regions():
    items = read_fixture_label_studio()
    assert errors_of(items) == []
    first, second, third, fourth = items
    assert [r.record_id for r in items] == [5301, 5302, 5303, 5304]
    assert spans_of(first) == [
        ("1", "very substantive", "Russia"),
        ("1", "does not rule out", "Russia"),
        ("2", "very substantive", "Russia"),
    ]  # annotator 3 cancelled
    assert first.annotations[0].start == first.text.index("very substantive")  # code points, after 🇷🇺
    assert dict(first.annotations[0].attributes) == {"stance": "favor"}
    assert spans_of(second) == [
        ("ana@example.org", "Blinken warned:\nthe deepening ties", "US"),
        ("ana@example.org", "a grave threat", "US"),
    ]
    assert second.annotations[0].text == "Blinken warned:\\nthe deepening ties"  # how Label Studio stores it
    assert spans_of(third) == [
        ("2", "normal exchanges between two countries", "China")
    ]  # no doc-level choice
    assert fourth.annotations == [] and fourth.meta == {"source": "reuters"}


def test_label_studio_user_ids_can_be_named():
    items = read_fixture_label_studio(user_names={1: "ana", 2: "ben"})
    assert [s.annotator for r in items for s in r.annotations] == ["ana", "ana", "ben", "ana", "ana", "ben"]


def test_label_studio_fixture_validates_including_line_breaks_in_region_text():
    result = validate_records(
        read_fixture_label_studio(), label_map=LS_LABELS, allowed={"stance": ["favor", "against", "neutral"]}
    )
    assert result.errors == []
    assert [dict(s.fields) for s in result.records[1].annotations] == [
        {"perspective": "us_western"},
        {"perspective": "us_western", "stance": "against"},
    ]


def ls_task(text, start, end, region_text, *, labels=("US",), completed_by=7, **task):
    value = {"start": start, "end": end, "text": region_text, "labels": list(labels)}
    result = {"id": "r1", "from_name": "label", "to_name": "text", "type": "labels", "value": value}
    return {
        "id": 1,
        "data": {"text": text},
        "annotations": [{"completed_by": completed_by, "result": [result]}],
    } | task


def test_label_studio_utf16_offsets_from_old_versions_are_recognised_by_the_region_text():
    text = "😀😀 Kim: “new era”"
    old = ls_task(text, 11, 18, "new era")  # UTF-16: the two emoji count 4
    current = ls_task(text, 9, 16, "new era")
    records = records_of(read_label_studio(json.dumps([old, current]), file_name="old.json"))
    assert [spans_of(r) for r in records] == [[("7", "new era", "US")]] * 2


def test_label_studio_region_text_that_fits_no_unit_is_a_validation_error():
    data = json.dumps([ls_task("Kim praised the alliance", 4, 11, "praises")])
    result = validate_records(read_label_studio(data, file_name="bad.json"), label_map={"US": "us_western"})
    assert result.records == []
    assert [str(e) for e in result.errors] == [
        "bad.json:1: record 1: span 1 (7, 'US' at 4–11): its text 'praises' is not the text at those offsets,"
        " 'praised'"
    ]


def test_label_studio_hypertext_regions_and_tasks_without_text_are_errors():
    hypertext = ls_task("<p>x</p>", "/p[1]/text()[1]", "/p[1]/text()[1]", "x")
    no_text = {"id": 9, "data": {"html": "<p>x</p>", "title": "y"}, "annotations": []}
    items = list(read_label_studio(json.dumps([hypertext, no_text]), file_name="h.json"))
    assert [(e.line_or_index, e.message.split(":")[0]) for e in errors_of(items)] == [
        (1, "task 1"),
        (2, "task 9"),
    ]
    assert "HyperText" in errors_of(items)[0].message


def test_label_studio_text_can_come_from_another_data_field():
    task = ls_task("ignored", 0, 3, "Kim") | {"data": {"body": "Kim spoke.", "n": 3}}
    (record,) = read_label_studio(json.dumps(task), file_name="one.json")  # a lone task object
    assert spans_of(record) == [("7", "Kim", "US")] and record.meta == {"n": 3}
    task["data"]["lede"] = "another string"
    (error,) = read_label_studio(json.dumps([task]), file_name="two.json")
    assert "text_field" in error.message
    (record,) = read_label_studio(json.dumps([task]), file_name="two.json", text_field="body")
    assert record.text == "Kim spoke."


@pytest.mark.parametrize(
    ("data", "records", "index", "message"),
    [
        (
            '[{"id": 1, "data": {"text": "a"}},\n {"id": 2, "data": {"text": "b" "c"}}]',
            1,
            2,
            "JSON on line 2",
        ),
        ('[{"id": 1, "data": {"text": "a"}},\n\n {"id": 2, "data": {"te', 1, 2, "malformed JSON on line 3"),
        ('[{"id": 1, "data": {"text": "a"}}', 1, 2, "not closed"),
        ('[{"id": 1, "data": {"text": "a"}} {"id": 2}]', 1, 2, "expected ',' or ']'"),
        ('[{"id": 1, "data": {"text": "a"}}] trailing', 1, 1, "unexpected text after the array"),
        ('"tasks"', 0, 0, "expected a JSON array"),
        ("  \n", 0, 0, "the file is empty"),
        (b'[{"id": 1, "data": {"text": "caf\xe9"}}]', 0, 1, "not UTF-8"),
        ("[]", 0, None, None),
    ],
)
def test_label_studio_files_that_stop_being_json_report_where_after_the_tasks_before(
    data, records, index, message
):
    items = list(read_label_studio(data, file_name="p.json"))
    assert len(records_of(items)) == records
    errors = errors_of(items)
    if message is None:
        assert errors == []
    else:
        (error,) = errors
        assert error.line_or_index == index and message in error.message


def test_label_studio_reads_a_file_in_small_chunks_exactly_as_the_whole_text(monkeypatch):
    whole = read_fixture_label_studio()
    monkeypatch.setattr(jsonstream, "CHUNK", 7)  # every task spans many reads; astral characters split
    with LABEL_STUDIO.open("rb") as binary:
        assert list(read_label_studio(binary, file_name=LABEL_STUDIO.name)) == whole
    with LABEL_STUDIO.open(encoding="utf-8") as text:
        assert list(read_label_studio(text, file_name=LABEL_STUDIO.name)) == whole
    data = LABEL_STUDIO.read_bytes()
    assert list(read_label_studio(io.BytesIO(b"\xef\xbb\xbf" + data), file_name=LABEL_STUDIO.name)) == whole


# --- round trips ----------------------------------------------------------------------------------------


def claim(text, quote, *, id, annotator, perspective, stance, attribution="direct"):
    start = text.index(quote)
    return {
        "id": id,
        "annotator": annotator,
        "start": start,
        "end": start + len(quote),
        "text": quote,
        "speaker": {"id": 1, "name": "Kim Jong Un", "kind": "person", "affiliation": "kp_gov"},
        "attribution": attribution,
        "perspective": perspective,
        "stance": stance,
        "target": "Russia–North Korea rapprochement",
        "confidence": 3,
        "note": "",
    }


def round_trip_records():
    one = "🇷🇺🤝🇰🇵 Kim called it “an invincible alliance” 😀; 𝕏 users mocked “the 𝕏-treme hype.”"
    two = "Cho\u0306son Sinbo: “a new era”, but Seoul saw “a grave threat.”"
    return [
        {
            "passage_id": 1,
            "document_id": 1,
            "document_title": "Summit 🤝",
            "document": {"source": "KCNA", "url": "https://example.org/1", "published": None, "meta": {}},
            "position": 0,
            "start": 0,
            "end": len(one),
            "text": one,
            "claims": [
                claim(
                    one,
                    "an invincible alliance",
                    id=1,
                    annotator="alice",
                    perspective="north_korean",
                    stance="favor",
                ),
                claim(one, "invincible", id=2, annotator="bob", perspective="russian", stance="favor"),
                claim(
                    one, "the 𝕏-treme hype", id=3, annotator="bob", perspective="us_western", stance="against"
                ),
            ],
            "gold": [
                claim(
                    one,
                    "an invincible alliance",
                    id=9,
                    annotator="gold",
                    perspective="north_korean",
                    stance="favor",
                )
            ],
        },
        {
            "passage_id": 2,
            "document_id": 1,
            "document_title": "Summit 🤝",
            "document": {"source": "KCNA", "url": "https://example.org/1", "published": None, "meta": {}},
            "position": 1,
            "start": 100,
            "end": 100 + len(two),
            "text": two,
            "claims": [
                claim(two, "a new era", id=4, annotator="alice", perspective="north_korean", stance="favor"),
                claim(
                    two,
                    "a grave threat",
                    id=5,
                    annotator="alice",
                    perspective="south_korean_japanese",
                    stance="against",
                ),
            ],
            "gold": None,
        },
    ]


def expected_spans(records):
    return {
        (
            r["passage_id"],
            c["annotator"],
            c["start"],
            c["end"],
            c["perspective"],
            c["stance"],
            c["attribution"],
        )
        for r in records
        for c in r["claims"] + (r["gold"] or [])
    }


def validated_spans(result):
    assert result.errors == []
    return {
        (r.meta["passage_id"], s.annotator, s.start, s.end, s.fields["perspective"], s.fields["stance"],
         s.fields["attribution"])
        for r in result.records
        for s in r.annotations
        if s.label != "SPEAKER"
    }  # fmt: skip


def test_doccano_round_trip_gives_back_the_same_spans_annotators_and_fields():
    records = round_trip_records()
    lines = "".join(doccano_jsonl(records)).splitlines(keepends=True)
    result = validate_records(read_doccano(lines, file_name="all.jsonl"), label_map=OWN_LABELS)
    assert validated_spans(result) == expected_spans(records)
    assert [r.text for r in result.records] == [r["text"] for r in records]
    bob = [s for s in result.records[0].annotations if s.annotator == "bob"]
    assert {s.attributes["speaker"] for s in bob} == {"Kim Jong Un"}


def test_doccano_round_trip_per_annotator_file_and_a_combined_label():
    records = round_trip_records()
    lines = list(doccano_jsonl(records, source="annotator:bob", label_of=perspective_stance_label))
    label_map = {
        "russian/favor": {"perspective": "russian", "stance": "favor"},
        "us_western/against": "us_western",
    }
    result = validate_records(read_doccano(lines, file_name="bob.jsonl"), label_map=label_map)
    assert {(s.annotator, s.start, s.end) for r in result.records for s in r.annotations} == {
        ("bob", c["start"], c["end"]) for c in records[0]["claims"] if c["annotator"] == "bob"
    }


def test_label_studio_round_trip_gives_back_the_same_spans_annotators_and_fields(tmp_path):
    records = round_trip_records()
    path = tmp_path / "export.json"
    with path.open("w", encoding="utf-8") as file:
        file.writelines(label_studio_json(records))
    with path.open("rb") as file:
        result = validate_records(read_label_studio(file, file_name=path.name), label_map=OWN_LABELS)
    assert validated_spans(result) == expected_spans(records)
    first = result.records[0]
    hype = next(s for s in first.annotations if s.annotator == "bob" and s.fields["stance"] == "against")
    assert first.text[hype.start : hype.end] == "the 𝕏-treme hype" == hype.text
    assert dict(hype.attributes) == {
        "perspective": "us_western",
        "stance": "against",
        "attribution": "direct",
        "target": "Russia–North Korea rapprochement",
        "speaker": "Kim Jong Un",
        "confidence": 3,
    }
