"""A speaker written in Han characters and in Pinyin: proposed as duplicates, merged with aliases in both
scripts, counted as one by who says what, and found by a Chinese alias in the speaker search."""

import pytest
from rest_framework.test import APIClient

from annotator.corpus.models import Speaker
from annotator.corpus.speakers import speaker_merge, speakers_for_curation, suggested_merges
from tests.integration.analytics.builders import refresh
from tests.integration.review.builders import annotate, import_article, speaker

pytestmark = pytest.mark.django_db

WANG = "Sun Weidong said both states have normal needs for exchanges"
WHO_SAYS_WHAT = "/api/v1/projects/summits/who-says-what/"


@pytest.fixture
def wangs(project, members):
    """ann1 gives the claim to 王俊生, ann2 to "Wang Junsheng": the same scholar in two scripts."""
    han = speaker(project, "王俊生", aliases=["王"], affiliation="cn_scholar")
    latin = speaker(project, "Wang Junsheng", affiliation="cn_scholar")
    speaker(project, "Wang Yi", affiliation="cn_gov")  # another Wang: never proposed with them
    speaker(project, "王毅", affiliation="cn_gov")
    (passage,) = import_article(project, "Scholars", 1)
    said = {"phrase": WANG, "perspective": "chinese", "stance": "favor"}
    annotate(project, passage, {"ann1": [said | {"speaker": han}], "ann2": [said | {"speaker": latin}]})
    refresh(project)
    return han, latin


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def chinese_speakers(report: dict) -> list[tuple[int, dict]]:
    return [
        (row["distinct_speakers"], row["claims"])
        for row in report["speakers_per_group"]
        if row["perspective"] == "chinese"
    ]


def test_the_chinese_name_and_its_pinyin_are_proposed_merged_and_then_counted_as_one(project, members, wangs):
    han, latin = wangs
    groups = [
        {s.name for s in group} for group in suggested_merges(list(speakers_for_curation(project=project)))
    ]
    assert {"王俊生", "Wang Junsheng"} in groups
    assert {"Wang Yi", "王毅"} in groups
    assert not any({"王俊生", "Wang Yi"} <= group or {"王俊生", "王毅"} <= group for group in groups)

    before = client_for(members["res"]).get(WHO_SAYS_WHAT).json()
    assert before["claims"]["majority"] == 0  # two annotators, two speakers: no consensus
    assert chinese_speakers(before) == []

    group = next(g for g in suggested_merges(list(speakers_for_curation(project=project))) if latin in g)
    canonical, *duplicates = group
    assert canonical == latin  # the fuller name is kept
    merged = speaker_merge(
        project=project, canonical=canonical, duplicates=duplicates, merged_by=members["rev"]
    )
    refresh(project)

    assert merged.name == "Wang Junsheng"
    assert set(merged.aliases) == {"王俊生", "王"}  # both scripts stay
    assert not Speaker.objects.filter(pk=han.pk).exists()
    after = client_for(members["res"]).get(WHO_SAYS_WHAT).json()
    assert after["claims"]["majority"] == 1
    assert chinese_speakers(after) == [(1, {"gold": 0, "majority": 1})]


@pytest.mark.parametrize("query", ["王俊生", "俊生", "Wang Jun"])
def test_the_speaker_search_finds_a_speaker_by_an_alias_in_either_script(project, members, query):
    scholar = speaker(project, "Wang Junsheng", aliases=["王俊生"], affiliation="cn_scholar")
    speaker(project, "Antony Blinken", affiliation="us_gov")
    response = client_for(members["ann1"]).get("/api/v1/speakers/", {"project": project.pk, "q": query})
    assert response.status_code == 200
    found = response.json()
    rows = found["results"] if isinstance(found, dict) else found
    assert [row["id"] for row in rows] == [scholar.pk]
