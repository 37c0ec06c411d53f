"""Export → import into an empty project → export again gives the same claims (doccano and Label Studio)."""

import json

import pytest

from annotator.corpus.services import project_create
from annotator.exports.importing import annotations_import, default_label_map
from annotator.exports.selectors import ExportFilters
from annotator.exports.services import export_stream

pytestmark = pytest.mark.django_db

FILES = {"doccano": "summits.jsonl", "label_studio": "summits.json"}


def exported_claims(project) -> list[tuple]:
    """Every claim of the project's JSONL export, without ids (which differ between projects)."""
    chunks, _, _ = export_stream(project=project, format="jsonl", filters=ExportFilters())
    claims = []
    for line in b"".join(chunks).decode().splitlines():
        record = json.loads(line)
        for claim in record["claims"]:
            speaker = claim["speaker"]["name"] if claim["speaker"] else None
            claims.append(
                (record["text"], claim["annotator"], claim["start"], claim["end"], claim["text"], speaker)
                + tuple(
                    claim[k] for k in ("attribution", "perspective", "stance", "target", "confidence", "note")
                )
            )
    return sorted(claims)


@pytest.mark.parametrize("tool", ["doccano", "label_studio"])
def test_export_import_export_gives_the_same_claims(annotated, tool):
    chunks, _, _ = export_stream(project=annotated.project, format=tool, filters=ExportFilters())
    data = b"".join(chunks)
    empty = project_create(name="Copy", slug=f"copy-{tool}")
    summary = annotations_import(
        project=empty, source=tool, files=[(FILES[tool], data)], label_map=default_label_map(empty.schema)
    )
    assert summary.written and summary.errors == [] and summary.users_created == []
    assert summary.claims == len(annotated.submitted)
    original = exported_claims(annotated.project)
    assert len(original) == len(annotated.submitted)
    assert exported_claims(empty) == original
    again, _, _ = export_stream(project=empty, format=tool, filters=ExportFilters())
    assert b"".join(again).count(b'"label') == data.count(b'"label')
