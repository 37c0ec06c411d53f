"""Who may do what, for every URL: generated from the URL conf, checked against a declared table.

Every URL pattern of the API and the site (not the Django admin) is resolved with real objects of a small
project and requested by every role: anonymous, a user outside the project, its annotator, reviewer,
researcher and manager, and a superuser. API patterns are tried with each method their viewset maps;
pages with GET and POST. Each request runs in a savepoint rolled back after it, so every role meets the
same data. EXPECTED holds the status each role must get; a URL or method that is not in it fails the
suite, so a new endpoint cannot ship without a rule. The OpenAPI schema's operations must all be in the
table too.

Reading the table: 404 is "no such thing" (a project, passage or object the user may not see), 403 is a
refusal that reveals nothing new (the user can read the object, or is anonymous on the API), 302 sends an
anonymous visitor to the login page, 400 means the role got past the permission check and the (empty or
test) body was refused on its merits.
"""

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from tests.security.small_project import ROLES, SmallProject, build_small_project

pytestmark = pytest.mark.django_db

# Status codes in the order of ROLES: anonymous, outsider, annotator, reviewer, researcher, manager,
# superuser. Keys: "METHOD url-name".
EXPECTED: dict[str, str] = {
    # role:                          anon out ann rev res man su
    "GET agreement-dashboard": "302 404 404 200 200 200 200",
    "POST agreement-dashboard": "302 404 404 302 302 302 302",
    "GET annotate": "302 404 200 200 200 200 200",
    "POST annotate": "302 404 200 200 200 200 200",
    "GET annotate-next": "302 404 302 200 200 200 200",
    "POST annotate-next": "302 404 302 200 200 200 200",
    "GET api:agreement-run-detail": "403 404 404 200 200 200 200",
    "GET api:agreement-run-latest": "403 404 404 200 200 200 200",
    "GET api:agreement-run-list": "403 404 404 200 200 200 200",
    "POST api:agreement-run-list": "403 404 404 202 202 202 202",
    "GET api:agreement-run-progress": "403 404 404 200 200 200 200",
    "POST api:annotation-import-list": "403 404 404 404 404 200 200",
    "GET api:api-docs": "200 200 200 200 200 200 200",
    "GET api:api-redoc": "200 200 200 200 200 200 200",
    "GET api:api-root": "403 200 200 200 200 200 200",
    "GET api:article-import-detail": "403 404 404 404 404 200 200",
    "POST api:article-import-list": "403 404 404 404 404 201 201",
    "GET api:assignment-detail": "403 404 200 200 200 200 200",
    "POST api:assignment-flag": "403 404 200 404 404 404 404",
    "GET api:assignment-list": "403 200 200 200 200 200 200",
    "GET api:assignment-next": "403 404 200 204 204 204 204",
    "POST api:assignment-skip": "403 404 400 403 403 403 403",
    "POST api:assignment-submit": "403 404 200 403 403 403 403",
    "POST api:assignment-time": "403 404 200 404 404 404 404",
    "DELETE api:claim-detail": "403 404 204 403 403 403 403",
    "GET api:claim-detail": "403 404 200 200 200 200 200",
    "PATCH api:claim-detail": "403 404 200 403 403 403 403",
    "PUT api:claim-detail": "403 405 405 405 405 405 405",
    "GET api:claim-list": "403 200 200 200 200 200 200",
    # A claim's history: whoever may read the claim; restoring is its annotator's own write.
    "GET api:claim-history": "403 404 200 200 200 200 200",
    "POST api:claim-restore": "403 404 400 403 403 403 403",
    # Everyone's own tokens (the annotator owns the one in the URL); a token cannot make tokens.
    "GET api:api-token-list": "403 200 200 200 200 200 200",
    "POST api:api-token-list": "403 201 201 201 201 201 201",
    "DELETE api:api-token-detail": "403 404 204 404 404 404 404",
    "GET api-tokens": "302 200 200 200 200 200 200",
    "POST api-tokens": "302 400 400 400 400 400 400",
    # The project's history and a gold version's: those who see every annotator's work.
    "GET api:project-history-list": "403 404 404 200 200 200 200",
    "GET api:review-passage-history": "403 404 404 200 404 200 200",
    "POST api:claim-list": "403 404 201 403 403 403 403",
    "GET api:document-detail": "403 404 200 200 200 200 200",
    "POST api:document-import-file": "403 404 404 404 404 201 201",
    "GET api:document-list": "403 404 200 200 200 200 200",
    "GET api:export-detail": "403 404 404 200 200 200 200",
    "GET api:export-download": "403 404 404 200 200 200 200",
    "GET api:export-list": "403 404 404 200 200 200 200",
    "POST api:export-list": "403 404 404 202 202 202 202",
    "GET api:export-stream": "403 404 404 200 200 200 200",
    "GET api:passage-detail": "403 404 200 200 200 200 200",
    "GET api:passage-list": "403 200 200 200 200 200 200",
    "POST api:project-account-create": "403 404 404 404 404 400 400",
    "GET api:project-detail": "403 404 200 200 200 200 200",
    "PATCH api:project-detail": "403 404 404 404 404 200 200",
    "GET api:project-list": "403 200 200 200 200 200 200",
    "POST api:project-list": "403 403 403 403 403 403 201",
    "DELETE api:project-member": "403 404 404 404 404 204 204",
    "PATCH api:project-member": "403 404 404 404 404 200 200",
    "GET api:project-members": "403 404 404 404 404 200 200",
    "POST api:project-members": "403 404 404 404 404 201 201",
    "GET api:project-schema-schema": "403 404 200 200 200 200 200",
    "PUT api:project-schema-schema": "403 404 403 403 403 400 400",
    "POST api:project-schema-schema-delete": "403 404 403 403 403 400 400",
    "POST api:project-schema-schema-merge": "403 404 403 403 403 400 400",
    "POST api:project-schema-schema-rename": "403 404 403 403 403 200 200",
    "GET api:review-passage-adjudication": "403 404 404 200 404 200 200",
    "PUT api:review-passage-adjudication": "403 404 404 400 404 400 400",
    "GET api:review-passage-detail": "403 404 404 200 404 200 200",
    "GET api:review-queue-list": "403 404 404 200 404 200 200",
    "GET api:schema": "200 200 200 200 200 200 200",
    "POST api:speaker-approve": "403 404 404 200 404 200 200",
    "GET api:speaker-curation-list": "403 404 404 200 404 200 200",
    "POST api:speaker-curation-merge": "403 404 404 200 404 200 200",
    "GET api:speaker-detail": "403 404 200 200 200 200 200",
    "GET api:speaker-list": "403 404 200 200 200 200 200",
    "POST api:speaker-list": "403 404 201 201 404 201 201",
    "POST api:speaker-merge-undo": "403 404 404 200 404 200 200",
    "POST api:suggestion-dismiss": "403 404 204 404 404 404 404",
    "GET api:suggestion-list": "403 404 200 404 404 404 404",
    "GET api:who-says-what-claims": "403 404 404 200 200 200 200",
    "GET api:who-says-what-list": "403 404 404 200 200 200 200",
    "GET document-detail": "302 404 200 200 200 200 200",
    "POST document-detail": "302 404 200 200 200 200 200",
    "GET exports": "302 404 404 200 200 200 200",
    "POST exports": "302 405 405 405 405 405 405",
    "GET exports-download": "302 405 405 405 405 405 405",
    "POST exports-download": "302 404 404 400 400 400 400",
    "GET exports-import": "302 405 405 405 405 405 405",
    "POST exports-import": "302 404 404 404 404 400 400",
    "GET exports-job-create": "302 405 405 405 405 405 405",
    "POST exports-job-create": "302 404 404 400 400 400 400",
    "GET guidelines-preview": "302 405 405 405 405 405 405",
    "POST guidelines-preview": "302 200 200 200 200 200 200",
    "GET guidelines-read": "302 405 405 405 405 405 405",
    "POST guidelines-read": "302 404 204 204 204 204 204",
    # Probes for load balancers, deliberately public (annotator/web/views/health.py): GET or HEAD only.
    "GET healthz": "200 200 200 200 200 200 200",
    "POST healthz": "405 405 405 405 405 405 405",
    "GET readyz": "200 200 200 200 200 200 200",
    "POST readyz": "405 405 405 405 405 405 405",
    "GET home": "302 200 200 200 200 200 200",
    "POST home": "302 200 200 200 200 200 200",
    "GET login": "200 200 200 200 200 200 200",
    "POST login": "200 200 200 200 200 200 200",
    "GET logout": "405 405 405 405 405 405 405",
    "POST logout": "302 302 302 302 302 302 302",
    "GET my-passages": "302 404 200 404 404 404 404",
    "POST my-passages": "302 404 200 404 404 404 404",
    "GET password_change": "302 200 200 200 200 200 200",
    "POST password_change": "302 200 200 200 200 200 200",
    "GET password_change_done": "302 200 200 200 200 200 200",
    "POST password_change_done": "302 405 405 405 405 405 405",
    "GET password_reset": "200 200 200 200 200 200 200",
    "POST password_reset": "200 200 200 200 200 200 200",
    "GET password_reset_complete": "200 200 200 200 200 200 200",
    "POST password_reset_complete": "405 405 405 405 405 405 405",
    "GET password_reset_confirm": "200 200 200 200 200 200 200",
    "POST password_reset_confirm": "200 200 200 200 200 200 200",
    "GET password_reset_done": "200 200 200 200 200 200 200",
    "POST password_reset_done": "405 405 405 405 405 405 405",
    "GET project-account-create": "302 405 405 405 405 405 405",
    "POST project-account-create": "302 404 404 404 404 400 400",
    "GET project-assign": "302 405 405 405 405 405 405",
    "POST project-assign": "302 404 404 404 404 302 302",
    "GET project-detail": "302 404 200 200 200 200 200",
    "POST project-detail": "302 404 200 200 200 200 200",
    "GET project-member-add": "302 405 405 405 405 405 405",
    "POST project-member-add": "302 404 404 404 404 400 400",
    "GET project-member-remove": "302 405 405 405 405 405 405",
    "POST project-member-remove": "302 404 404 404 404 302 302",
    "GET project-member-role": "302 405 405 405 405 405 405",
    "POST project-member-role": "302 404 404 404 404 302 302",
    "GET project-members": "302 404 404 404 404 200 200",
    "POST project-members": "302 405 405 405 405 405 405",
    "GET project-new": "302 403 403 403 403 403 200",
    "POST project-new": "302 403 403 403 403 403 200",
    "GET project-progress": "302 404 404 404 404 200 200",
    "POST project-progress": "302 405 405 405 405 405 405",
    "GET project-schema": "302 404 200 200 200 200 200",
    "POST project-schema": "302 404 403 403 403 400 400",
    "GET project-settings": "302 404 404 404 404 200 200",
    "POST project-settings": "302 404 404 404 404 200 200",
    "GET project-upload": "302 404 404 404 404 200 200",
    "POST project-upload": "302 404 404 404 404 400 400",
    "GET review-next": "302 404 404 302 404 302 302",
    "POST review-next": "302 404 404 302 404 302 302",
    "GET review-passage": "302 404 404 200 404 200 200",
    "POST review-passage": "302 404 404 200 404 200 200",
    "GET review-queue": "302 404 404 200 404 200 200",
    "POST review-queue": "302 404 404 200 404 200 200",
    "GET speakers-curate": "302 404 404 200 404 200 200",
    "POST speakers-curate": "302 404 404 302 404 302 302",
    "GET who-says-what": "302 404 404 200 200 200 200",
    "POST who-says-what": "302 405 405 405 405 405 405",
    "GET who-says-what-claims": "302 404 404 200 200 200 200",
    "POST who-says-what-claims": "302 405 405 405 405 405 405",
    "GET who-says-what-compare": "302 404 404 400 400 400 400",
    "POST who-says-what-compare": "302 405 405 405 405 405 405",
}

