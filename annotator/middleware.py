"""Middleware of our own: request size limit, request ids, health probes.

RequestSizeLimitMiddleware refuses an oversized API request body with a JSON 413 before anything reads it.
Django itself raises RequestDataTooBig only once something reads the body, and answers it with an HTML 400;
an API client deserves a status that says what happened and the limit it ran into.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse, JsonResponse

from annotator.logging_context import REQUEST_ID, request_id_or_new
from annotator.web.views.health import PROBES

REQUEST_ID_HEADER = "X-Request-ID"


def body_limit_exceeded(size: int, limit: int) -> JsonResponse:
    return JsonResponse(
        {
            "detail": f"The request body is {size} bytes; the limit is {limit} bytes "
            f"({limit // (1024 * 1024)} MB). Files are uploaded as multipart/form-data.",
            "limit_bytes": limit,
        },
        status=413,
    )


class RequestSizeLimitMiddleware:
    """API requests whose declared body is over DATA_UPLOAD_MAX_MEMORY_SIZE get a JSON 413.

    Multipart requests (file uploads) pass: the importers check each file against their own limit and
    answer 413 naming the file.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and request.path.startswith("/api/"):
            content_type = request.META.get("CONTENT_TYPE", "")
            try:
                size = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                size = 0
            if size > limit and not content_type.startswith("multipart/"):
                return body_limit_exceeded(size, limit)
        return self.get_response(request)


class RequestIdMiddleware:
    """Gives each request an id: the caller's X-Request-ID when it is short and plain (a proxy's), else a
    new one. It is in every log record of the request (annotator/logging_context.py), in the headers of
    the tasks the request sends, and in the response's X-Request-ID (gunicorn's access log prints it).

    First in MIDDLEWARE, so every response carries it. The id stays set until the response is closed
    (request_finished), not only until the middleware returns: Django logs a 4xx or 5xx response after
    the middleware, and a streamed export logs while it streams.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_or_new(request.META.get("HTTP_X_REQUEST_ID"))
        REQUEST_ID.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _request_id_clear(**kwargs: object) -> None:
    REQUEST_ID.set(None)


request_finished.connect(_request_id_clear, dispatch_uid="annotator.request_id_clear")


class HealthProbeMiddleware:
    """Answers GET /healthz and /readyz before any other middleware: a load balancer probing a machine by
    its address is not refused by ALLOWED_HOSTS, redirected to HTTPS, given a session, a CSRF cookie or a
    lockout, nor throttled. The views are also in the URL conf (annotator/web/views/health.py), where
    they are named and tested like any other route.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        return probe(request)
