from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator.corpus.models import Project
from annotator.labeling.assignment_services import assignments_distribute


class Command(BaseCommand):
    help = "Assign each passage of a project to `overlap` annotators (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, help="project slug")

    def handle(self, *args, project: str, **options) -> None:
        try:
            target = Project.objects.get(slug=project)
        except Project.DoesNotExist as error:
            raise CommandError(f"No project with slug {project!r}.") from error
        added = assignments_distribute(project=target)
        self.stdout.write(f"{added} new assignments in {target.slug}.")