# Ids for the URL's keyword arguments; "pk" depends on the route's basename.
PK_BY_BASENAME = {
    "project": "project",
    "document": "document",
    "passage": "passage",
    "assignment": "assignment",
    "claim": "claim",
    "speaker": "speaker",
    "suggestion": "suggestion",
    "agreement-run": "run",
    "review-passage": "passage",
    "speaker-merge": "merge",
    "export": "export",
    "article-import": "article_job",
    "api-token": "token",
}
KWARG_IDS = {
    "slug": "slug",
    "project_id": "project",
    "user_id": "member",
    "document_id": "document",
    "assignment_id": "assignment",
    "passage_id": "passage",
}


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    methods: tuple[str, ...]
    kwargs: tuple[str, ...]
    basename: str

    @property
    def key(self) -> str:
        """The route's name in EXPECTED: the API's names are prefixed, as some repeat a page's name."""
        return f"api:{self.name}" if self.pattern.startswith("api/") else self.name

    def url(self, small: SmallProject) -> str:
        values: dict[str, object] = {}
        for name in self.kwargs:
            if name == "pk":
                values[name] = small.ids[PK_BY_BASENAME[self.basename]]
            elif name == "uidb64":
                values[name] = "MQ"
            elif name == "token":
                values[name] = "set-password"
            else:
                values[name] = small.ids[KWARG_IDS[name]]
        text = self.pattern.replace("^", "").replace("$", "")
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda match: str(values[match.group(1)]), text)
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), text)


