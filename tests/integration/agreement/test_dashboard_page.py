"""The dashboard page on the server: who may open it, what it shows, that it escapes, its query count."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotator.agreement.models import AgreementRun, RunStatus
from annotator.agreement.services import agreement_run_execute, agreement_run_request
from annotator.corpus.models import Document, Speaker

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'


def finish(project, **parameters) -> AgreementRun:
    run = agreement_run_request(project=project, parameters=parameters or {"n_boot": 50}, enqueue=False)
    return agreement_run_execute(run_id=run.pk)


def open_page(client, user, project):
    client.force_login(user)
    return client.get(reverse("agreement-dashboard", args=[project.slug]))


@pytest.mark.parametrize("name", ["res", "rev", "man"])
def test_the_figures_of_the_last_run_are_on_the_page(client, small, members, name):
    run = finish(small)
    response = open_page(client, members[name], small)
    assert response.status_code == 200
    html = response.content.decode()
    position = run.results["report"]["span"]["position_alpha"]["value"]
    assert f"{position:.3f}" in html and f"Last run #{run.pk} finished" in html
    assert html.count("<svg") == 4 + 3 * 2  # pair heatmaps; per attribute bars and a matrix
    assert 'id="run-progress"' not in html


@pytest.mark.parametrize("name", ["ann1", "outsider"])
def test_annotators_and_outsiders_get_404(client, small, members, name):
    finish(small)
    assert open_page(client, members[name], small).status_code == 404
    client.force_login(members[name])
    assert client.post(reverse("agreement-dashboard", args=[small.slug])).status_code == 404
    assert AgreementRun.objects.count() == 1


def test_names_typed_by_people_are_escaped_in_tables_and_charts(client, small, members):
    get_user_model().objects.filter(pk=members["ann1"].pk).update(username=HOSTILE)
    Document.objects.filter(project=small).update(title=HOSTILE)
    for speaker in Speaker.objects.filter(project=small):
        Speaker.objects.filter(pk=speaker.pk).update(name=f"{HOSTILE} {speaker.pk}")
    finish(small)
    html = open_page(client, members["res"], small).content.decode()
    assert "<script>alert" not in html
    assert html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") > 10  # shown as text, many times


def test_a_pending_run_shows_progress_and_hands_the_poll_url_to_the_script(client, small, members):
    run = agreement_run_request(project=small, enqueue=False)
    AgreementRun.objects.filter(pk=run.pk).update(
        status=RunStatus.RUNNING, progress=40, stage="span agreement", attempts=1, heartbeat_at=timezone.now()
    )
    html = open_page(client, members["res"], small).content.decode()
    assert 'id="run-progress"' in html and "span agreement" in html and 'style="width: 40%"' in html
    assert f'"/api/v1/agreement-runs/{run.pk}/progress/"' in html and "dashboard.js" in html
    assert "No agreement run has finished yet." in html


def test_a_failed_run_shows_its_error(client, small, members):
    run = agreement_run_request(project=small, enqueue=False)
    AgreementRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED, attempts=4, error=f"boom {HOSTILE}"
    )
    html = open_page(client, members["res"], small).content.decode()
    assert 'id="run-failed"' in html and "boom &lt;script&gt;" in html


def test_run_now_requests_a_run_and_comes_back(client, small, members, django_capture_on_commit_callbacks):
    client.force_login(members["res"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("agreement-dashboard", args=[small.slug]))
    assert response.status_code == 302 and response["Location"].endswith("/agreement/")
    run = AgreementRun.objects.get(project=small)
    assert run.status == RunStatus.SUCCEEDED and run.requested_by == members["res"]


def test_the_page_runs_the_same_queries_however_many_runs_and_documents(
    client, small, members, django_assert_num_queries
):
    finish(small)
    client.force_login(members["res"])
    url = reverse("agreement-dashboard", args=[small.slug])
    client.get(url)  # warm up: session, user
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for n_boot in (10, 11, 12):
        finish(small, n_boot=n_boot)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


def test_each_annotator_row_shows_their_time_on_task_summed_over_their_assignments(client, small, members):
    from annotator.labeling.models import Assignment
    from annotator.labeling.time_on_task import assignment_time_add

    finish(small)
    own = list(Assignment.objects.filter(annotator=members["ann1"]).order_by("id")[:3])
    for assignment in own:
        for _ in range(10):  # the editor reports small increments
            assignment_time_add(assignment_id=assignment.pk, annotator=members["ann1"], seconds=7)
    response = open_page(client, members["res"], small)
    rows = [row for row in response.content.decode().split("<tr>") if 'class="num time-on-task"' in row]
    by_name = {name: row for row in rows for name in ("ann1", "ann2") if f"<td>{name}</td>" in row}
    assert '<td class="num time-on-task">3 min 30 s</td>' in by_name["ann1"]  # 3 × 10 × 7 s
    assert '<td class="num time-on-task">0 s</td>' in by_name["ann2"]
