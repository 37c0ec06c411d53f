"""The project page lists documents a page at a time, searchable, at a cost that does not grow."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.corpus.readers import ArticleRecord
from annotator.corpus.selectors import DOCUMENT_PAGE_SIZE, documents_page
from annotator.corpus.services import documents_import
from annotator.labeling.assignment_services import assignment_submit, assignments_distribute
from annotator.labeling.models import Assignment

pytestmark = pytest.mark.django_db


def add_documents(project, count: int, *, start: int = 0, source: str = "Wire") -> None:
    documents_import(
        project=project,
        records=[
            ArticleRecord(
                title=f"Report {n}", text=f"Report {n}\n\nFirst paragraph {n}.\n\nSecond {n}.", source=source
            )
            for n in range(start, start + count)
        ],
    )


def titles(page: str) -> list[str]:
    return re.findall(r'/documents/\d+/">([^<]+)</a>', page)


def test_documents_come_a_page_at_a_time_and_the_last_page_says_so(client, project, members):
    add_documents(project, DOCUMENT_PAGE_SIZE + 3)
    client.force_login(members["ann1"])
    first = client.get("/projects/summits/").content.decode()
    assert titles(first) == [f"Report {n}" for n in range(DOCUMENT_PAGE_SIZE)]
    following = re.search(r'rel="next" href="\?after=(\d+)"', first).group(1)
    second = client.get("/projects/summits/", {"after": following}).content.decode()
    assert titles(second) == [f"Report {n}" for n in range(DOCUMENT_PAGE_SIZE, DOCUMENT_PAGE_SIZE + 3)]
    assert 'rel="next"' not in second and "First page" in second
    assert titles(client.get("/projects/summits/", {"after": "junk"}).content.decode()) == titles(first)


def test_search_matches_title_or_outlet_and_escapes_what_was_typed(client, project, members):
    add_documents(project, 3)
    add_documents(project, 2, start=10, source="Global Times")
    client.force_login(members["rev"])
    assert titles(client.get("/projects/summits/", {"q": "global"}).content.decode()) == [
        "Report 10",
        "Report 11",
    ]
    assert titles(client.get("/projects/summits/", {"q": "report 1"}).content.decode()) == [
        "Report 1",
        "Report 10",
        "Report 11",
    ]
    hostile = client.get("/projects/summits/", {"q": "<script>x</script>"}).content.decode()
    assert titles(hostile) == [] and "<script>x</script>" not in hostile and "&lt;script&gt;" in hostile


def test_each_document_counts_its_passages_and_submitted_annotations(project, members):
    add_documents(project, 2)
    assignments_distribute(project=project)
    first = project.documents.order_by("id").first()
    for assignment in Assignment.objects.filter(passage__document=first).select_related(
        "passage__document__project"
    )[:4]:
        assignment_submit(assignment=assignment)
    counted = {d.pk: (d.passage_count, d.submitted) for d in documents_page(project=project).documents}
    assert counted[first.pk] == (2, 4)
    assert sorted(counted.values()) == [(2, 0), (2, 4)]


def test_the_page_costs_the_same_queries_for_three_documents_or_a_hundred(client, project, members):
    client.force_login(members["man"])
    add_documents(project, 3)
    assignments_distribute(project=project)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/projects/summits/").status_code == 200
    add_documents(project, 100, start=3)
    assignments_distribute(project=project)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/projects/summits/")
    assert len(titles(page.content.decode())) == DOCUMENT_PAGE_SIZE
    assert len(many) == len(few) > 0