def _walk(patterns: list, prefix: str = "", names: tuple = ()) -> Iterator[tuple[str, tuple, URLPattern]]:
    """(full pattern, its keyword argument names, the pattern) for every pattern under `patterns`."""
    for entry in patterns:
        here = names + tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), here)
        else:
            yield prefix + str(entry.pattern), here, entry


def routes() -> list[Route]:
    """Every named URL pattern of the API and the site, with the methods to try on it."""
    found: dict[str, Route] = {}
    for pattern, kwargs, entry in _walk(get_resolver().url_patterns):
        if pattern.startswith("admin/") or "format" in kwargs:
            continue  # the Django admin; DRF's ".json" suffix copies of the same views
        actions = getattr(entry.callback, "actions", None)
        if actions:
            methods = tuple(sorted(method.upper() for method in actions))
        elif pattern.startswith("api/"):
            methods = ("GET",)
        else:
            methods = ("GET", "POST")
        basename = _basename(entry) if actions else ""
        found[pattern] = Route(entry.name, pattern, methods, kwargs, basename)
    return sorted(found.values(), key=lambda route: route.key)


def _basename(entry: URLPattern) -> str:
    """The router basename of a viewset's extra action ("assignment-flag" → "assignment")."""
    initkwargs = getattr(entry.callback, "initkwargs", {})
    basename = initkwargs.get("basename")
    if basename:
        return basename
    return entry.name.rsplit("-", 1)[0]


