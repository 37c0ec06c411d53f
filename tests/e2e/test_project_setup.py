"""A manager sets up a study in a real headless Chromium: project, guidelines preview, members, an account."""

import pytest
from django.contrib.auth.models import Permission

from annotator.corpus.models import Membership, Project, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE_GUIDELINES = (
    "Mark **claims** only.\n\n<script>window.pwned = true</script><img src=x onerror=window.pwned=true>"
)


@pytest.fixture
def creator(django_user_model):
    user = django_user_model.objects.create_user("creator", password="creator-pw-123")
    user.user_permissions.add(
        Permission.objects.get(codename="add_project", content_type__app_label="corpus")
    )
    django_user_model.objects.create_user("ann", email="ann@example.org", password="ann-pw-123")
    django_user_model.objects.create_user("rev", email="rev@example.org", password="rev-pw-123")
    return user


def test_a_creator_sets_up_a_study_and_a_new_account_sets_its_password(creator, login, live_server):
    page = login("creator")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.click("text=New project")
    page.wait_for_load_state()
    page.fill("#id_name", "Summit Study 2024")
    assert page.input_value("#id_slug") == "summit-study-2024", "the slug follows the name"
    page.fill("#id_overlap", "2")
    page.fill("#id_guidelines", HOSTILE_GUIDELINES)
    preview = page.locator("#guidelines-preview")
    preview.locator("strong", has_text="claims").wait_for()
    assert preview.locator("script, img").count() == 0
    assert page.evaluate("window.pwned") is None, "nothing from the guidelines ran"
    page.click("button:has-text('Create project')")
    page.wait_for_url(f"{live_server.url}/projects/summit-study-2024/members/")

    project = Project.objects.get(slug="summit-study-2024")
    assert project.overlap == 2 and project.blind and "<script>" in project.guidelines

    page.fill("#id_user", "ann@example.org")
    page.select_option("#id_role", "annotator")
    page.click("#member-add button[type=submit]")
    page.locator("tr[data-member=ann]").wait_for()
    page.fill("#id_user", "rev")
    page.select_option("#id_role", "reviewer")
    page.click("#member-add button[type=submit]")
    page.locator("tr[data-member=rev]").wait_for()
    roles = dict(Membership.objects.filter(project=project).values_list("user__username", "role"))
    assert roles == {"creator": Role.MANAGER, "ann": Role.ANNOTATOR, "rev": Role.REVIEWER}

    page.fill("#id_account-username", "newbie")
    page.select_option("#id_account-role", "annotator")
    page.click("#account-create button[type=submit]")
    link = page.input_value("#set-password-link")
    assert link.startswith(f"{live_server.url}/accounts/reset/")
    page.click("button[data-copy]")
    assert page.locator("tr[data-member=newbie]").count() == 1

    page.goto(f"{live_server.url}/projects/summit-study-2024/")
    page.locator("#guidelines strong", has_text="claims").wait_for()
    assert page.locator("#guidelines script, #guidelines img").count() == 0
    assert page.evaluate("window.pwned") is None
    assert errors == []

    stranger = page.context.browser.new_context()
    try:
        set_password = stranger.new_page()
        set_password.goto(link)
        set_password.fill("#id_new_password1", "a-long-Passphrase-9")
        set_password.fill("#id_new_password2", "a-long-Passphrase-9")
        set_password.click("[type=submit]")
        set_password.wait_for_url("**/reset/done/")
    finally:
        stranger.close()
    newbie = login("newbie", "a-long-Passphrase-9")
    assert newbie.url.rstrip("/") == live_server.url
    assert "Summit Study 2024" in newbie.content()
