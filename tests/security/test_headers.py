"""Security headers: a Content-Security-Policy without inline scripts on every page, templates and static
files that need none, and X-Forwarded-Proto believed only from a proxy that settings say is trusted."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [REPO / "templates", *REPO.glob("annotator/*/templates")]
STATIC = REPO / "annotator" / "web" / "static"

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def policy_of(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def template_files() -> list[Path]:
    return sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html"))


def test_there_are_templates_to_check():
    assert len(template_files()) > 20


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_template_has_an_inline_script_or_handler(path):
    text = path.read_text()
    for attributes in SCRIPT_TAG.findall(text):
        assert "src=" in attributes or 'type="application/json"' in attributes, (
            f"{path.name}: an inline <script{attributes}> would be blocked; move it into a static module"
        )
    assert not EVENT_HANDLER.search(text), f"{path.name}: an on…= handler would be blocked; add a listener"
    assert not JAVASCRIPT_URL.search(text), f"{path.name}: a javascript: URL would be blocked"


def test_static_scripts_write_no_inline_handlers():
    for path in STATIC.rglob("*.js"):
        text = path.read_text()
        assert not re.search(r"""setAttribute\(\s*["']on[a-z]+""", text), path.name
        assert not re.search(r"\beval\(|new Function\(", text), path.name


@pytest.mark.django_db
def test_pages_carry_a_policy_without_inline_scripts(client, members, project):
    client.force_login(members["man"])
    for url in ["/", f"/projects/{project.slug}/", f"/projects/{project.slug}/settings/", "/accounts/login/"]:
        policy = policy_of(client.get(url))
        assert policy["script-src"] == "'self'", url
        assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
        assert policy["base-uri"] == "'self'" and policy["form-action"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_json_script_data_is_not_script(client, members, project, seeded):
    """json_script's <script type="application/json"> is data: the browser never runs it, so a policy
    without 'unsafe-inline' leaves it alone (the e2e tests read it under the policy)."""
    from annotator.labeling.assignment_services import assignments_distribute

    assignments_distribute(project=project)
    client.force_login(members["ann1"])
    page = client.get(f"/projects/{project.slug}/annotate/", follow=True)
    scripts = SCRIPT_TAG.findall(page.content.decode())
    assert scripts and all("src=" in s or 'type="application/json"' in s for s in scripts)


@pytest.mark.django_db
def test_the_swagger_page_loads_its_start_up_script_as_a_file(client, members):
    client.force_login(members["man"])
    page = client.get("/api/docs/")
    scripts = SCRIPT_TAG.findall(page.content.decode())
    assert scripts and all("src=" in s for s in scripts)
    assert policy_of(page)["script-src"] == "'self'"
    start_up = client.get("/api/docs/?script=")
    assert start_up.status_code == 200 and "SwaggerUIBundle" in start_up.content.decode()


@pytest.mark.django_db
def test_redoc_gets_only_its_worker_and_logo_allowances(client, members):
    client.force_login(members["man"])
    policy = policy_of(client.get("/api/redoc/"))
    assert policy["script-src"] == "'self'"
    assert policy["worker-src"] == "'self' blob:"
    assert "fonts.googleapis.com" not in client.get("/api/redoc/").content.decode()


def settings_under(**environment: str) -> str:
    """The proxy header setting and is_secure() of a forwarded request, in a fresh process."""
    code = (
        "import django; django.setup();"
        "from django.conf import settings; from django.test import RequestFactory;"
        "r = RequestFactory().get('/', HTTP_X_FORWARDED_PROTO='https');"
        "print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None), r.is_secure())"
    )
    inherited = {k: v for k, v in os.environ.items() if k not in ("HTTPS", "TRUSTED_PROXY")}
    env = {**inherited, "DJANGO_SETTINGS_MODULE": "annotator.settings", **environment}
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_x_forwarded_proto_is_ignored_unless_a_proxy_is_trusted():
    assert settings_under(HTTPS="1") == "None False"
    assert settings_under(HTTPS="1", TRUSTED_PROXY="1") == "('HTTP_X_FORWARDED_PROTO', 'https') True"
    assert settings_under(TRUSTED_PROXY="0") == "None False"
