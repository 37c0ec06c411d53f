"""The admin: claims and gold versions are read-only there (their changes go through the recorded
services); a speaker edited there is recorded; the history itself is listed, never edited."""

import pytest

from annotator.history.models import Change
from annotator.labeling.services import claim_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", "boss-pw-123")
    client.force_login(admin)
    return client, admin


def test_a_claim_cannot_be_changed_in_the_admin(admin_client, assignment_of):
    client, _ = admin_client
    assignment = assignment_of("ann1")
    claim = claim_create(
        assignment=assignment,
        start=0,
        end=13,
        attribution="authorial",
        perspective="chinese",
        stance="neutral",
    )
    page = client.get(f"/admin/labeling/claim/{claim.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    response = client.post(f"/admin/labeling/claim/{claim.pk}/change/", {"stance": "favor"})
    assert response.status_code == 403
    assert client.post(f"/admin/labeling/claim/{claim.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_speaker_edited_in_the_admin_is_recorded(admin_client, speakers):
    client, admin = admin_client
    wang = speakers["Wang Junsheng"]
    response = client.post(
        f"/admin/corpus/speaker/{wang.pk}/change/",
        {
            "project": wang.project_id,
            "name": "Wang Junsheng",
            "kind": "person",
            "affiliation": "cn_scholar",
            "aliases": '["Wang"]',
            "approved": "on",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    change = Change.objects.filter(entity="speaker", entity_id=wang.pk).order_by("-id").first()
    assert (change.action, change.actor, change.detail) == ("update", admin, {"through": "admin"})
    assert change.before == {"affiliation": "", "aliases": []}
    assert change.after == {"affiliation": "cn_scholar", "aliases": ["Wang"]}


def test_the_history_is_listed_in_the_admin_but_not_editable(admin_client, speakers):
    client, _ = admin_client
    change = Change.objects.filter(entity="speaker").first()
    assert client.get("/admin/history/change/").status_code == 200
    assert client.post(f"/admin/history/change/{change.pk}/change/", {}).status_code == 403
