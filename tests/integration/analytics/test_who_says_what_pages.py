"""The who-says-what pages: the report, the compare view and the claims behind a figure."""

import re
from html import unescape

import pytest
from django.test import Client

from tests.integration.analytics.builders import add_agreed_articles

PAGE = "/projects/summits/who-says-what/"


@pytest.fixture
def researcher(members) -> Client:
    client = Client()
    client.force_login(members["res"])
    return client


def links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'<a href="([^"]+)"', html)]


def test_the_page_draws_the_three_charts_and_states_the_definition(researcher, built):
    response = researcher.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    for chart in ("chart-bars", "chart-voice", "chart-heatmap"):
        assert f'id="{chart}"' in html
    assert html.count("<desc>") == 3
    assert "more than half" in html
    assert "1 adjudicated, 3 with two or more submissions, 1 pending (of 5)" in " ".join(html.split())
    chart_links = [h for h in links(html) if "/who-says-what/claims/" in h]
    assert "/projects/summits/who-says-what/claims/?outlet=Wire+A&perspective=chinese" in chart_links
    assert "/projects/summits/who-says-what/claims/?perspective=us_western&attribution=direct" in chart_links
    assert "/projects/summits/who-says-what/claims/?voice=author&perspective=neutral_mixed" in chart_links


def test_every_chart_link_leads_to_as_many_claims_as_it_counts(researcher, built):
    html = researcher.get(PAGE).content.decode()
    # Each linked segment's tooltip says how many claims it counts; the list behind it shows them.
    pairs = re.findall(r'<a href="([^"]+)"><title>[^<]*?: (\d+) claims', html)
    assert len(pairs) >= 10
    for href, count in pairs:
        listed = researcher.get(unescape(href)).content.decode()
        assert listed.count('class="card wsw-claim"') == int(count), href


def test_the_page_runs_the_same_queries_whatever_the_project_size(
    researcher, built, project, django_assert_num_queries
):
    with django_assert_num_queries(7):
        assert researcher.get(PAGE).status_code == 200
    add_agreed_articles(project, 4)
    with django_assert_num_queries(7):
        response = researcher.get(PAGE)
    assert "Wire 3" in response.content.decode()
    with django_assert_num_queries(7):
        assert researcher.get(PAGE, {"by": "document"}).status_code == 200
    with django_assert_num_queries(6):
        assert researcher.get(PAGE + "claims/", {"perspective": "chinese"}).status_code == 200


def test_compare_shows_two_outlets_side_by_side(researcher, built):
    response = researcher.get(PAGE + "compare/", {"a": "Wire A", "b": ""})
    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    assert "Wire A and (no outlet), side by side" in html
    shares = html[html.index('id="wsw-shares"') :]
    assert '<td>Chinese</td><td class="num">2 (50%)</td><td class="num">0 (0%)</td>' in shares
    assert 'id="a-chart-bars"' in html and 'id="b-chart-bars"' in html
    # Links in a panel keep that panel's outlet.
    assert (
        "/projects/summits/who-says-what/claims/?outlet=&perspective=neutral_mixed&attribution=authorial"
        in links(response.content.decode())
    )


def test_compare_two_documents(researcher, built):
    a, b = (built[k][0].document_id for k in ("a", "b"))
    response = researcher.get(PAGE + "compare/", {"by": "document", "a": a, "b": b})
    assert response.status_code == 200
    assert "Report A and Report B, side by side" in response.content.decode()


def test_the_claims_page_marks_the_claim_in_its_passage(researcher, built):
    response = researcher.get(PAGE + "claims/", {"outlet": "Wire A", "stance": "favor"})
    html = response.content.decode()
    assert html.count('class="card wsw-claim"') == 1
    assert "<mark>Sun Weidong said both states have normal needs for exchanges</mark>" in html
    assert "majority: 2 of 3 annotators" in html


def test_bad_parameters_are_a_400_naming_them(researcher, built):
    for url, params, name in [
        (PAGE, {"by": "speaker"}, "by"),
        (PAGE + "claims/", {"voice": "loud"}, "voice"),
        (PAGE + "compare/", {"a": "Wire A"}, "b"),
    ]:
        response = researcher.get(url, params)
        assert response.status_code == 400, url
        assert f"<code>{name}</code>" in response.content.decode()


def test_hostile_outlet_and_speaker_names_are_escaped(researcher, built, project):
    from annotator.corpus.models import Document, Speaker

    Document.objects.filter(project=project, source="Wire A").update(source='<script>alert("o")</script>')
    Speaker.objects.filter(project=project, name="Sun Weidong").update(name='<img src=x onerror="alert(1)">')
    html = researcher.get(PAGE).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    listed = researcher.get(PAGE + "claims/", {"stance": "favor"}).content.decode()
    assert "<img src=x" not in listed and "&lt;img src=x onerror=" in listed


def test_the_page_says_when_its_figures_are_being_recounted(researcher, built, project):
    from annotator.analytics.services import consensus_mark_stale

    assert "Counted from the labels as of" in researcher.get(PAGE).content.decode()
    consensus_mark_stale(project_id=project.pk)
    assert "Being recounted after recent changes" in researcher.get(PAGE).content.decode()
