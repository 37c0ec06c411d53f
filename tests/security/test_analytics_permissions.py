"""Who says what rests on every annotator's labels: reviewers, researchers and managers see it; for
annotators and non-members the pages and the API answer 404, for the anonymous a login."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.integration.analytics.builders import build_who_says_what

pytestmark = pytest.mark.django_db

PAGES = [
    "/projects/summits/who-says-what/",
    "/projects/summits/who-says-what/?by=document",
    "/projects/summits/who-says-what/compare/?a=Wire+A&b=",
    "/projects/summits/who-says-what/claims/?perspective=chinese",
]
API = [
    "/api/v1/projects/summits/who-says-what/",
    "/api/v1/projects/summits/who-says-what/?format=csv",
    "/api/v1/projects/summits/who-says-what/claims/",
]


@pytest.fixture
def built(project, members):
    return build_who_says_what(project, members)


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("who", ["rev", "res", "man"])
def test_reviewers_researchers_and_managers_see_the_figures(members, built, who):
    for url in PAGES:
        assert page_client(members[who]).get(url).status_code == 200, url
    for url in API:
        assert api_client(members[who]).get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["ann1", "outsider"])
def test_annotators_and_outsiders_get_404_everywhere(members, built, who):
    for url in PAGES:
        response = page_client(members[who]).get(url)
        assert response.status_code == 404, url
        assert b"Sun Weidong" not in response.content
    for url in API:
        response = api_client(members[who]).get(url)
        assert response.status_code == 404, url
        assert b"Sun Weidong" not in response.content


def test_the_anonymous_are_sent_to_log_in(built):
    for url in PAGES:
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    for url in API:
        assert APIClient().get(url).status_code in (401, 403), url


def test_an_unknown_project_is_404_like_a_foreign_one(members, built):
    assert page_client(members["res"]).get("/projects/nope/who-says-what/").status_code == 404
    assert api_client(members["res"]).get("/api/v1/projects/nope/who-says-what/").status_code == 404


def test_the_project_page_links_the_figures_only_for_roles_that_see_them(members, built):
    for who, linked in [("res", True), ("rev", True), ("man", True), ("ann1", False)]:
        html = page_client(members[who]).get("/projects/summits/").content.decode()
        assert ('href="/projects/summits/who-says-what/"' in html) is linked, who
