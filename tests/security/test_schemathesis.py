"""Every API operation, fuzzed by schemathesis from the OpenAPI schema, as a member of a small project.

Requests go to the WSGI application in-process (the test database, the real middleware and auth: a
logged-in session with its CSRF token). For each operation, a bounded number of generated requests,
valid and invalid: no answer may be a 500, a valid one must match the schema the API publishes (fields,
types, nullability, content type), and one the schema calls invalid must be refused with a 4xx.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
)

from tests.security.small_project import build_small_project

pytestmark = pytest.mark.django_db

EXAMPLES = 5  # per operation and mode: ~70 operations, 2 roles, about two minutes in all


@schemathesis.check
def invalid_data_rejected(ctx, response, case):
    """schemathesis' negative_data_rejection, except that an empty query parameter (`?document=`) counts
    as one not given, as in an HTML form and everywhere in django-filter."""
    if any(value in ("", [""]) for value in (case.query or {}).values()):
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, invalid_data_rejected]

# Streams and file downloads: their bodies are files, not the JSON the other checks read.
FILE_OPERATIONS = {"GET /api/v1/exports/stream/", "GET /api/v1/exports/{id}/download/"}


@pytest.fixture
def in_process_requests():
    """Keep the test's database connection across requests to the WSGI app, as Django's test client
    does: the handler would otherwise close it at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def small(project, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_small_project(project, make_user, tmp_path)


def session_for(user) -> tuple[dict[str, str], dict[str, str]]:
    """Cookies and headers of a logged-in browser session that passes the CSRF check."""
    client = Client()
    client.force_login(user)
    token = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}
    return cookies, {"X-CSRFToken": token}


def fixed_path_parameters(small) -> dict[str, object]:
    """Real ids for the path parameters, so that requests reach the views' logic, not only their 404."""
    ids = small.ids
    return {
        "slug": ids["slug"],
        "project_id": ids["project"],
        "user_id": ids["member"],
    }


def id_for(path: str, ids: dict) -> int:
    for prefix, key in (
        ("/api/v1/projects/", "project"),
        ("/api/v1/documents/", "document"),
        ("/api/v1/passages/", "passage"),
        ("/api/v1/assignments/", "assignment"),
        ("/api/v1/claims/", "claim"),
        ("/api/v1/speakers/", "speaker"),
        ("/api/v1/suggestions/", "suggestion"),
        ("/api/v1/agreement-runs/", "run"),
        ("/api/v1/review-passages/", "passage"),
        ("/api/v1/speaker-merges/", "merge"),
        ("/api/v1/exports/", "export"),
        ("/api/v1/article-imports/", "article_job"),
        ("/api/v1/tokens/", "token"),
    ):
        if path.startswith(prefix):
            return ids[key]
    raise AssertionError(f"{path}: name the id its {{id}} takes in id_for")


def fuzz(strategy, *, checks, headers: dict, cookies: dict) -> None:
    """Send the strategy's requests; raise what the checks find (hypothesis shrinks it first)."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        case.call_and_validate(headers=headers, cookies=cookies, checks=checks)

    run()


@pytest.mark.parametrize("role", ["annotator", "manager"])
def test_every_operation_answers_within_its_schema(small, role, in_process_requests):
    app = in_process_requests
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
    cookies, headers = session_for(small.users[role])
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        path_parameters = fixed_path_parameters(small)
        if "{id}" in operation.path:
            path_parameters["id"] = id_for(operation.path, small.ids)
        query = {"project": small.ids["project"]}
        checks = [not_a_server_error] if label in FILE_OPERATIONS else CHECKS
        operations += 1
        # With the path ids fixed, an operation without query parameters or a body has nothing to get wrong.
        negatable = bool(list(operation.query)) or bool(list(operation.body))
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if negatable else [])
        for mode in modes:
            strategy = operation.as_strategy(
                generation_mode=mode,
                path_parameters={
                    name: value
                    for name, value in path_parameters.items()
                    if name in {p.name for p in operation.path_parameters}
                },
                query={
                    name: value
                    for name, value in query.items()
                    if name in {p.name for p in operation.query} and mode == GenerationMode.POSITIVE
                },
            )

            try:
                fuzz(strategy, checks=checks, headers=headers, cookies=cookies)
            except Unsatisfiable:
                continue  # nothing in the operation can be made invalid but its fixed path ids
            except (Exception, BaseExceptionGroup) as error:  # each failure is reported with its operation
                failures.append(f"{label} [{mode.value}]: {str(error)[:1500]}")
    assert operations > 50, f"only {operations} operations in the schema"
    assert not failures, "\n\n".join(failures)
