"""The guidelines panel: open on a member's first visit and after a change, closed otherwise; read marks."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from annotator.corpus.guidelines_reading import guidelines_due, guidelines_mark_read
from annotator.corpus.models import Membership
from tests.integration.labeling.conftest import find_assignment

pytestmark = pytest.mark.django_db
GUIDELINES = (
    "## Claims\n\nMark **the content only**.\n\n<script>alert('x')</script>[bad](javascript:alert(1))"
)


@pytest.fixture
def with_guidelines(assigned):
    assigned.guidelines = GUIDELINES
    assigned.guidelines_updated_at = timezone.now() - timedelta(days=1)
    assigned.save(update_fields=["guidelines", "guidelines_updated_at"])
    return assigned


def editor_page(user) -> str:
    client = Client()
    client.force_login(user)
    return client.get(f"/projects/summits/annotate/{find_assignment(user.username).pk}/").content.decode()


def panel_open(page: str) -> bool:
    start = page.index('<aside id="guidelines"')
    return " hidden" not in page[start : page.index(">", start)]


def read_at(user):
    return Membership.objects.get(user=user).guidelines_read_at


def test_the_panel_opens_on_the_first_visit(with_guidelines, members):
    page = editor_page(members["ann1"])
    assert panel_open(page) and '"open": true' in page
    assert "<strong>the content only</strong>" in page


def test_closing_marks_read_and_the_panel_then_stays_closed(with_guidelines, members):
    client = Client()
    client.force_login(members["ann1"])
    assert client.post("/projects/summits/guidelines/read/").status_code == 204
    assert read_at(members["ann1"]) is not None
    assert not panel_open(editor_page(members["ann1"]))
    assert read_at(members["ann2"]) is None  # only the member who read them


def test_the_panel_opens_again_after_the_guidelines_change(with_guidelines, members):
    guidelines_mark_read(project=with_guidelines, user=members["ann1"])
    assert not guidelines_due(project=with_guidelines, user=members["ann1"])
    with_guidelines.guidelines_updated_at = timezone.now() + timedelta(seconds=1)
    with_guidelines.save(update_fields=["guidelines_updated_at"])
    assert guidelines_due(project=with_guidelines, user=members["ann1"])
    assert panel_open(editor_page(members["ann1"]))


def test_without_guidelines_there_is_no_panel_and_nothing_opens(assigned, members):
    page = editor_page(members["ann1"])
    assert 'id="guidelines"' not in page and 'id="show-guidelines"' not in page
    assert not guidelines_due(project=assigned, user=members["ann1"])


def test_guidelines_are_sanitised_in_the_editor_and_on_the_review_page(with_guidelines, members):
    editor = editor_page(members["ann1"])
    client = Client()
    client.force_login(members["rev"])
    passage = find_assignment("ann1").passage
    review = client.get(f"/projects/summits/review/passages/{passage.pk}/").content.decode()
    for page in (editor, review):
        assert "<script>alert" not in page and "javascript:alert" not in page
        assert "<h2>Claims</h2>" in page
    assert '<details id="guidelines"' in review


def test_marking_read_needs_a_post_and_membership(with_guidelines, members):
    client = Client()
    client.force_login(members["outsider"])
    assert client.post("/projects/summits/guidelines/read/").status_code == 404
    client.force_login(members["ann1"])
    assert client.get("/projects/summits/guidelines/read/").status_code == 405
    assert read_at(members["ann1"]) is None