UPLOADS = {"POST api:document-import-file", "POST api:article-import-list", "POST api:annotation-import-list"}


def _request(client: Client, method: str, url: str, body: dict | None, *, multipart: bool) -> int:
    # The same login for every request: a logout (or a login) must not carry over to the next one.
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        if method in {"GET", "DELETE"}:
            response = client.generic(method, url)
        elif url.startswith("/api/") and not multipart:
            response = client.generic(method, url, json.dumps(body or {}), content_type="application/json")
        else:
            response = client.post(url, body or {})
        transaction.set_rollback(True)
    client.cookies = cookies
    return response.status_code


def bodies(small: SmallProject) -> dict[str, dict]:
    """Valid bodies for the writes whose refusals the table distinguishes (others send none)."""
    ids = small.ids
    article = b"Talks\n\nOfficials met again on Tuesday and said nothing new.\n"
    doccano = b'{"text": "Officials met again on Tuesday.", "entities": [], "relations": []}\n'
    return {
        "POST api:claim-list": {
            "assignment": ids["assignment"],
            "start": 0,
            "end": 9,
            "attribution": "authorial",
            "perspective": "chinese",
            "stance": "neutral",
        },
        "PATCH api:claim-detail": {"version": 1, "stance": "favor"},
        "POST api:claim-restore": {"version": 1, "current_version": 1},
        "POST api:api-token-list": {"name": "a script"},
        "POST api:speaker-list": {"project": ids["project"], "name": "Kim Jong Un"},
        "POST api:export-list": {"project": ids["project"], "format": "csv"},
        "POST api:agreement-run-list": {"project": ids["project"]},
        "POST api:assignment-flag": {"reason": None},
        "POST api:assignment-time": {"seconds": 5},
        "POST api:project-list": {"name": "Another study", "slug": "another-study"},
        "PATCH api:project-detail": {"name": "Summits, renamed"},
        "POST api:project-members": {"user": "the-outsider", "role": "annotator"},
        "PATCH api:project-member": {"role": "reviewer"},
        "POST api:project-schema-schema-rename": {"field": "stances", "old": "favor", "new": "support"},
        "POST api:speaker-curation-merge": {
            "project": ids["project"],
            "canonical": ids["speaker"],
            "duplicates": [ids["spare_speaker"]],
        },
        "POST api:document-import-file": {
            "project": ids["project"],
            "file": SimpleUploadedFile("talks.txt", article, content_type="text/plain"),
        },
        "POST api:article-import-list": {
            "project": ids["project"],
            "file": SimpleUploadedFile("talks.txt", article, content_type="text/plain"),
        },
        "POST api:annotation-import-list": {
            "project": ids["project"],
            "format": "doccano",
            "dry_run": "true",
            "file": SimpleUploadedFile("ann.jsonl", doccano, content_type="application/jsonl"),
        },
    }


