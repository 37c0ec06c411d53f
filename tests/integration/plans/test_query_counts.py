"""Every page and list sends as many queries for a project of 60 passages as for one of 600."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annotator.corpus.models import Membership, Role
from annotator.review.scoring import project_scores_refresh
from tests.integration.exports.volume import build_volume_project
from tests.integration.plans.pages import pages

pytestmark = pytest.mark.django_db


def query_counts(slug: str, claims: int) -> list[tuple[str, int]]:
    project = build_volume_project(slug=slug, claims=claims, annotators=10, claims_per_assignment=2)
    project_scores_refresh(project=project)
    reviewer = get_user_model().objects.create_user(f"{slug}-rev", password="x")
    Membership.objects.create(project=project, user=reviewer, role=Role.REVIEWER)
    annotator = Membership.objects.filter(project=project, role=Role.ANNOTATOR).first().user
    clients = {"reviewer": Client(), "annotator": Client()}
    clients["reviewer"].force_login(reviewer)
    clients["annotator"].force_login(annotator)
    counts = []
    for role, url in pages(project, annotator):
        clients[role].get(url)  # a first visit may build what later ones read
        with CaptureQueriesContext(connection) as captured:
            assert clients[role].get(url).status_code in (200, 204, 302), url
        counts.append((f"{role} {url}", len(captured)))
    return counts


def test_every_page_costs_the_same_queries_at_60_and_600_passages():
    if connection.vendor != "postgresql":
        pytest.skip("the volume builder writes with PostgreSQL's COPY")
    small = query_counts("small", 1_200)
    large = query_counts("large", 12_000)
    assert len(small) == len(large) >= 20
    grew = [(page, few, many) for (page, few), (_, many) in zip(small, large, strict=True) if few != many]
    assert grew == []
