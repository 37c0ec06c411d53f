"""Saving a gold version: gold claims with their sources, replacing, conflicts and validation."""

import pytest
from django.core.exceptions import ValidationError

from annotator.errors import Conflict
from annotator.review.models import Adjudication, GoldClaim
from annotator.review.selectors import passage_review
from annotator.review.services import adjudication_save
from tests.integration.review.builders import ANXIOUS, TENSION, span_of, speaker, three_way_disagreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def disputed(project, members, seeded):
    return three_way_disagreement(project)


def gold(passage, phrase, *, sources=(), **fields):
    start, end = span_of(passage, phrase)
    return {
        "start": start,
        "end": end,
        "attribution": "indirect",
        "perspective": "us_western",
        "stance": "against",
        "target": "",
        "source_claim_ids": [c.pk for c in sources],
    } | fields


def test_saving_creates_the_adjudication_with_gold_claims_that_remember_their_sources(
    project, members, disputed
):
    passage, claims = disputed
    anxious = [claims[name][1] for name in ("ann1", "ann2", "ann3")]
    campbell = speaker(project, "Kurt Campbell")
    adjudication = adjudication_save(
        passage=passage,
        reviewer=members["rev"],
        version=0,
        claims=[gold(passage, ANXIOUS, sources=anxious, stance="neutral", speaker_id=campbell.pk)],
        note="ann3 read too much into 'anxious'",
    )
    assert (adjudication.version, adjudication.reviewer, adjudication.note) == (
        1,
        members["rev"],
        "ann3 read too much into 'anxious'",
    )
    (saved,) = GoldClaim.objects.filter(adjudication=adjudication)
    assert saved.text == ANXIOUS
    assert (saved.stance, saved.speaker_id, saved.target) == (
        "neutral",
        campbell.pk,
        project.schema["default_target"],
    )
    assert sorted(saved.source_claims.values_list("pk", flat=True)) == sorted(c.pk for c in anxious)


def test_saving_again_replaces_the_gold_claims_and_bumps_the_version(members, disputed):
    passage, claims = disputed
    adjudication_save(passage=passage, reviewer=members["rev"], version=0, claims=[gold(passage, ANXIOUS)])
    second = adjudication_save(
        passage=passage,
        reviewer=members["man"],
        version=1,
        claims=[gold(passage, TENSION, attribution="direct"), gold(passage, ANXIOUS, stance="neutral")],
        note="two claims",
    )
    assert second.version == 2 and second.reviewer == members["man"]
    assert Adjudication.objects.filter(passage=passage).count() == 1
    assert sorted(GoldClaim.objects.filter(adjudication=second).values_list("text", "stance")) == sorted(
        [(TENSION, "against"), (ANXIOUS, "neutral")]
    )


def test_a_second_reviewer_saving_an_older_state_gets_a_conflict_not_an_overwrite(members, disputed):
    passage, _ = disputed
    adjudication_save(passage=passage, reviewer=members["rev"], version=0, claims=[gold(passage, ANXIOUS)])
    adjudication_save(passage=passage, reviewer=members["rev"], version=1, claims=[gold(passage, TENSION)])
    with pytest.raises(Conflict) as conflict:
        adjudication_save(passage=passage, reviewer=members["man"], version=1, claims=[], note="stale")
    current = conflict.value.current
    assert current["version"] == 2 and current["reviewer"] == "rev"
    assert [c["text"] for c in current["claims"]] == [TENSION]
    assert list(GoldClaim.objects.values_list("text", flat=True)) == [TENSION]


def test_two_reviewers_starting_from_no_gold_cannot_both_create_it(members, disputed):
    passage, _ = disputed
    adjudication_save(passage=passage, reviewer=members["rev"], version=0, claims=[gold(passage, ANXIOUS)])
    with pytest.raises(Conflict) as conflict:
        adjudication_save(passage=passage, reviewer=members["man"], version=0, claims=[])
    assert conflict.value.current["version"] == 1
    assert GoldClaim.objects.count() == 1


def test_invalid_gold_claims_are_named_by_position_and_nothing_is_written(
    project, make_user, members, disputed
):
    passage, _ = disputed
    from annotator.corpus.services import project_create

    elsewhere = speaker(project_create(name="Other", slug="other"), "Someone")
    start, end = span_of(passage, ANXIOUS)
    bad = [
        gold(passage, ANXIOUS, stance="furious"),
        gold(passage, TENSION, attribution="authorial", speaker_id=speaker(project, "Kurt Campbell").pk),
        gold(passage, ANXIOUS, speaker_id=elsewhere.pk),
        {**gold(passage, ANXIOUS), "end": len(passage.text) + 5},
        {**gold(passage, ANXIOUS), "text": "not the passage"},
    ]
    with pytest.raises(ValidationError) as error:
        adjudication_save(passage=passage, reviewer=members["rev"], version=0, claims=bad)
    problems = error.value.message_dict
    assert set(problems) == {
        "claims[0].stance",
        "claims[1].speaker",
        "claims[2].speaker",
        "claims[3].end",
        "claims[4].text",
    }
    assert not Adjudication.objects.exists() and not GoldClaim.objects.exists()


def test_sources_must_be_submitted_claims_of_the_same_passage(project, members, disputed):
    passage, claims = disputed
    other_passage, other_claims = passage, None
    from tests.integration.review.builders import annotate

    neighbour = (
        type(passage)
        .objects.select_related("document__project")
        .get(document=passage.document, position=passage.position + 1)
    )
    other_claims = annotate(project, neighbour, {"ann1": [{"start": 0, "end": 5}]})
    with pytest.raises(ValidationError) as error:
        adjudication_save(
            passage=other_passage,
            reviewer=members["rev"],
            version=0,
            claims=[gold(passage, ANXIOUS, sources=[claims["ann1"][1], other_claims["ann1"][0]])],
        )
    assert set(error.value.message_dict) == {"claims[0].source_claim_ids"}


def test_the_same_gold_claim_twice_is_refused(members, disputed):
    passage, _ = disputed
    with pytest.raises(ValidationError) as error:
        adjudication_save(
            passage=passage, reviewer=members["rev"], version=0, claims=[gold(passage, ANXIOUS)] * 2
        )
    assert set(error.value.message_dict) == {"claims[1].start"}


def test_saved_gold_shows_on_the_review_page_in_the_rows_of_its_sources(project, members, disputed):
    passage, claims = disputed
    anxious = [claims[name][1] for name in ("ann1", "ann2", "ann3")]
    adjudication_save(
        passage=passage,
        reviewer=members["rev"],
        version=0,
        claims=[gold(passage, ANXIOUS, sources=anxious[2:], stance="against"), gold(passage, "Blinken told")],
    )
    review = passage_review(project=project, passage_id=passage.pk)
    assert review["gold_source"] == "adjudication" and review["version"] == 1
    anxious_row = next(row for row in review["rows"] if anxious[0].pk in row["cells"].values())
    assert anxious_row["gold"]["stance"] == "against"
    assert anxious_row["gold"]["source_claim_ids"] == [anxious[2].pk]
    gold_only = [row for row in review["rows"] if not row["cells"]]
    assert [row["gold"]["text"] for row in gold_only] == ["Blinken told"]
