"""The pages and API lists a reviewer and an annotator open, with the URLs to request on a project."""

from django.urls import reverse

from annotator.corpus.models import Passage
from annotator.labeling.models import Assignment
from annotator.review.queue import review_queue

# Pages whose figures sum the whole project (who says what's coverage, the export page's counts): their
# cost grows with the project by nature, and reading half a small test database, a sequential scan is the
# planner's right choice. They keep a fixed number of queries; the lists and the queue page by index.
WHOLE_PROJECT_FIGURES = ("who-says-what", "/exports/")


def pages(project, annotator) -> list[tuple[str, str]]:
    passage = Passage.objects.filter(document__project=project).order_by("-id").first()
    assignment = Assignment.objects.get(annotator=annotator, passage=passage).pk
    queue = reverse("review-queue", args=[project.slug])
    second = review_queue(project=project).next_cursor.encode()
    return [
        ("reviewer", queue),
        ("reviewer", f"{queue}?after={second}"),
        ("reviewer", f"{queue}?label=stance:favor"),
        ("reviewer", reverse("review-next", args=[project.slug])),
        ("reviewer", f"/api/v1/review-queue/?project={project.pk}"),
        ("reviewer", reverse("review-passage", args=[project.slug, passage.pk])),
        ("reviewer", reverse("project-detail", args=[project.slug])),
        ("reviewer", f"/api/v1/claims/?project={project.pk}"),
        ("reviewer", f"/api/v1/assignments/?project={project.pk}"),
        ("reviewer", reverse("speakers-curate", args=[project.slug])),
        ("reviewer", reverse("agreement-dashboard", args=[project.slug])),
        ("reviewer", reverse("who-says-what", args=[project.slug])),
        ("reviewer", reverse("exports", args=[project.slug])),
        ("reviewer", f"/api/v1/exports/?project={project.pk}"),
        ("reviewer", f"/api/v1/agreement-runs/?project={project.pk}"),
        ("reviewer", f"/api/v1/speakers/?project={project.pk}"),
        ("reviewer", f"/api/v1/documents/?project={project.pk}"),
        ("annotator", reverse("home")),
        ("annotator", reverse("project-detail", args=[project.slug])),
        ("annotator", reverse("annotate", args=[project.slug, assignment])),
        ("annotator", reverse("my-passages", args=[project.slug])),
        ("annotator", f"/api/v1/assignments/?project={project.pk}"),
        ("annotator", f"/api/v1/assignments/next/?project={project.pk}"),
        ("annotator", f"/api/v1/claims/?project={project.pk}"),
    ]
