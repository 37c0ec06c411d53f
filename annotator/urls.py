from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from annotator.web.views.health import healthz, readyz

urlpatterns = [
    # Public probes for load balancers; HealthProbeMiddleware answers them first (see the view module).
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file, so the page needs no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # Redoc runs its search in a Web Worker made from a blob: URL, and its footer shows Redocly's logo.
    path(
        "api/redoc/",
        csp_update({"worker-src": ["'self'", "blob:"], "img-src": ["https://cdn.redoc.ly"]})(
            SpectacularRedocView.as_view(url_name="schema")
        ),
        name="api-redoc",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("annotator.web.urls")),
]
