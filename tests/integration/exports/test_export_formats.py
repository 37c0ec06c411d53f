"""Each export format, from the database: offsets and texts match the passages, every claim appears once."""

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone

from annotator.agreement.models import AgreementRun, RunStatus
from annotator.corpus.services import project_create
from annotator.exports.formats.conll import spans_from_bio
from annotator.exports.formats.offsets import from_utf16
from annotator.exports.formats.tokens import word_tokens  # the CoNLL exports' tokens
from annotator.exports.selectors import ExportFilters
from annotator.exports.services import FORMATS, export_file_name, export_stream
from tests.integration.exports.conftest import FORMULA_NOTE

pytestmark = pytest.mark.django_db


def export(project, name: str, **filters) -> bytes:
    chunks, content_type, file_name = export_stream(
        project=project, format=name, filters=ExportFilters(**filters)
    )
    assert content_type == FORMATS[name].content_type
    assert file_name == export_file_name(project, name) and file_name.endswith(f".{FORMATS[name].extension}")
    return b"".join(chunks)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def submitted_ids(annotated) -> list[int]:
    return sorted(c.pk for c in annotated.submitted)


def test_jsonl_holds_each_passage_once_and_each_claim_once_matching_the_text(annotated):
    lines = [
        json.loads(line) for line in export(annotated.project, "jsonl", source="all").decode().splitlines()
    ]
    assert len({line["passage_id"] for line in lines}) == len(lines) == 3
    claims = [(line, c) for line in lines for c in line["claims"]]
    assert sorted(c["id"] for _, c in claims) == submitted_ids(annotated)
    assert all(line["text"][c["start"] : c["end"]] == c["text"] for line, c in claims)
    astral = next(line for line in lines if line["text"].startswith("🐱"))
    assert "𝕏 summit" in {c["text"] for c in astral["claims"]}, "astral characters count as one offset"
    gold = [line["gold"] for line in lines]
    assert gold[0][0]["text"] == lines[0]["text"][gold[0][0]["start"] : gold[0][0]["end"]]
    assert gold[1:] == [None, None]


