"""Refuses an oversized API request body with a JSON 413 before anything reads it.

Django itself raises RequestDataTooBig only once something reads the body, and answers it with an HTML 400;
an API client deserves a status that says what happened and the limit it ran into.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


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
