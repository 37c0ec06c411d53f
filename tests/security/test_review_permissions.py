"""Review is for reviewers and managers: everyone else finds no such project or passage (404).

Every page and endpoint of review, for every role: annotator, reviewer, researcher, manager, a user who
is not a member, and an anonymous visitor; writes by the refused leave nothing behind.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from annotator.corpus.models import Role, Speaker
from annotator.corpus.services import membership_set, project_create
from annotator.review.models import Adjudication
from tests.integration.review.builders import ANXIOUS, span_of, speaker, three_way_disagreement

pytestmark = pytest.mark.django_db

ALLOWED = {"rev", "man"}
ROLES = ["ann1", "rev", "res", "man", "outsider", "anonymous"]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def disputed(project, members, seeded):
    passage, _ = three_way_disagreement(project)
    return passage


def web_client(client, members, who):
    if who != "anonymous":
        client.force_login(members[who])
    return client


def api_client(members, who):
    client = APIClient()
    if who != "anonymous":
        client.force_authenticate(members[who])
    return client


def gold(passage):
    start, end = span_of(passage, ANXIOUS)
    fields = {"attribution": "indirect", "perspective": "us_western", "stance": "neutral"}
    return {"version": 0, "note": "", "claims": [{"start": start, "end": end, **fields}]}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("page", ["review-queue", "review-next", "review-passage", "speakers-curate"])
def test_review_pages(client, project, members, disputed, who, page):
    args = [project.slug, disputed.pk] if page == "review-passage" else [project.slug]
    response = web_client(client, members, who).get(reverse(page, args=args))
    if who == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    elif who in ALLOWED:
        assert response.status_code == (302 if page == "review-next" else 200)
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("who", ROLES)
def test_merging_speakers_through_the_page(client, project, members, disputed, who):
    keep, duplicate = speaker(project, "Antony Blinken"), speaker(project, "Blinken")
    response = web_client(client, members, who).post(
        reverse("speakers-curate", args=[project.slug]),
        {"canonical": keep.pk, "duplicates": [duplicate.pk], "confirmed": "1"},
    )
    merged = not Speaker.objects.filter(pk=duplicate.pk).exists()
    if who in ALLOWED:
        assert response.status_code == 302 and merged
    else:
        assert response.status_code == (302 if who == "anonymous" else 404) and not merged


def api_call(client, name, project, passage, members):
    keep, duplicate = speaker(project, "Antony Blinken"), speaker(project, "Blinken")
    calls = {
        "queue": lambda: client.get("/api/v1/review-queue/", {"project": project.pk}),
        "passage": lambda: client.get(f"/api/v1/review-passages/{passage.pk}/"),
        "adjudication": lambda: client.get(f"/api/v1/review-passages/{passage.pk}/adjudication/"),
        "save": lambda: client.put(
            f"/api/v1/review-passages/{passage.pk}/adjudication/", gold(passage), format="json"
        ),
        "speakers": lambda: client.get("/api/v1/speaker-curation/", {"project": project.pk}),
        "merge": lambda: client.post(
            "/api/v1/speaker-curation/merge/",
            {"project": project.pk, "canonical": keep.pk, "duplicates": [duplicate.pk]},
            format="json",
        ),
    }
    return calls[name]()


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("endpoint", ["queue", "passage", "adjudication", "save", "speakers", "merge"])
def test_review_api(project, members, disputed, who, endpoint):
    response = api_call(api_client(members, who), endpoint, project, disputed, members)
    if who == "anonymous":
        assert response.status_code in (401, 403)
    elif who in ALLOWED:
        assert response.status_code == (201 if endpoint == "save" else 200), response.content
    else:
        assert response.status_code == 404
    if who not in ALLOWED:
        assert not Adjudication.objects.exists()
        assert Speaker.objects.filter(project=project, name="Blinken").exists()


def test_a_reviewer_of_another_project_finds_nothing_here(project, members, disputed, make_user):
    other = project_create(name="Other", slug="other")
    stranger = make_user("other-reviewer")
    membership_set(project=other, user=stranger, role=Role.REVIEWER)
    client = APIClient()
    client.force_authenticate(stranger)
    assert client.get(f"/api/v1/review-passages/{disputed.pk}/").status_code == 404
    assert (
        client.put(
            f"/api/v1/review-passages/{disputed.pk}/adjudication/", gold(disputed), format="json"
        ).status_code
        == 404
    )
    assert client.get("/api/v1/review-queue/", {"project": project.pk}).status_code == 404
    keep = speaker(project, "Antony Blinken")
    merge = client.post(
        "/api/v1/speaker-curation/merge/",
        {"project": other.pk, "canonical": keep.pk, "duplicates": [speaker(project, "Blinken").pk]},
        format="json",
    )
    assert merge.status_code == 400  # his own project, but the speakers are not in it
    assert not Adjudication.objects.exists() and Speaker.objects.filter(name="Blinken").exists()


def test_a_passage_id_of_another_project_is_404_on_the_page(client, project, members, disputed):
    other = project_create(name="Other", slug="other")
    membership_set(project=other, user=members["rev"], role=Role.REVIEWER)
    client.force_login(members["rev"])
    assert client.get(reverse("review-passage", args=[other.slug, disputed.pk])).status_code == 404


def test_superusers_review_every_project(project, members, disputed, make_user):
    client = APIClient()
    client.force_authenticate(make_user("root", is_superuser=True, is_staff=True))
    assert client.get(f"/api/v1/review-passages/{disputed.pk}/").status_code == 200
