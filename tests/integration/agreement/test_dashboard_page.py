"""The dashboard page on the server: who may open it, what it shows, that it escapes, its query count."""

import pytest
from django.urls import reverse

from annotator.agreement.models import AgreementRun, RunStatus
from annotator.agreement.services import agreement_run_execute, agreement_run_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(small):
    run = agreement_run_request(project=small, parameters={"n_boot": 50}, enqueue=False)
    return agreement_run_execute(run_id=run.pk)


def page(client, user, project):
    client.force_login(user)
    return client.get(reverse("agreement-dashboard", args=[project.slug]))


def test_the_dashboard_shows_the_runs_figures(client, small, members, finished):
    response = page(client, members["res"], small)
    assert response.status_code == 200
    html = response.content.decode()
    open("/tmp/dash.html", "w").write(html)
