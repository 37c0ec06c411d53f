"""The review pages: queue with counts and filters, next-passage redirect, passage page, speakers."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotator.corpus.models import Speaker
from annotator.labeling.models import Claim
from annotator.review.services import adjudication_save
from tests.integration.review.builders import annotate, import_article, speaker, three_way_disagreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(client, members):
    client.force_login(members["rev"])
    return client


def disagreeing(project, title, paragraphs):
    passages = import_article(project, title, paragraphs)
    for passage in passages:
        annotate(
            project,
            passage,
            {
                "ann1": [{"start": 0, "end": 9}],
                "ann2": [{"start": 0, "end": 9, "stance": "favor"}],
                "ann3": [{"start": 0, "end": 9}],
            },
        )
    return passages


def test_the_queue_page_shows_counts_filters_and_ranked_passages(reviewer, project, members):
    passages = disagreeing(project, "Report", 3)
    adjudication_save(passage=passages[0], reviewer=members["rev"], version=0, claims=[])
    page = reviewer.get(reverse("review-queue", args=[project.slug]))
    assert page.status_code == 200
    text = re.sub(r"\s+", " ", page.content.decode())
    assert "3 passages disagree, 1 adjudicated" in re.sub(r"<[^>]+>", "", text)
    links = re.findall(r'href="/projects/summits/review/passages/(\d+)/', text)
    assert [int(pk) for pk in links] == [passages[1].pk, passages[2].pk]
    done = reviewer.get(reverse("review-queue", args=[project.slug]), {"status": "adjudicated"})
    assert [int(pk) for pk in re.findall(r"review/passages/(\d+)/", done.content.decode())] == [
        passages[0].pk
    ]


def test_next_goes_to_the_top_open_passage_skipping_the_one_just_done(reviewer, project):
    passages = disagreeing(project, "Report", 2)
    url = reverse("review-next", args=[project.slug])
    first = reviewer.get(url)
    assert first.status_code == 302 and first.url.endswith(f"/review/passages/{passages[0].pk}/")
    assert reviewer.get(url, {"after": passages[0].pk}).url.endswith(f"/review/passages/{passages[1].pk}/")
    empty = reviewer.get(url, {"document": 999999})
    assert empty.url.startswith(reverse("review-queue", args=[project.slug]))


def test_the_passage_page_hands_its_data_to_the_script_escaped(reviewer, project, members, seeded):
    passage, _ = three_way_disagreement(project)
    hostile = speaker(project, "</script><script>alert(1)</script>")
    Claim.objects.filter(assignment__passage=passage).update(speaker=hostile)
    page = reviewer.get(reverse("review-passage", args=[project.slug, passage.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>alert(1)" not in html
    data = json.loads(
        re.search(r'<script id="review-data" type="application/json">(.*?)</script>', html, re.S)[1]
    )
    assert [a["username"] for a in data["annotators"]] == ["ann1", "ann2", "ann3"]
    assert hostile.name in {s["name"] for s in data["speakers"]}
    config = re.search(r'<script id="review-config" type="application/json">(.*?)</script>', html, re.S)[1]
    assert json.loads(config)["urls"]["save"] == f"/api/v1/review-passages/{passage.pk}/adjudication/"
    missing = reviewer.get(reverse("review-passage", args=[project.slug, 999999]))
    assert missing.status_code == 404


def test_the_speakers_page_merges_with_a_form(reviewer, project, members, seeded):
    three_way_disagreement(project)
    full, short = speaker(project, "Antony Blinken"), speaker(project, "Blinken")
    page = reviewer.get(reverse("speakers-curate", args=[project.slug]))
    assert page.status_code == 200 and b"Likely duplicates" in page.content
    preview = reviewer.post(
        reverse("speakers-curate", args=[project.slug]),
        {"canonical": full.pk, "duplicates": [short.pk, full.pk]},
    )
    assert b"Merge into Antony Blinken?" in preview.content and Speaker.objects.filter(pk=short.pk).exists()
    response = reviewer.post(
        reverse("speakers-curate", args=[project.slug]),
        {"canonical": full.pk, "duplicates": [short.pk, full.pk], "confirmed": "1"},
        follow=True,
    )
    assert b"Merged 1 speaker into Antony Blinken" in response.content
    assert not Speaker.objects.filter(pk=short.pk).exists()
    refused = reviewer.post(
        reverse("speakers-curate", args=[project.slug]), {"canonical": full.pk}, follow=True
    )
    assert b"Choose one speaker to keep" in refused.content


@pytest.mark.parametrize("page", ["review-queue", "review-passage", "speakers-curate"])
def test_each_page_runs_a_fixed_number_of_queries(reviewer, project, members, page):
    def args(passages):
        return [project.slug, passages[0].pk] if page == "review-passage" else [project.slug]

    few = disagreeing(project, "Few", 2)
    speaker(project, "Kurt Campbell")
    with CaptureQueriesContext(connection) as small:
        assert reviewer.get(reverse(page, args=args(few))).status_code == 200
    many = disagreeing(project, "Many", 12)
    for name in ["Antony Blinken", "Blinken", "Wang Junsheng", "Sun Weidong"]:
        speaker(project, name)
    for passage in many[:3]:
        adjudication_save(passage=passage, reviewer=members["rev"], version=0, claims=[])
    annotate(project, few[0], {"ann1": [{"start": 10, "end": 20}, {"start": 30, "end": 50}]})
    with CaptureQueriesContext(connection) as large:
        assert reviewer.get(reverse(page, args=args(few))).status_code == 200
    assert len(small) == len(large)


def test_a_project_of_many_documents_filters_the_queue_by_document_number(reviewer, project):
    from annotator.corpus.readers import ArticleRecord
    from annotator.corpus.services import documents_import

    documents_import(
        project=project,
        records=[
            ArticleRecord(title=f"Brief {n}", text=f"Brief {n}\n\nOnly paragraph {n}.") for n in range(201)
        ],
    )
    passages = disagreeing(project, "Long read", 2)
    page = reviewer.get(reverse("review-queue", args=[project.slug])).content.decode()
    assert '<select name="document">' not in page and 'type="number" name="document"' in page
    filtered = reviewer.get(
        reverse("review-queue", args=[project.slug]), {"document": passages[0].document_id, "status": "all"}
    ).content.decode()
    assert sorted(map(int, re.findall(r'data-passage="(\d+)"', filtered))) == sorted(p.pk for p in passages)
