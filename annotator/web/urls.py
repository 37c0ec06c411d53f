from django.urls import include, path

from annotator.web.views import (
    analytics,
    annotate,
    corpus,
    dashboard,
    exports,
    manage,
    navigator,
    projects,
    review,
    schema,
    speakers,
    tokens,
)

urlpatterns = [
    path("", corpus.home, name="home"),
    path("", include(tokens.urlpatterns)),
    path("projects/", include(projects.top_urlpatterns)),  # before projects/<slug>/: "new" is no slug
    path("projects/<slug:slug>/", corpus.project_detail, name="project-detail"),
    path("projects/<slug:slug>/documents/<int:document_id>/", corpus.document_detail, name="document-detail"),
    path("projects/<slug:slug>/", include(annotate.urlpatterns)),
    path("projects/<slug:slug>/", include(review.urlpatterns)),
    path("projects/<slug:slug>/", include(speakers.urlpatterns)),
    path("projects/<slug:slug>/", include(dashboard.urlpatterns)),
    path("projects/<slug:slug>/", include(exports.urlpatterns)),
    path("projects/<slug:slug>/", include(projects.urlpatterns)),
    path("projects/<slug:slug>/", include(schema.urlpatterns)),
    path("projects/<slug:slug>/", include(manage.urlpatterns)),
    path("projects/<slug:slug>/", include(navigator.urlpatterns)),
    path("projects/<slug:slug>/", include(analytics.urlpatterns)),
]
