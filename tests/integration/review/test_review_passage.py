"""The side-by-side comparison of one passage: alignment, differences and the majority pre-fill."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.corpus.models import Passage
from annotator.review.selectors import passage_review
from tests.integration.review.builders import ANXIOUS, CONDEMNED, TENSION, annotate, three_way_disagreement

pytestmark = pytest.mark.django_db


def test_the_three_versions_are_aligned_with_their_differences_marked(project, members, seeded):
    passage, claims = three_way_disagreement(project)
    review = passage_review(project=project, passage_id=passage.pk)
    names = {a["id"]: a["username"] for a in review["annotators"]}
    assert list(names.values()) == ["ann1", "ann2", "ann3"]
    assert len(review["claims"]) == 7
    texts = {c["id"]: c["text"] for c in review["claims"]}
    rows = {texts[next(iter(row["cells"].values()))]: row for row in review["rows"]}
    assert list(rows) == [CONDEMNED, ANXIOUS, TENSION]  # in reading order
    differences = {
        text: {names[int(a)]: kinds for a, kinds in row["differences"].items()} for text, row in rows.items()
    }
    assert differences == {
        CONDEMNED: {},
        ANXIOUS: {"ann3": ["stance"]},
        TENSION: {"ann1": ["missing"], "ann2": ["missing"]},
    }
    assert review["difference_counts"] == {"missing": 2, "stance": 1}


def test_before_any_adjudication_the_gold_column_holds_the_majority(project, members, seeded):
    passage, claims = three_way_disagreement(project)
    review = passage_review(project=project, passage_id=passage.pk)
    assert review["gold_source"] == "majority" and review["version"] == 0 and review["adjudication"] is None
    condemned, anxious, tension = (row["gold"] for row in review["rows"])
    assert tension is None  # only ann3 marked it: no majority
    assert condemned["stance"] == "against" and condemned["speaker_id"] == claims["ann1"][0].speaker_id
    assert anxious["stance"] == "neutral"  # two of three said neutral
    assert (anxious["start"], anxious["end"]) == (claims["ann1"][1].start, claims["ann1"][1].end)
    assert anxious["source_claim_ids"] == sorted(claims[name][1].pk for name in ("ann1", "ann2", "ann3"))


def test_a_passage_of_another_project_is_not_found(project, members, seeded):
    from annotator.corpus.services import project_create

    other = project_create(name="Other", slug="other")
    passage = Passage.objects.filter(document__project=project).first()
    with pytest.raises(Passage.DoesNotExist):
        passage_review(project=other, passage_id=passage.pk)


def test_the_comparison_runs_the_same_number_of_queries_for_few_or_many_claims(project, members, seeded):
    passage, _ = three_way_disagreement(project)
    with CaptureQueriesContext(connection) as few:
        passage_review(project=project, passage_id=passage.pk)
    busy = Passage.objects.filter(document__project=project).exclude(pk=passage.pk).order_by("-end").first()
    words = [(i, i + 4) for i in range(0, min(len(busy.text), 400) - 4, 12)]
    annotate(
        project,
        busy,
        {
            name: [{"start": s, "end": e, "stance": stance} for s, e in words]
            for name, stance in [("ann1", "favor"), ("ann2", "against"), ("ann3", "favor")]
        },
    )
    with CaptureQueriesContext(connection) as many:
        review = passage_review(project=project, passage_id=busy.pk)
    assert len(review["claims"]) > 60
    assert len(many) == len(few)
