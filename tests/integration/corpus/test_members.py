"""Members: added by username or e-mail, roles changed, removed with their work kept, new accounts by link."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from annotator.corpus.models import Membership, Passage, Role
from annotator.corpus.project_selectors import members_with_work
from annotator.corpus.project_services import (
    NO_SUCH_ACCOUNT,
    account_create_with_link,
    member_add,
    member_remove,
    member_role_set,
)
from annotator.labeling.models import Assignment, Claim
from tests.integration.follow_ups import follow_ups_held

pytestmark = pytest.mark.django_db


def test_members_are_added_by_username_or_email_in_any_case(project, make_user):
    make_user("Dana", email="dana@example.org")
    make_user("eve", email="eve@example.org")
    assert member_add(project=project, identifier="dana", role=Role.REVIEWER).user.username == "Dana"
    assert (
        member_add(project=project, identifier=" EVE@example.org ", role=Role.ANNOTATOR).role == "annotator"
    )


def test_an_unknown_or_inactive_account_gets_one_message_that_reveals_nothing_more(project, make_user):
    make_user("sleeper", is_active=False)
    for identifier in ["nobody", "nobody@example.org", "sleeper"]:
        with pytest.raises(ValidationError) as caught:
            member_add(project=project, identifier=identifier, role=Role.ANNOTATOR)
        assert caught.value.message_dict == {"user": [NO_SUCH_ACCOUNT]}


def test_adding_a_member_twice_or_with_an_unknown_role_is_refused(project, members):
    with pytest.raises(ValidationError) as caught:
        member_add(project=project, identifier="ann1", role=Role.REVIEWER)
    assert "already a member" in caught.value.message_dict["user"][0]
    with pytest.raises(ValidationError) as caught:
        member_add(project=project, identifier="outsider", role="owner")
    assert "role" in caught.value.message_dict
    assert Membership.objects.get(project=project, user=members["ann1"]).role == Role.ANNOTATOR


def test_the_last_manager_can_be_neither_demoted_nor_removed(project, members):
    manager = Membership.objects.get(project=project, user=members["man"])
    with pytest.raises(ValidationError, match="at least one manager"):
        member_role_set(membership=manager, role=Role.ANNOTATOR)
    with pytest.raises(ValidationError, match="at least one manager"):
        member_remove(membership=manager)
    member_add(project=project, identifier="outsider", role=Role.MANAGER)
    member_role_set(membership=manager, role=Role.REVIEWER)
    assert Membership.objects.get(pk=manager.pk).role == Role.REVIEWER


def _work(project, user, passages: int) -> None:
    """`passages` assignments for `user`, each with one claim, written by the labeling services."""
    from annotator.corpus.readers import ArticleRecord
    from annotator.corpus.services import documents_import
    from annotator.labeling.services import claim_create

    body = "\n".join(f"Officials said the summit number {n} went well for everyone." for n in range(passages))
    documents_import(project=project, records=[ArticleRecord(text=f"Title\n{body}", title="Title")])
    with follow_ups_held():
        for passage in Passage.objects.filter(document__project=project).select_related("document__project"):
            assignment = Assignment.objects.create(passage=passage, annotator=user)
            claim_create(
                assignment=assignment, start=0, end=9, attribution="authorial", perspective="neutral_mixed",
                stance="neutral",
            )  # fmt: skip


def test_a_removed_member_keeps_their_work_and_it_stays_theirs(project, members):
    _work(project, members["ann1"], passages=2)
    counts = {m.user.username: (m.assigned, m.claims) for m in members_with_work(project=project)}
    assert counts["ann1"] == (2, 2) and counts["ann2"] == (0, 0)
    member_remove(membership=Membership.objects.get(project=project, user=members["ann1"]))
    assert not Membership.objects.filter(project=project, user=members["ann1"]).exists()
    assert Assignment.objects.filter(annotator=members["ann1"]).count() == 2
    assert Claim.objects.filter(assignment__annotator=members["ann1"]).count() == 2


def test_a_new_account_has_no_password_is_a_member_and_gets_a_set_password_link(project):
    account = account_create_with_link(
        project=project, username="newbie", email="n@example.org", role="annotator"
    )
    user = get_user_model().objects.get(username="newbie")
    assert not user.has_usable_password()
    assert account.membership.role == Role.ANNOTATOR and account.membership.project == project
    assert account.set_password_path.startswith("/accounts/reset/")


def test_a_new_account_with_a_taken_name_or_email_is_refused(project, make_user):
    make_user("taken", email="taken@example.org")
    for fields, field in [
        ({"username": "TAKEN"}, "username"),
        ({"username": "fresh", "email": "Taken@example.org"}, "email"),
        ({"username": "has space!"}, "username"),
        ({"username": "fresh", "email": "not-an-email"}, "email"),
        ({"username": ""}, "username"),
    ]:
        with pytest.raises(ValidationError) as caught:
            account_create_with_link(project=project, role=Role.ANNOTATOR, **fields)
        assert field in caught.value.message_dict, fields
    assert get_user_model().objects.count() == 1