def url_of(small: SmallProject, route: Route, method: str) -> str:
    """The route's URL with real ids, and the query parameters a list or a stream needs."""
    url = route.url(small)
    ids = small.ids
    if route.name in {"export-stream", "exports-download"}:
        url += f"?project={ids['project']}&format=csv"
    elif method == "DELETE" and route.name == "claim-detail":
        url += "?version=1"
    elif method == "GET" and route.pattern.startswith("api/") and "pk" not in route.kwargs:
        url += f"?project={ids['project']}&document={ids['document']}&assignment={ids['assignment']}"
    return url


def observed(small: SmallProject, clients: dict[str, Client], route: Route, method: str) -> str:
    key = f"{method} {route.key}"
    url = url_of(small, route, method)
    statuses = []
    for role in ROLES:
        body = bodies(small).get(key)  # fresh uploads for each request
        statuses.append(str(_request(clients[role], method, url, body, multipart=key in UPLOADS)))
    return " ".join(statuses)


def clients_for(small: SmallProject) -> dict[str, Client]:
    clients = {}
    for role in ROLES:
        clients[role] = Client()
        if small.users[role] is not None:
            clients[role].force_login(small.users[role])
    return clients


@pytest.fixture
def small(project, make_user, settings, tmp_path) -> SmallProject:
    settings.MEDIA_ROOT = tmp_path
    return build_small_project(project, make_user, tmp_path)


ALL_ROUTES = routes()
OPERATIONS = [(route, method) for route in ALL_ROUTES for method in route.methods]


def test_every_url_and_method_has_a_rule():
    keys = {f"{method} {route.key}" for route, method in OPERATIONS}
    missing = sorted(keys - set(EXPECTED))
    stale = sorted(set(EXPECTED) - keys)
    assert not missing, "no rule in EXPECTED for:\n" + "\n".join(missing)
    assert not stale, "rules for URLs that no longer exist:\n" + "\n".join(stale)


def _template(pattern: str) -> str:
    """A URL pattern as a path template with anonymous parameters: "/api/v1/claims/{}/"."""
    text = pattern.replace("^", "").replace("$", "")
    text = re.sub(r"\(\?P<[^>]+>[^)]*\)", "{}", text)
    return "/" + re.sub(r"<[^>]+>", "{}", text)


def test_every_operation_of_the_schema_is_in_the_matrix():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    in_matrix = {(_template(route.pattern), method) for route, method in OPERATIONS}
    missing = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if (re.sub(r"\{[^}]+\}", "{}", path), method.upper()) not in in_matrix
    ]
    assert len(schema["paths"]) > 40
    assert not missing, "schema operations with no URL in the matrix:\n" + "\n".join(missing)


def test_each_role_gets_the_declared_status(small):
    clients = clients_for(small)
    wrong = []
    for route, method in OPERATIONS:
        key = f"{method} {route.key}"
        if key in EXPECTED and (got := observed(small, clients, route, method)) != EXPECTED[key]:
            wrong.append(f"{key}: expected {EXPECTED[key]}, got {got}")
    assert not wrong, f"statuses for {' '.join(ROLES)}:\n" + "\n".join(wrong)
