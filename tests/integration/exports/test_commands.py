"""`manage.py export` and `manage.py import_annotations` for scripts."""

import json
import sys
from io import BytesIO, TextIOWrapper

import pytest
from django.core.management import CommandError, call_command

from annotator.corpus.models import Role
from annotator.corpus.services import membership_set, project_create
from annotator.exports.selectors import ExportFilters
from annotator.exports.services import export_stream
from annotator.labeling.models import Claim

pytestmark = pytest.mark.django_db


def test_export_writes_the_file_the_stream_gives(annotated, tmp_path):
    out = tmp_path / "claims.csv"
    call_command("export", project="summits", format="csv", out=str(out), source="all")
    chunks, _, _ = export_stream(project=annotated.project, format="csv", filters=ExportFilters(source="all"))
    assert out.read_bytes() == b"".join(chunks)


def test_export_without_out_writes_to_stdout(annotated, monkeypatch):
    buffer = BytesIO()
    monkeypatch.setattr(sys, "stdout", TextIOWrapper(buffer, encoding="utf-8"))
    call_command("export", "--project", "summits", "--format", "jsonl", "--annotators", "ann2")
    lines = [json.loads(line) for line in buffer.getvalue().decode().splitlines()]
    assert {c["annotator"] for line in lines for c in line["claims"]} == {"ann2"}


def test_export_hf_to_a_folder_writes_the_dataset_folder(annotated, tmp_path):
    call_command("export", project="summits", format="hf", out=str(tmp_path / "dataset"))
    assert (tmp_path / "dataset" / "README.md").is_file()
    assert list((tmp_path / "dataset" / "data").glob("*.jsonl"))


def test_export_of_an_unknown_project_fails_clearly(db):
    with pytest.raises(CommandError, match="No project with slug 'nope'"):
        call_command("export", project="nope", format="csv")


def test_import_annotations_reads_the_label_map_file(project, members, tmp_path):
    data = tmp_path / "ann1.jsonl"
    data.write_text(json.dumps({"id": 1, "text": "Putin praised the treaty.", "label": [[0, 5, "RU"]]}))
    label_map = tmp_path / "map.json"
    label_map.write_text(json.dumps({"RU": "russian"}))
    call_command(
        "import_annotations", str(data), project="summits", format="doccano", label_map=str(label_map)
    )
    assert Claim.objects.get().assignment.annotator == members["ann1"]


def test_import_annotations_with_a_bad_record_imports_nothing_and_fails(project, members, tmp_path, capsys):
    data = tmp_path / "ann1.jsonl"
    data.write_text(json.dumps({"id": 1, "text": "Short.", "label": [[0, 50, "RU"]]}))
    label_map = tmp_path / "map.json"
    label_map.write_text('{"RU": "russian"}')
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_annotations", str(data), project="summits", format="doccano", label_map=str(label_map)
        )
    assert "outside the text" in capsys.readouterr().err
    assert not Claim.objects.exists()


def test_import_into_an_empty_project_by_default_maps_perspectives_to_themselves(annotated, tmp_path):
    out = tmp_path / "summits-doccano.zip"  # a jsonl file per annotator and a README.txt
    call_command("export", project="summits", format="doccano", out=str(out))
    copy = project_create(name="Copy", slug="copy")
    for username in ("ann1", "ann2"):
        membership_set(project=copy, user=annotated.people[username], role=Role.ANNOTATOR)
    call_command("import_annotations", str(out), project="copy", format="doccano")
    assert Claim.objects.filter(assignment__passage__document__project__slug="copy").count() == len(
        annotated.submitted
    )
