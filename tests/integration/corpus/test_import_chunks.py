"""Imports written a chunk at a time: dedup and offsets across chunks, all or nothing, flat query counts."""

import json
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from annotator.corpus.article_jobs import article_import_execute
from annotator.corpus.models import ArticleImportJob, Document, JobStatus, Passage
from annotator.corpus.readers import ArticleRecord, ReadError, read_articles
from annotator.corpus.services import documents_import
from tests.integration.corpus.test_import import assert_offsets_exact

pytestmark = pytest.mark.django_db


def article(n: int, paragraphs: int = 2) -> ArticleRecord:
    body = "\n".join(f"Paragraph {p} of article {n} says a thing." for p in range(paragraphs))
    text = f"Article {n}\n{body}\nSign up for our newsletter"
    return ArticleRecord(title=f"Article {n}", text=text)


def test_dedup_and_offsets_hold_across_chunks(project):
    documents_import(project=project, records=[article(4)])  # already stored before the import
    records = [article(1), article(2), article(1), article(3), article(4), article(5), article(2)]
    summary = documents_import(project=project, records=iter(records), chunk_size=2)
    # 1, 2, 3, 5 are new; the second 1 (next chunk), 4 (stored) and the second 2 (two chunks on) are skipped.
    assert (summary.documents, summary.skipped_duplicates) == (4, 3)
    assert (summary.passages, summary.furniture) == (8, 4)
    titles = list(Document.objects.filter(project=project).order_by("id").values_list("title", flat=True))
    assert titles == ["Article 4", "Article 1", "Article 2", "Article 3", "Article 5"]
    for document in Document.objects.filter(project=project):
        assert_offsets_exact(document)
    assert Passage.objects.count() == 10


def test_a_bad_line_after_several_chunks_leaves_nothing_written(project):
    lines = [json.dumps({"text": f"Article {i}\nA body sentence number {i}."}) for i in range(7)]
    data = "\n".join([*lines, "{not json", lines[0]]).encode()
    with pytest.raises(ReadError, match="line 8"):
        documents_import(project=project, records=read_articles("a.jsonl", data), chunk_size=2)
    assert Document.objects.count() == Passage.objects.count() == 0


def test_a_write_failing_in_a_later_chunk_leaves_nothing_written(project):
    def records() -> Iterator[ArticleRecord]:
        yield from (article(n) for n in range(5))
        # The reader refuses such a url; a caller bypassing it meets the column's limit in chunk 3.
        yield ArticleRecord(title="Too long", text="Too long\nBody.", url="https://x.org/" + "a" * 1000)

    with pytest.raises(DataError):
        documents_import(project=project, records=records(), chunk_size=2)
    assert Document.objects.count() == Passage.objects.count() == 0


def test_an_import_checks_its_foreign_keys_per_row_and_leaves_the_callers_deferred(project):
    def orphan_passage() -> None:  # a passage of no document: its foreign key check is what tells
        Passage.objects.create(document_id=-1, position=0, start=0, end=1, text="x")

    with pytest.raises(IntegrityError), transaction.atomic():
        orphan_passage()  # the caller's own pending row: checked when the import turns the checks on
        documents_import(project=project, records=[article(1)])
    with transaction.atomic():
        documents_import(project=project, records=[article(2)])
        written = []
        with pytest.raises(IntegrityError), transaction.atomic():
            orphan_passage()  # deferred again after the import: no error until the checks run
            written.append(True)
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        assert written
    assert Document.objects.get(project=project).title == "Article 2"


def test_the_query_count_does_not_grow_with_the_number_of_documents(project):
    def count(first: int, n: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            summary = documents_import(project=project, records=[article(first + i, 3) for i in range(n)])
        assert summary.documents == n and summary.passages == 3 * n
        return len(queries)

    assert count(0, 2) == count(100, 60)


def test_the_document_import_endpoint_hands_a_large_file_to_a_job(project, members, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ARTICLE_IMPORT_JOB_BYTES = 100
    data = "\n".join(json.dumps({"text": f"Article {i}\nA body sentence number {i}."}) for i in range(5))
    client = APIClient()
    client.force_authenticate(members["man"])
    response = client.post(
        "/api/v1/documents/import/",
        {"project": project.pk, "file": SimpleUploadedFile("big.jsonl", data.encode())},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    assert response.json()["status"] == JobStatus.QUEUED and response.json()["file_names"] == ["big.jsonl"]
    assert response["Location"].endswith(f"/api/v1/article-imports/{job_id}/")
    assert Document.objects.count() == 0, "nothing is imported inside the request"
    article_import_execute(job_id=job_id)  # what the worker does
    progress = client.get(f"/api/v1/article-imports/{job_id}/").json()
    assert (progress["status"], progress["progress"]) == (JobStatus.SUCCEEDED, 100)
    assert progress["summary"]["documents"] == 5 == Document.objects.filter(project=project).count()
    assert ArticleImportJob.objects.get(pk=job_id).requested_by == members["man"]
