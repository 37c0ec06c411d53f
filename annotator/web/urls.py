from django.urls import path

from annotator.web.views import corpus

urlpatterns = [
    path("", corpus.home, name="home"),
    path("projects/<slug:slug>/", corpus.project_detail, name="project-detail"),
    path("projects/<slug:slug>/documents/<int:document_id>/", corpus.document_detail, name="document-detail"),
]
