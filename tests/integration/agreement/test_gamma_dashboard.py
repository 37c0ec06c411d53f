"""γ on the agreement dashboard, from a real run stored in PostgreSQL."""

import pytest
from django.urls import reverse

from annotator.agreement.models import AgreementRun
from annotator.agreement.services import agreement_run_execute, agreement_run_request

pytestmark = pytest.mark.django_db

TITLE = "Claim units and perspectives (γ)"


def finish(project) -> AgreementRun:
    run = agreement_run_request(project=project, parameters={"n_boot": 20}, enqueue=False)
    return agreement_run_execute(run_id=run.pk)


def page(client, user, project) -> str:
    client.force_login(user)
    response = client.get(reverse("agreement-dashboard", args=[project.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_gamma_is_shown_beside_unitizing_alpha_with_its_definition(client, small, members):
    run = finish(small)
    section = run.results["report"]["span"]["gamma"]
    assert section["value"] is not None and section["passages"] > 0
    html = page(client, members["res"], small)
    spans = html[html.index('id="span-figures"') : html.index("</section>", html.index('id="span-figures"'))]
    assert spans.index("Claim units (uα)") < spans.index(TITLE)
    card = spans[spans.rindex('<div class="figure"', 0, spans.index(TITLE)) :]
    assert 'title="γ (Mathet, Widlöcher &amp; Métivier 2015)' in card
    assert f"{section['value']:.3f}".replace("-", "\u2212") in card
    assert f"{section['samples']} random passages" in card
    assert "γ per perspective:" in card
    assert "on a sample of" not in card


def test_a_run_stored_before_gamma_existed_shows_no_gamma_card(client, small, members):
    run = finish(small)
    del run.results["report"]["span"]["gamma"]
    AgreementRun.objects.filter(pk=run.pk).update(results=run.results)
    html = page(client, members["res"], small)
    assert "Claim units (uα)" in html and TITLE not in html
