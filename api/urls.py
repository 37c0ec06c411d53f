"""The REST API under /api/v1/: each concern registers its viewsets on one router."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from api import agreement, corpus, exports, imports, labeling, review

router = DefaultRouter()
for module in (corpus, labeling, agreement, review, exports, imports):
    module.register(router)

urlpatterns = [path("", include(router.urls))]
