"""The API tokens page in a real headless Chromium: an annotator opens it from the header, creates a token,
copies its secret with the button, the secret works against the API, is gone after a reload, and revoking
the token stops it. The page passes axe-core like every other page and runs no inline script."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from annotator.accounts.models import ApiToken
from tests.e2e.axe import serious_findings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def api_status(base: str, secret: str) -> int:
    request = urllib.request.Request(f"{base}/api/v1/tokens/", headers={"Authorization": f"Token {secret}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own live server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_an_annotator_creates_copies_uses_and_revokes_a_token(login, live_server, members, output_dir):
    page = login("ann1")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.locator("main")).to_contain_text("You have no API tokens.")
    assert page.locator("script:not([src])").count() == 0  # nothing inline: the page works under a strict CSP

    page.get_by_label("Name").fill("nightly export")
    page.get_by_label("Expires").select_option(label="In 30 days")
    page.get_by_role("button", name="Create token").click()

    created = page.locator("#token-created")
    expect(created).to_contain_text("Token “nightly export” created")
    expect(created).to_contain_text("shown only this once")
    secret = page.locator("#token-secret").input_value()
    assert secret.startswith("ann_")
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#token-copy-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    assert not serious_findings(page), json.dumps(serious_findings(page))
    page.screenshot(path=str(output_dir / "tokens-page.png"), full_page=True)

    assert api_status(live_server.url, secret) == 200
    token = ApiToken.objects.get(user=members["ann1"])
    assert token.expires_at is not None and token.last_used_at is not None

    page.reload()  # a GET: the secret is not there any more, the token is
    expect(page.locator("#token-created")).to_have_count(0)
    assert secret not in page.content()
    row = page.locator(f'#tokens tr[data-token="{token.prefix}"]')
    expect(row).to_contain_text("nightly export")
    expect(row).to_contain_text("active")
    expect(row).not_to_contain_text("never")  # used once, and it expires
    assert not serious_findings(page), json.dumps(serious_findings(page))

    # Revoking asks first; dismissing the question keeps the token.
    page.once("dialog", lambda dialog: dialog.dismiss())
    row.get_by_role("button", name="Revoke nightly export").click()
    expect(row).to_contain_text("active")
    assert api_status(live_server.url, secret) == 200
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke nightly export").click()
    expect(page.locator("main")).to_contain_text("Revoked the token “nightly export”")
    expect(page.locator(f'#tokens tr[data-token="{token.prefix}"]')).to_contain_text("revoked")
    assert api_status(live_server.url, secret) in (401, 403)


def test_a_bad_name_is_shown_beside_the_form_and_nothing_is_created(login, live_server, members):
    page = login("rev")
    page.goto(f"{live_server.url}/account/tokens/")
    page.get_by_label("Name").fill("x" * 100)
    page.get_by_label("Name").evaluate("(input) => { input.removeAttribute('maxlength'); }")
    page.get_by_label("Name").fill("x" * 101)
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("alert")).to_contain_text("at most 100 characters")
    assert not ApiToken.objects.exists()
