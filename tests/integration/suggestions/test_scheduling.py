"""Every way articles arrive queues their suggestions after the commit; a broker outage never fails an import.

Without a broker (tests, the demo) the task runs in-process when the import commits; with Redis a real
Celery worker process computes them.
"""

import json
import logging
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator.corpus.article_uploads import articles_import_now
from annotator.corpus.importing import import_path
from annotator.corpus.models import Document
from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import
from annotator.exports.importing import annotations_import
from annotator.suggestions.models import Suggestion
from tests.integration.agreement.broker import on_broker
from tests.integration.agreement.test_worker import (  # noqa: F401  (fixtures)
    on_redis,
    queue,
    start_worker,
    wait_for,
)
from tests.integration.suggestions.builders import ARTICLE

REPO = Path(__file__).resolve().parents[3]
SEEDS = sorted((REPO / "seeds").glob("*.txt"))


@pytest.mark.django_db
def test_nothing_is_computed_before_the_import_commits(project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        documents_import(project=project, records=[ArticleRecord(title="Summit talk", text=ARTICLE)])
        assert not Suggestion.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()
    assert Suggestion.objects.filter(passage__document__project=project).count() >= 4


@pytest.mark.django_db
def test_importing_files_from_disk_computes_their_suggestions(project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for path in SEEDS:
            import_path(project=project, path=path)
    for document in Document.objects.filter(project=project):
        assert Suggestion.objects.filter(passage__document=document).exists(), document.title
    # Importing the same files again adds no documents, so nothing is queued and nothing changes.
    before = list(Suggestion.objects.order_by("id").values_list("id", "text"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_path(project=project, path=SEEDS[0])
    assert callbacks == [] and list(Suggestion.objects.order_by("id").values_list("id", "text")) == before


@pytest.mark.django_db
def test_an_upload_from_the_page_computes_the_suggestions_of_its_good_files(
    project, django_capture_on_commit_callbacks
):
    files = [
        SimpleUploadedFile("talk.txt", ARTICLE.encode()),
        SimpleUploadedFile("broken.jsonl", b'{"text": "unterminated'),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        summary = articles_import_now(project=project, files=files)
    assert summary.totals()["documents"] == 1 and summary.totals()["failed_files"] == 1
    assert Suggestion.objects.filter(text__startswith="We will deepen").exists()


@pytest.mark.django_db
def test_a_foreign_record_that_becomes_a_new_document_gets_suggestions(
    project, members, django_capture_on_commit_callbacks
):
    text = "“We will deepen our partnership in every field,” Wang Junsheng said at the briefing in Beijing."
    record = {"text": text, "label": [[0, 5, "CN"]]}
    with django_capture_on_commit_callbacks(execute=True):
        summary = annotations_import(
            project=project,
            format="doccano",
            files=[("alice.jsonl", json.dumps(record).encode())],
            label_map={"CN": "chinese"},
            create_users=True,
        )
    assert summary.written and summary.new_documents == 1
    quote = Suggestion.objects.get(passage__document__project=project, attribution="direct")
    assert (
        quote.text == "We will deepen our partnership in every field"
        and quote.speaker_name == "Wang Junsheng"
    )


@pytest.mark.django_db
def test_an_unreachable_broker_is_logged_and_the_import_stands(
    project, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.ERROR, logger="annotator.suggestions.services")
    with on_broker("redis://127.0.0.1:9/0"), django_capture_on_commit_callbacks(execute=True):
        summary = documents_import(
            project=project, records=[ArticleRecord(title="Summit talk", text=ARTICLE)]
        )
    assert summary.documents == 1 and Document.objects.filter(project=project).count() == 1
    assert not Suggestion.objects.exists()
    assert "could not queue suggestions for 1 documents" in caplog.text


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_computes_the_suggestions_of_an_import(project, queue, start_worker):  # noqa: F811
    with on_redis(queue):
        documents_import(project=project, records=[ArticleRecord(title="Summit talk", text=ARTICLE)])
        assert not Suggestion.objects.exists()  # queued, not run here
        worker = start_worker()
        wait_for(
            lambda: Suggestion.objects.filter(passage__document__project=project).count() >= 4,
            timeout=60, what="the suggestions", logs=[worker],
        )  # fmt: skip
    assert "suggestions.suggestions_detect_documents" in Path(worker.log_path).read_text()
    assert Suggestion.objects.get(text__startswith="We will deepen").speaker_name == "Wang Junsheng"
