"""Which tool wrote a file, what is refused with what advice, and reading any mix of uploads."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from annotator.exports.readers.detect import FormatRefused, detect_format, read_annotations
from tests.unit.exports.foreign_fixtures import BRAT, DOCCANO, LABEL_STUDIO, errors_of, records_of


def zipped(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name.replace("__", "/"), data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        (DOCCANO / "doccano-export.zip", "doccano"),
        (DOCCANO / "relations" / "ann1.jsonl", "doccano"),
        (LABEL_STUDIO / "seeds-json.json", "label_studio"),
        (LABEL_STUDIO / "seeds-json-min.json", "label_studio"),
        (BRAT / "brat-collection.zip", "brat"),
        (BRAT / "ann1" / "live-1.ann", "brat"),
    ],
)
def test_each_tools_export_is_recognised_by_its_content(path, kind):
    assert detect_format("upload.bin", path.read_bytes()) == kind


@pytest.mark.parametrize(
    ("name", "said"), [("seeds.csv", "Label Studio's CSV export"), ("seeds.conll", "CONLL2003")]
)
def test_label_studio_csv_and_conll_are_refused_naming_the_format_and_the_json_export(name, said):
    with pytest.raises(FormatRefused) as refused:
        detect_format(name, (LABEL_STUDIO / name).read_bytes())
    assert said in str(refused.value) and "as JSON" in str(refused.value)


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"%PDF-1.7\n...", "PDF"),
        (zipped(**{"[Content_Types].xml": b"<x/>", "xl__workbook.xml": b"<x/>"}), "Excel workbook"),
        (b"Kim met Putin.\nThey talked.\n", "plain text with no annotations"),
        (json.dumps({"passage_id": 1, "claims": []}).encode(), "this tool's own JSONL export"),
        (b"passage_id,document_id,claim_id\n1,2,3\n", "this tool's own CSV export"),
        (b"[]", "empty JSON array"),
        (b"", "empty file"),
    ],
)
def test_files_that_are_not_imports_are_refused_saying_what_they_are(data, said):
    with pytest.raises(FormatRefused, match=said):
        detect_format("upload", data)


def test_a_zip_passed_as_doccano_gets_one_error_not_one_per_line():
    zip_bytes = zipped(**{"notes.txt": b"hello", "photo.png": b"\x89PNG..."})
    (error,) = read_annotations([("export.zip", zip_bytes)], format="doccano")
    assert "notes.txt, photo.png" in error.message


def test_text_that_is_not_utf8_is_named_once_with_the_first_bad_byte():
    data = b'{"text": "ok"}\n' + b'{"text": "caf\xe9"}\n' * 200
    (error,) = read_annotations([("alice.jsonl", data)])
    assert error.file_name == "alice.jsonl" and "offset 28" in error.message


def test_an_explicit_format_that_does_not_match_says_what_the_file_looks_like():
    (error,) = read_annotations(
        [("x.json", (LABEL_STUDIO / "seeds-json.json").read_bytes())], format="doccano"
    )
    assert "looks like a Label Studio JSON export" in error.message


def test_a_malformed_json_line_is_numbered_and_the_rest_is_read():
    data = b'\xef\xbb\xbf{"text": "ok", "label": [[0, 1, "C"]]}\n{"text": \n{"text": "fine", "label": []}\n'
    items = list(read_annotations([("bob.jsonl", data)]))
    assert [e.line_or_index for e in errors_of(items)] == [2]
    assert [(r.text, r.annotators) for r in records_of(items)] == [("ok", ("bob",)), ("fine", ())]


def test_collaborative_export_in_a_zip_takes_the_named_annotator():
    data = zipped(**{"all.jsonl": (DOCCANO / "all.jsonl").read_bytes(), "__MACOSX__._all.jsonl": b"\x00\x01"})
    (refusal,) = read_annotations([("project.zip", data)])
    assert "collaborative" in refusal.message and refusal.file_name == "project.zip: all.jsonl"
    records = list(read_annotations([("project.zip", data)], annotator="team"))
    assert len(records_of(records)) == 5 and errors_of(records) == []


def test_brat_files_uploaded_side_by_side_pair_up():
    files = [(f"ann2/{p.name}", p.read_bytes()) for p in sorted((BRAT / "ann2").iterdir())]
    records = records_of(read_annotations(files))
    assert [r.record_id for r in records] == ["000-p27", "000-p55", "003-p17", "live-1"]
    assert {r.annotators for r in records} == {("ann2",)}


def test_label_studio_files_are_read_through_the_same_door():
    records = records_of(read_annotations([("p.json", (LABEL_STUDIO / "seeds-json.json").read_bytes())]))
    assert [r.record_id for r in records] == [41, 42, 43, 44, 45]
