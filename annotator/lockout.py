"""Login lockout on top of django-axes: the backend, the client address and the answer to a locked-out client.

Axes counts failed logins per (username, address) and refuses that pair for AXES_COOLOFF_TIME once it has
failed AXES_FAILURE_LIMIT times. The login page gets a page saying so; an API client gets a JSON 429 with
Retry-After, like a throttled request.
"""

import math
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out (username, address) before any password is checked.

    A call without a request (a management command, the test client's login()) has no client to lock out,
    so it is left to the next backend instead of failing as the stock Axes backend does.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except PermissionDenied:
            # An API view passes DRF's wrapper: mark the request the lockout middleware sees, so an API
            # client gets the JSON 429 too rather than the view's "wrong credentials".
            getattr(request, "_request", request).axes_locked_out = True
            raise


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the last X-Forwarded-For entry (the one our proxy added) behind a trusted proxy,
    else the connection's address, which a client cannot choose."""
    if settings.TRUSTED_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")


def wants_json(request: HttpRequest) -> bool:
    accept = request.META.get("HTTP_ACCEPT", "")
    return (
        request.path.startswith("/api/")
        or "application/json" in accept
        or request.META.get("HTTP_X_REQUESTED_WITH") == "XMLHttpRequest"
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """429 for a locked-out login: JSON with Retry-After for API clients, the lockout page for browsers."""
    cool_off = get_cool_off(request)
    retry_after = max(1, math.ceil(cool_off.total_seconds())) if cool_off else None
    minutes = max(1, math.ceil(retry_after / 60)) if retry_after else None
    detail = (
        f"Too many failed logins for this username from your address. Try again in {minutes} minutes, "
        "or ask an administrator to unlock the account."
        if minutes
        else "Too many failed logins for this username from your address. Ask an administrator to unlock it."
    )
    if wants_json(request):
        response: HttpResponse = JsonResponse({"detail": detail, "retry_after": retry_after}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"detail": detail}, status=429)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