def test_csv_has_one_row_a_claim_and_neutralises_formula_cells(annotated):
    text = export(annotated.project, "csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert sorted(int(row["claim_id"]) for row in rows) == submitted_ids(annotated)
    for row in rows:
        for name, value in row.items():
            assert not value.startswith(("=", "+", "-", "@")), f"{name} could run as a formula: {value!r}"
    notes = {row["note"] for row in rows}
    assert "'" + FORMULA_NOTE in notes and "'-tricky" in notes
    assert {row["speaker"] for row in rows} >= {"'@SUM(A1) Wang Junsheng"}
    assert "'+1 pact" in {row["target"] for row in rows}
    passages = {p.pk: p.text for p in annotated.passages}
    for row in rows:
        start, end = int(row["start"]), int(row["end"])
        assert passages[int(row["passage_id"])][start:end] == row["text"].removeprefix("'")
    # The span rule took the guillemets off the claim; the Cyrillic is written as is.
    assert any(row["text"] == "Россия и КНДР" for row in rows), "non-ASCII text is written as is"


def _conll_blocks(text: str) -> list[tuple[dict[str, str], list[tuple[str, str]]]]:
    """The passage blocks of a ``conll`` export (the header block, all comments, is left out)."""
    blocks = []
    header, *rest = text.strip("\n").split("\n\n")
    assert all(line.startswith("# ") for line in header.splitlines())
    for block in rest:
        comments, tokens = {}, []
        for line in block.split("\n"):
            if line.startswith("# "):
                key, _, value = line[2:].partition(" = ")
                comments[key] = value
            else:
                token, tag = line.split("\t")
                tokens.append((token, tag))
        blocks.append((comments, tokens))
    return blocks


def test_conll_bio_tags_reassemble_into_the_claims_spans(annotated):
    text = export(annotated.project, "conll", annotators=("ann2",)).decode()
    passages = {p.pk: p.text for p in annotated.passages}
    expected = {
        (c.assignment.passage_id, c.start, c.end, c.perspective)
        for c in annotated.submitted
        if c.assignment.annotator.username == "ann2"
    }
    found = set()
    for comments, tokens in _conll_blocks(text):
        passage_id = int(comments["passage_id"])
        spans = word_tokens(passages[passage_id])
        assert [token for token, _ in tokens] == [passages[passage_id][s:e] for s, e in spans]
        found |= {(passage_id, *span) for span in spans_from_bio(spans, [tag for _, tag in tokens])}
    assert found == expected


def test_conll_reports_the_claims_flat_bio_cannot_hold(annotated):
    blocks = _conll_blocks(export(annotated.project, "conll", annotators=("ann1",)).decode())
    first = next(
        comments for comments, _ in blocks if int(comments["passage_id"]) == annotated.passages[0].pk
    )
    assert first["dropped_claims"] == "1", "ann1's two overlapping claims: one is kept"
    assert first["annotator"] == "ann1"


def test_hf_zip_is_a_dataset_folder_that_datasets_loads_with_counts_and_agreement(annotated, tmp_path: Path):
    AgreementRun.objects.create(
        project=annotated.project,
        status=RunStatus.SUCCEEDED,
        results={
            "report": {
                "span": {"position_alpha": {"value": 0.734, "ci": [0.701, 0.766], "n_units": 9}},
                "attributes": {
                    "stance": {"alpha": {"value": 0.612, "ci": None}, "coincidence": {"matrix": []}}
                },
                "pairs": [{"a": "ann1", "b": "ann2"}],
            },
            "annotators": {"1": "secret-annotator-name"},
        },
        finished_at=timezone.now(),
    )
    with zipfile.ZipFile(io.BytesIO(export(annotated.project, "hf"))) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / "summits-dataset"
    card = (folder / "README.md").read_text()
    assert "position_alpha" in card and "0.734 (95% CI 0.701–0.766)" in card and "0.612" in card
    assert "secret-annotator-name" not in card and "coincidence" not in card, "headline figures only"
    from datasets import load_dataset

    dataset = load_dataset(str(folder), cache_dir=str(tmp_path / "hf-cache"))  # no stale cache across runs
    rows = [row for split in dataset.values() for row in split]
    assert sorted(row["passage_id"] for row in rows) == sorted(p.pk for p in annotated.passages)
    assert sum(len(row["claims"]) for row in rows) == len(annotated.submitted)
    for row in rows:
        assert all(row["text"][c["start"] : c["end"]] == c["text"] for c in row["claims"])
    assert str(sum(len(split) for split in dataset.values())) in card


def test_doccano_is_a_zip_of_a_file_per_annotator_with_utf16_offsets(annotated):
    files = members(export(annotated.project, "doccano"))
    assert sorted(files) == ["README.txt", "ann1.jsonl", "ann2.jsonl"]
    found = set()
    for name in ("ann1.jsonl", "ann2.jsonl"):
        for line in map(json.loads, files[name].decode().splitlines()):
            text = line["text"]
            for entity, attributes in zip(line["entities"], line["claim_attributes"], strict=True):
                start, end = from_utf16(text, entity["start_offset"]), from_utf16(text, entity["end_offset"])
                if text.startswith("🐱"):
                    assert (start, end) != (entity["start_offset"], entity["end_offset"]), "after 🐱: UTF-16"
                assert entity["label"] == "CLAIM" and attributes["annotator"] == name.removesuffix(".jsonl")
                name_of = attributes["annotator"]
                found.add((line["passage_id"], name_of, start, end, attributes["perspective"]))
    assert found == {
        (c.assignment.passage_id, c.assignment.annotator.username, c.start, c.end, c.perspective)
        for c in annotated.submitted
    }


def test_label_studio_regions_are_code_points_matching_their_text(annotated):
    data = export(annotated.project, "label_studio", source="all")
    tasks = json.loads(data)
    regions = [
        (task, annotation["meta"]["annotator"], result["value"])
        for task in tasks
        for annotation in task["annotations"]
        for result in annotation["result"]
        if result["type"] == "labels"
    ]
    assert len([r for r in regions if r[1] != "gold"]) == len(annotated.submitted)
    assert [r[1] for r in regions].count("gold") == 1
    for task, _, value in regions:
        assert task["data"]["text"][value["start"] : value["end"]] == value["text"]
        assert value["labels"] == ["CLAIM"], "no speaker mentions marked in this project"
    assert all("completed_by" not in a for task in tasks for a in task["annotations"]), "no e-mails here"


@pytest.mark.parametrize("name", list(FORMATS))
def test_an_empty_project_exports_an_empty_but_well_formed_file(db, name, tmp_path):
    empty = project_create(name="Empty", slug="empty")
    data = export(empty, name, status="all", source="all")
    if name == "csv":
        assert data.decode().splitlines()[0].startswith("passage_id,")
        assert len(data.decode().splitlines()) == 1
    elif name == "label_studio":
        assert json.loads(data) == []
    elif name == "label_studio_config":
        assert data.startswith(b"<View>")
    elif name == "conll":
        assert data.decode().endswith("# dropped_claims total = 0\n\n") and data.count(b"\n\n") == 1
    elif FORMATS[name].extension == "zip":
        only = {"hf": "empty-dataset/README.md", "brat": "annotation.conf"}.get(name, "README.txt")
        assert list(members(data)) == [only]
    else:
        assert data == b""


@pytest.mark.parametrize("name", ["jsonl", "csv", "doccano", "label_studio", "brat", "conll_plain"])
def test_a_filter_that_selects_nothing_exports_no_claims(annotated, name):
    data = export(annotated.project, name, annotators=("nobody",))
    if FORMATS[name].extension == "zip":
        assert list(members(data)) in (["README.txt"], ["annotation.conf"])
    else:
        assert data in (b"", b"[]") or data.decode().count("\n") == 1
