from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator.corpus.models import Document, Project
from annotator.suggestions.services import DETECTOR_VERSION, suggestions_detect_documents


class Command(BaseCommand):
    help = "Compute (again) the suggested quotes and speakers of a project's documents, here and now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, help="the project's slug")
        parser.add_argument("--document", type=int, help="only this document (its id)")

    def handle(self, *args: Any, project: str, document: int | None, **options: Any) -> None:
        target = Project.objects.filter(slug=project).first()
        if target is None:
            raise CommandError(f"--project: no project with the slug {project!r}.")
        documents = Document.objects.filter(project=target)
        if document is not None:
            documents = documents.filter(pk=document)
            if not documents.exists():
                raise CommandError(f"--document: no document {document} in {target.slug!r}.")
        ids = list(documents.order_by("pk").values_list("pk", flat=True))
        outcome = suggestions_detect_documents(document_ids=ids)
        self.stdout.write(
            f"{len(ids)} documents (detector version {DETECTOR_VERSION}): {outcome.added} suggestions added, "
            f"{outcome.updated} updated, {outcome.removed} removed, {outcome.kept} kept."
        )
