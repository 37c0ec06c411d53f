"""brat standoff: one folder per annotator, text-bound spans, relations, attributes and notes."""

from __future__ import annotations

from annotator.exports.readers.brat import read_brat
from tests.unit.exports.foreign_fixtures import BRAT, errors_of, records_of, relation_texts, span_texts


def collection():
    return [(str(p.relative_to(BRAT)), p.read_bytes()) for p in sorted(BRAT.glob("ann*/*.*"))]


def test_folders_name_the_annotators_and_an_empty_ann_means_looked_no_claim():
    records = records_of(read_brat(collection()))
    assert [(r.record_id, r.annotators) for r in records][-4:] == [
        ("000-p27", ("ann2",)), ("000-p55", ("ann2",)), ("003-p17", ("ann2",)), ("live-1", ("ann2",)),
    ]  # fmt: skip
    assert records[-2].annotations == []


def test_relations_join_text_bound_ids_from_claim_to_speaker():
    p55 = records_of(read_brat(collection()))[1]
    assert relation_texts(p55) == [
        (
            "ann1",
            "said_by",
            "this visit was sure to bring Russia-North Korea relations to new heights",
            "Wang Junsheng",
        ),
        ("ann1", "said_by", "the deeper cooperation between Russia and North Korea is no surprise", "Wang"),
    ]


def test_attributes_binary_attributes_and_notes_land_on_the_span():
    first, second = records_of(read_brat(collection()))[1].annotations[:2]
    assert dict(first.attributes) == {
        "perspective": "chinese",
        "stance": "favor",
        "note": "Wang is at CASS, a state think tank",
    }
    assert second.attributes["Quoted"] == "true"


def test_offsets_are_code_points_after_an_emoji():
    live = records_of(read_brat(collection()))[4]
    assert span_texts(live)[:2] == [
        ("ann1", "dearest comrade", "CLAIM"),
        ("ann1", "changes little for China", "CLAIM"),
    ]


def test_a_discontinuous_span_is_its_documents_error_and_the_others_are_read():
    files = [
        ("bob/a.txt", b"Kim said peace and war."),
        ("bob/a.ann", b"T1\tCLAIM 9 14;19 22\tpeace war\n"),
        ("bob/b.txt", b"Kim said peace."),
        ("bob/b.ann", b"T1\tCLAIM 9 14\tpeace\n"),
    ]
    items = list(read_brat(files))
    (error,) = errors_of(items)
    assert (error.file_name, error.line_or_index) == ("bob/a.ann", 1) and "discontinuous" in error.message
    assert [r.record_id for r in records_of(items)] == ["b"]


def test_top_level_files_need_a_named_annotator():
    files = [("a.txt", b"Kim said peace."), ("a.ann", b"T1\tCLAIM 9 14\tpeace\n")]
    (error,) = read_brat(files)
    assert "annotator" in error.message
    (record,) = read_brat(files, annotator="bob")
    assert span_texts(record) == [("bob", "peace", "CLAIM")]
