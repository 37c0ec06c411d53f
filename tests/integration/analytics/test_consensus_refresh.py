"""The stored counted claims follow the labels: the annotations_changed hook marks them stale and the
refresh task (in-process without a broker) rebuilds them."""

from annotator.analytics.models import ConsensusClaim, ConsensusState
from annotator.analytics.params import Scope
from annotator.analytics.selectors import consensus_state, who_says_what_report
from annotator.analytics.services import consensus_mark_stale, consensus_refresh
from annotator.labeling.assignment_services import assignment_submit
from annotator.labeling.models import Assignment
from annotator.labeling.services import claim_create
from tests.integration.analytics.builders import SUN, build_who_says_what


def test_a_submission_after_commit_rebuilds_the_counted_claims(
    project, members, django_capture_on_commit_callbacks
):
    built = build_who_says_what(project, members)
    before = ConsensusState.objects.get(pk=project.pk)
    assert before.current and ConsensusClaim.objects.filter(project=project).count() == 6
    # ann2 finishes A¶3 with the claim ann1 made there: two of two submitted agree, a new majority.
    assignment = Assignment.objects.select_related("passage__document__project").get(
        passage=built["a"][2], annotator=members["ann2"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assignment_submit(assignment=assignment)
    after = ConsensusState.objects.get(pk=project.pk)
    assert after.generation == before.generation + 1 and after.current
    assert (
        ConsensusClaim.objects.filter(project=project, passage=built["a"][2], basis="majority").count() == 1
    )


def test_a_stale_report_says_so_until_refreshed(project, members):
    built = build_who_says_what(project, members)
    consensus_mark_stale(project_id=project.pk)
    assignment = Assignment.objects.select_related("passage__document__project").get(
        passage=built["b"][1], annotator=members["ann1"]
    )
    start = assignment.passage.text.index(SUN)
    claim_create(assignment=assignment, start=start, end=start + len(SUN), speaker_id=None,
                 attribution="authorial", perspective="russian", stance="favor")  # fmt: skip
    stale = who_says_what_report(project=project, scope=Scope(), state=consensus_state(project=project))
    assert stale["freshness"]["current"] is False and "russian" not in stale["perspectives"]
    state = consensus_refresh(project_id=project.pk)
    fresh = who_says_what_report(project=project, scope=Scope(), state=state)
    assert fresh["freshness"]["current"] is True
    assert fresh["claims"] == {"gold": 2, "majority": 4}  # ann1 alone on B¶2: still no majority


def test_a_refresh_of_current_rows_changes_nothing(project, members):
    build_who_says_what(project, members)
    first = ConsensusState.objects.get(pk=project.pk)
    ids = sorted(ConsensusClaim.objects.filter(project=project).values_list("pk", flat=True))
    again = consensus_refresh(project_id=project.pk)
    assert again.refreshed_at == first.refreshed_at
    assert sorted(ConsensusClaim.objects.filter(project=project).values_list("pk", flat=True)) == ids


def test_a_speaker_merge_is_followed_at_the_next_visit(project, members, built):
    from annotator.analytics.services import consensus_ensure
    from annotator.corpus.speakers import speaker_merge
    from tests.integration.review.builders import speaker

    canonical = speaker(project, "Weidong Sun", affiliation="cn_gov", kind="person")
    speaker_merge(project=project, canonical=canonical, duplicates=[built["sun"]], merged_by=members["rev"])
    stale = who_says_what_report(project=project, scope=Scope(), state=consensus_state(project=project))
    assert "Chinese government · Government" not in {t["speaker_type"] for t in stale["speaker_types"]}
    state = consensus_ensure(project_id=project.pk)  # what each page and API request does first
    fresh = who_says_what_report(project=project, scope=Scope(), state=state)
    types = {(t["speaker_type"], t["perspective"]): t["claims"] for t in fresh["speaker_types"]}
    assert types[("Chinese government · Person", "chinese")] == {"gold": 0, "majority": 1}
    assert consensus_ensure(project_id=project.pk).refreshed_at == state.refreshed_at  # once, not every visit


def test_a_refresh_lost_with_the_broker_is_asked_for_again_by_a_later_visit(project, members, built):
    from datetime import timedelta

    from django.utils import timezone

    from annotator.analytics.services import RESEND_AFTER, consensus_ensure

    consensus_mark_stale(project_id=project.pk)  # as if the send after this change never reached a worker
    assert consensus_ensure(project_id=project.pk).current is False  # recent: the refresh may be on its way
    ConsensusState.objects.filter(pk=project.pk).update(
        changed_at=timezone.now() - RESEND_AFTER - timedelta(1)
    )
    consensus_ensure(project_id=project.pk)  # without a broker the task runs here
    assert ConsensusState.objects.get(pk=project.pk).current
