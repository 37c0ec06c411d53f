"""Our own exports come back whole: into a copy of the project they give the same claims, speakers and
annotators; into the project they came from they add nothing."""

import json

import pytest

from annotator.corpus.models import Document, Membership
from annotator.corpus.services import project_create
from annotator.exports.importing import annotations_import
from annotator.exports.selectors import ExportFilters
from annotator.exports.services import FORMATS, export_stream
from annotator.labeling.models import Assignment, Claim

pytestmark = pytest.mark.django_db

TOOLS = ["doccano", "label_studio", "brat"]


def exported_claims(project) -> list[tuple]:
    """Every submitted claim of the project's JSONL export, without ids (which differ between projects)."""
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


def export_file(project, tool: str) -> tuple[str, bytes]:
    chunks, _, name = export_stream(project=project, format=tool, filters=ExportFilters())
    return name, b"".join(chunks)


@pytest.mark.parametrize("tool", [t for t in TOOLS if t in FORMATS])
def test_an_export_imported_into_a_copy_of_the_project_gives_the_same_claims(annotated, tool):
    name, data = export_file(annotated.project, tool)
    copy = project_create(name="Copy", slug=f"copy-{tool}")
    for membership in Membership.objects.filter(project=annotated.project):
        Membership.objects.create(project=copy, user=membership.user, role=membership.role)
    summary = annotations_import(project=copy, files=[(name, data)])
    assert summary.written and summary.errors == [] and summary.users_created == []
    assert summary.claims == len(annotated.submitted)
    assert exported_claims(copy) == exported_claims(annotated.project)


@pytest.mark.parametrize("tool", [t for t in TOOLS if t in FORMATS])
def test_an_export_imported_back_into_its_own_project_adds_nothing(annotated, tool):
    name, data = export_file(annotated.project, tool)
    before = (Document.objects.count(), Assignment.objects.count(), Claim.objects.count())
    progress = Assignment.objects.filter(annotator__username="ann1", status="submitted").count()
    summary = annotations_import(project=annotated.project, files=[(name, data)])
    assert summary.written and summary.errors == []
    assert (summary.new_documents, summary.claims) == (0, 0)
    assert (Document.objects.count(), Assignment.objects.count(), Claim.objects.count()) == before
    assert Assignment.objects.filter(annotator__username="ann1", status="submitted").count() == progress
