"""brat standoff: .txt exactly the passage, .ann with T/A/R/# lines at code-point offsets, annotation.conf."""

from __future__ import annotations

import json

from annotator.exports.formats import brat_ann, brat_annotation_conf, write_brat_folder
from tests.unit.exports.test_formats import SCHEMA_FILE, claim, passage, sample_records
from tests.unit.exports.test_write_doccano import TEXT, named


def test_ann_lines_are_claims_speakers_relations_attributes_and_notes():
    claims = [
        named(TEXT, "very substantive", "Lavrov", id=1, note="two\nlines", confidence=None),
        named(TEXT, "productive", "Lavrov", id=2, confidence=5),
    ]
    s, lavrov, p = TEXT.index("very"), TEXT.index("Lavrov"), TEXT.index("productive")
    assert brat_ann(TEXT, claims).splitlines() == [
        f"T1\tCLAIM {s} {s + 16}\tvery substantive",
        "A1\tPerspective T1 us_western",
        "A2\tStance T1 against",
        "A3\tAttribution T1 direct",
        "#1\tAnnotatorNotes T1\ttwo lines",
        "N1\tReference T1 speaker:1\tAntony Blinken",
        "N2\tReference T1 target:1\tRussia–North Korea rapprochement",
        f"T2\tSPEAKER {lavrov} {lavrov + 6}\tLavrov",
        "R1\tsaid_by Arg1:T1 Arg2:T2",
        f"T3\tCLAIM {p} {p + 10}\tproductive",
        "A4\tPerspective T3 us_western",
        "A5\tStance T3 against",
        "A6\tAttribution T3 direct",
        "A7\tConfidence T3 5",
        "N3\tReference T3 speaker:1\tAntony Blinken",
        "N4\tReference T3 target:2\tRussia–North Korea rapprochement",
        "R2\tsaid_by Arg1:T3 Arg2:T2",
    ]


def test_offsets_are_code_points_into_the_text_and_a_line_break_splits_a_span_into_fragments():
    text = "🐱 said:\n“we agree”"
    claims = [claim(text, "said:\n“we", id=1, speaker=None)]
    (first, *_) = brat_ann(text, claims).splitlines()
    start = text.index("said")
    assert first == f"T1\tCLAIM {start} {start + 5};{start + 6} {start + 9}\tsaid: “we"
    assert text[start : start + 5] == "said:" and start == 2, "the cat is one code point"


def test_annotation_conf_lists_entities_the_relation_and_attribute_values_from_the_schema():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    conf = brat_annotation_conf(schema)
    sections = {}
    for block in conf.strip().split("\n\n"):
        head, *lines = block.splitlines()
        sections[head] = lines
    assert sections["[entities]"] == ["CLAIM", "SPEAKER"]
    assert sections["[relations]"][0] == "said_by\tArg1:CLAIM, Arg2:SPEAKER"
    perspectives = "|".join(p["value"] for p in schema["perspectives"])
    assert f"Perspective\tArg:CLAIM, Value:{perspectives}" in sections["[attributes]"]
    assert "Confidence\tArg:CLAIM, Value:1|2|3|4|5" in sections["[attributes]"]
    assert "Attribution\tArg:CLAIM, Value:direct|indirect|authorial" in sections["[attributes]"]


def test_the_folder_has_a_subfolder_per_annotator_with_txt_exactly_the_passage(tmp_path):
    text = "Line one 😀\r\nline two\n"
    records = [*sample_records(), passage(20, text, [claim(text, "line two", id=30, annotator="carol")])]
    counts = write_brat_folder(tmp_path, records, schema={}, source="all")
    assert counts == {"alice": 2, "bob": 1, "gold": 2, "carol": 1}
    assert (tmp_path / "annotation.conf").is_file()
    assert sorted(p.name for p in (tmp_path / "gold").iterdir()) == [
        "passage-11.ann", "passage-11.txt", "passage-13.ann", "passage-13.txt"
    ]  # fmt: skip
    assert (tmp_path / "carol" / "passage-20.txt").read_bytes() == text.encode("utf-8"), "no newline changes"
    (line,) = (tmp_path / "carol" / "passage-20.ann").read_text(encoding="utf-8").splitlines()[:1]
    _, span, quoted = line.split("\t")
    start, end = map(int, span.split()[1:])
    assert text[start:end] == quoted == "line two"
    assert (tmp_path / "gold" / "passage-13.ann").read_text(encoding="utf-8") == ""
