"""The "My passages" page: the annotator's own passages, filtered like the API, linking to the editor."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import
from annotator.labeling.assignment_services import assignment_flag, assignments_distribute
from annotator.labeling.models import Assignment
from annotator.web.views import navigator

pytestmark = pytest.mark.django_db

URL = "/projects/summits/my-passages/"


def test_the_page_lists_the_annotators_passages_numbered_from_1_with_editor_links(
    client, members, assignment_of
):
    assignment_flag(assignment=assignment_of("ann1", 1), reason="bad_segmentation", note="Two in one.")
    client.force_login(members["ann1"])
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<h1") == 1
    assert "Summit watch · ¶ 1" in page and "Summit watch · ¶ 3" in page
    assert "¶ 0" not in page
    assert f'href="/projects/summits/annotate/{assignment_of("ann1", 1).pk}/"' in page
    assert f"/annotate/{assignment_of('ann2', 1).pk}/" not in page
    assert "Bad segmentation" in page and "Two in one." in page
    for control in ("filter-status", "filter-flagged", "filter-document", "filter-q"):
        assert f'<label for="{control}">' in page


def test_the_filters_narrow_the_table(client, members, assignment_of):
    assignment_flag(assignment=assignment_of("ann1", 2), reason="unclear", note="")
    client.force_login(members["ann1"])
    flagged = client.get(URL, {"flagged": "true"}).content.decode()
    assert "¶ 3" in flagged and "¶ 1<" not in flagged
    found = client.get(URL, {"q": "wang junsheng"}).content.decode()
    assert "¶ 2" in found and "¶ 3" not in found
    assert "No passages match" in client.get(URL, {"status": "submitted"}).content.decode()


def test_the_time_on_task_is_shown_for_people(client, members, assignment_of):
    assignment = assignment_of("ann1", 0)
    type(assignment).objects.filter(pk=assignment.pk).update(active_seconds=200)
    client.force_login(members["ann1"])
    assert "3 min 20 s" in client.get(URL).content.decode()


@pytest.mark.parametrize("who", ["rev", "outsider"])
def test_members_without_passages_and_outsiders_get_404(client, members, assigned, who):
    client.force_login(members[who])
    assert client.get(URL).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, assigned):
    assert client.get(URL).status_code == 302


def queries_for(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"flagged": "false", "q": "e"})
    assert response.status_code == 200
    return len(captured)


def test_the_page_costs_the_same_with_3_or_13_passages(client, members, assigned):
    client.force_login(members["ann1"])
    client.get(URL)  # warm the session
    few = queries_for(client)
    records = [ArticleRecord(title=f"Extra {i}", text=f"Extra {i}\n\nA part {i}.\n") for i in range(10)]
    documents_import(project=assigned, records=records)
    assignments_distribute(project=assigned)
    many = queries_for(client)
    assert few == many <= 8
    assert "13 passages" in client.get(URL).content.decode()


def test_the_pages_follow_by_key_to_the_last_one(client, members, assigned, monkeypatch):
    monkeypatch.setattr(navigator, "PAGE_SIZE", 5)
    records = [ArticleRecord(title=f"Extra {i}", text=f"Extra {i}\n\nA part {i}.\n") for i in range(10)]
    documents_import(project=assigned, records=records)
    assignments_distribute(project=assigned)
    client.force_login(members["ann1"])
    url, seen, pages = URL, [], 0
    while url:
        page = client.get(url).content.decode()
        assert pages == 0 or "← First page" in page
        seen += re.findall(r'data-assignment="(\d+)"', page)
        following = re.search(r'rel="next" href="([^"]+)"', page)
        url = URL + html.unescape(following.group(1)) if following else None
        pages += 1
    mine = Assignment.objects.filter(annotator=members["ann1"], project=assigned).order_by("passage_id")
    assert seen == [str(pk) for pk in mine.values_list("pk", flat=True)] and pages == 3
    empty = client.get(URL, {"q": "words in no passage"}).content.decode()
    assert "No passages match" in empty and 'rel="next"' not in empty
