"""The agreement runs API: who sees which runs, asking for one, the latest results, progress."""

import pytest
from rest_framework.test import APIClient

from annotator.agreement.models import AgreementRun, RunStatus
from annotator.agreement.services import agreement_run_execute, agreement_run_request
from annotator.corpus.services import project_create

pytestmark = pytest.mark.django_db

RUNS = "/api/v1/agreement-runs/"


@pytest.fixture
def as_user(members):
    def client(name: str) -> APIClient:
        api = APIClient()
        api.force_authenticate(members[name])
        return api

    return client


@pytest.fixture
def finished(small):
    run = agreement_run_request(project=small, parameters={"n_boot": 25}, enqueue=False)
    return agreement_run_execute(run_id=run.pk)


@pytest.mark.parametrize("name", ["res", "rev", "man"])
def test_researchers_reviewers_and_managers_read_runs_and_results(small, finished, as_user, name):
    listing = as_user(name).get(RUNS, {"project": small.pk})
    assert listing.status_code == 200
    assert [run["id"] for run in listing.json()["results"]] == [finished.pk]
    assert "results" not in listing.json()["results"][0]  # lists stay small
    detail = as_user(name).get(f"{RUNS}{finished.pk}/")
    assert detail.status_code == 200 and detail.json()["results"] == finished.results
    assert detail.json()["status"] == "succeeded" and detail.json()["progress"] == 100


@pytest.mark.parametrize("name", ["ann1", "outsider"])
def test_annotators_and_outsiders_find_no_runs(small, finished, as_user, name):
    api = as_user(name)
    assert api.get(RUNS, {"project": small.pk}).status_code == 404
    assert api.get(f"{RUNS}{finished.pk}/").status_code == 404
    assert api.get(f"{RUNS}{finished.pk}/progress/").status_code == 404
    assert api.get(f"{RUNS}latest/", {"project": small.pk}).status_code == 404
    assert api.post(RUNS, {"project": small.pk}, format="json").status_code == 404
    assert AgreementRun.objects.count() == 1


def test_anonymous_requests_are_refused(small, finished):
    assert APIClient().get(RUNS, {"project": small.pk}).status_code in (401, 403)


def test_a_run_of_another_project_is_not_found(small, finished, make_user, as_user):
    other = project_create(name="Other", slug="other")
    other_run = AgreementRun.objects.create(project=other)
    assert as_user("res").get(f"{RUNS}{other_run.pk}/").status_code == 404
    assert as_user("res").get(RUNS, {"project": other.pk}).status_code == 404


def test_posting_asks_for_a_coalesced_run(small, as_user, django_capture_on_commit_callbacks):
    api = as_user("res")
    with django_capture_on_commit_callbacks(execute=False) as sent:
        first = api.post(RUNS, {"project": small.pk, "parameters": {"n_boot": 40}}, format="json")
        second = api.post(RUNS, {"project": small.pk}, format="json")
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"] and first.json()["status"] == "queued"
    assert first.json()["requested_by"] == "res" and first.json()["parameters"] == {"n_boot": 40, "seed": 0}
    assert len(sent) == 2  # each explicit request sends a message; only one worker can claim the run
    assert AgreementRun.objects.filter(project=small, status=RunStatus.QUEUED).count() == 1


def test_bad_parameters_get_field_messages(small, as_user):
    response = as_user("man").post(RUNS, {"project": small.pk, "parameters": {"n_boot": -5}}, format="json")
    assert response.status_code == 400 and "n_boot" in response.json()
    assert as_user("man").post(RUNS, {}, format="json").status_code == 400


def test_latest_returns_the_newest_succeeded_run_with_results(small, finished, as_user):
    AgreementRun.objects.create(project=small)  # queued, newer, without results
    latest = as_user("rev").get(f"{RUNS}latest/", {"project": small.pk})
    assert latest.status_code == 200 and latest.json()["id"] == finished.pk
    report = latest.json()["results"]["report"]
    assert report["span"]["overlap_f1"]["value"] == finished.results["report"]["span"]["overlap_f1"]["value"]


def test_latest_is_404_until_a_run_has_finished(small, as_user):
    assert as_user("res").get(f"{RUNS}latest/", {"project": small.pk}).status_code == 404


def test_progress_is_small(small, as_user):
    run = AgreementRun.objects.create(
        project=small, status=RunStatus.RUNNING, progress=40, stage="span agreement"
    )
    body = as_user("res").get(f"{RUNS}{run.pk}/progress/").json()
    assert body == {"id": run.pk, "status": "running", "progress": 40, "stage": "span agreement", "error": "",
                    "finished_at": None}  # fmt: skip


def test_the_list_runs_a_fixed_number_of_queries(small, finished, as_user, django_assert_max_num_queries):
    for _ in range(5):
        agreement_run_execute(run_id=agreement_run_request(project=small, enqueue=False).pk)
    with django_assert_max_num_queries(8):
        assert len(as_user("res").get(RUNS, {"project": small.pk}).json()["results"]) == 6
