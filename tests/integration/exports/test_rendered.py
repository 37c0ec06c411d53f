"""JSON Lines and CSV rendered by PostgreSQL: the same bytes as the Python writers, in one query."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.corpus.models import Document, Speaker
from annotator.exports import formats, rendered
from annotator.exports.selectors import ExportFilters, passage_records
from annotator.exports.services import export_stream
from annotator.labeling.models import Assignment, Claim
from annotator.review.models import GoldClaim
from tests.integration.exports.volume import build_volume_project

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL renders these exports"),
]

WRITERS = {"jsonl": formats.jsonl, "csv": formats.csv_claims}
# Text that trips JSON escaping, line splitters and spreadsheets: quotes, commas, CR/LF, tab, a control
# character, the separators records.dumps escapes, a backslash, and the full-width formula starts.
NASTY = 'say "no", then\r\nleave\t\x01 \u2028 \u2029 \x85 back\\slash'


def python_bytes(project, name: str, filters: ExportFilters) -> bytes:
    records = passage_records(project=project, filters=filters)
    return b"".join(chunk.encode() for chunk in WRITERS[name](records))


def rendered_bytes(project, name: str, filters: ExportFilters) -> bytes:
    chunks = rendered.jsonl_chunks if name == "jsonl" else rendered.csv_chunks
    return b"".join(chunks(project=project, filters=filters))


def roughen(annotated) -> None:
    """Put hard cases into every kind of text the two formats carry."""
    project = annotated.project
    claims = Claim.objects.filter(project=project).order_by("id")
    first, second, third = claims[0], claims[1], claims[2]
    Claim.objects.filter(pk=first.pk).update(note=NASTY, target="\uff1dSUM(1)")
    Claim.objects.filter(pk=second.pk).update(note="", target="\uff0b1", confidence=5)
    Claim.objects.filter(pk=third.pk).update(note="\r leading CR", target="@@")
    Speaker.objects.filter(pk=annotated.speaker.pk).update(affiliation='-a,"b"', name="\t=tab")
    assignment = Assignment.objects.filter(project=project, status="submitted").order_by("id").first()
    Assignment.objects.filter(pk=assignment.pk).update(
        flag_reason="=unclear", flag_note=NASTY, active_seconds=42
    )
    document = Document.objects.filter(project=project).order_by("id").first()
    Document.objects.filter(pk=document.pk).update(
        title=f"+{NASTY}",
        url="https://example.org/a?b=1&c=2",
        published=datetime.date(999, 1, 5),
        meta={"score": 1.50, "tiny": 1e-7, "big": 10**20, "nested": {"z": [1, 2.0, None, True]}, "é": NASTY},
    )
    GoldClaim.objects.filter(adjudication__passage__document__project=project).update(note=NASTY)


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"source": "all"},
        {"source": "gold"},
        {"status": "all", "source": "all"},
        {"annotators": ("ann2",), "source": "all"},
        {"annotators": ("nobody",)},
    ],
)
def test_the_database_renders_the_bytes_the_python_writers_write(annotated, filters):
    roughen(annotated)
    chosen = ExportFilters(**filters)
    for name in WRITERS:
        expected = python_bytes(annotated.project, name, chosen)
        assert rendered_bytes(annotated.project, name, chosen) == expected, name
        assert expected.count(b"\n") > (name == "csv") or filters.get("annotators") == ("nobody",)


def test_documents_filter_and_export_stream_use_the_database_rendering(annotated):
    document = annotated.passages[-1].document_id
    chosen = ExportFilters(documents=(document,), source="all")
    for name in WRITERS:
        chunks, _, _ = export_stream(project=annotated.project, format=name, filters=chosen)
        assert b"".join(chunks) == python_bytes(annotated.project, name, chosen)


@pytest.mark.parametrize("name", ["jsonl", "csv"])
def test_an_export_runs_one_query_whatever_the_number_of_claims(name):
    queries = []
    for claims in (40, 400):
        project = build_volume_project(slug=f"volume-{name}-{claims}", claims=claims, passages_per_document=3)
        with CaptureQueriesContext(connection) as captured:
            chunks, _, _ = export_stream(project=project, format=name, filters=ExportFilters())
            lines = b"".join(chunks).count(b"\n")
        assert lines == (claims + 1 if name == "csv" else claims // 20)
        queries.append([query["sql"] for query in captured.captured_queries])
    assert len(queries[0]) == len(queries[1]) == 1  # the COPY; the selection is compiled, not run
    assert queries[0][0].startswith("COPY (")


def test_progress_counts_passages_and_claims_with_gold(annotated):
    everything = ExportFilters(source="all")
    for chunks in (rendered.csv_chunks, rendered.jsonl_chunks):
        reports: list[tuple[int, int]] = []
        report = reports.append
        list(chunks(project=annotated.project, filters=everything, progress=lambda *n, to=report: to(n)))
        # three passages: ann1's and ann2's seven submitted claims and one gold claim
        assert reports[-1] == (3, len(annotated.submitted) + 1)


@pytest.mark.django_db(transaction=True)  # as a view streams: in autocommit
def test_a_stream_closed_early_leaves_the_connection_usable():
    project = build_volume_project(slug="volume-closed", claims=5_000)
    chunks = rendered.csv_chunks(project=project, filters=ExportFilters())
    next(chunks)
    chunks.close()  # the client went away
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
