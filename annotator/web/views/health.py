"""Health probes for load balancers and orchestrators: deliberately public, answered for any Host.

- ``GET /healthz``: the process is up and answers (no database, no broker): 200 ``{"status": "ok"}``.
- ``GET /readyz``: it can serve: the database answers, every migration is applied, the broker and the
  shared cache answer (annotator/health.py); 200, or 503 naming each failing check and why.

annotator.middleware.HealthProbeMiddleware answers these paths before any other middleware (no host
check, HTTPS redirect, session, CSRF, lockout or throttle); the URL conf names the same views. They reveal
nothing: no versions, hosts or error text, only each check's answer.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from annotator import health


def _probe_response(body: dict, *, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status)
    # A cached answer would tell a load balancer about the past.
    add_never_cache_headers(response)
    # SecurityMiddleware never sees these responses.
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return _probe_response({"status": "ok"})


@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    checks = health.readiness()
    if health.ready(checks):
        return _probe_response({"status": "ok", "checks": checks})
    return _probe_response({"status": "unavailable", "checks": checks}, status=503)


PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {"/healthz": healthz, "/readyz": readyz}
