"""The REST API under /api/v1/: each concern registers its viewsets on one router."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from api import (
    agreement,
    analytics,
    article_jobs,
    corpus,
    exports,
    history,
    imports,
    labeling,
    projects,
    review,
    schema,
    suggestions,
    tokens,
)

router = DefaultRouter()
for module in (
    projects,
    corpus,
    schema,
    labeling,
    suggestions,
    agreement,
    analytics,
    review,
    exports,
    imports,
    article_jobs,
    tokens,
    history,
):
    module.register(router)

urlpatterns = [path("", include(router.urls))]
