import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator import jsonsafe
from annotator.corpus.project_services import project_create_by


class Command(BaseCommand):
    help = "Create a project; with --manager, that user manages it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--schema", type=Path, help="a JSON label schema (default: the built-in one)")
        parser.add_argument("--overlap", type=int, default=3, help="annotators per passage (1-50)")
        parser.add_argument("--guidelines", type=Path, help="a Markdown file")
        parser.add_argument("--manager", help="username of the project's manager")
        parser.add_argument("--open", action="store_true", help="annotators see each other's work")
        parser.add_argument(
            "--no-suggestions", action="store_true", help="the editor shows no suggested quotes or speakers"
        )

    def handle(self, *args: Any, slug: str, name: str, **options: Any) -> None:
        manager = None
        if options["manager"]:
            manager = get_user_model().objects.filter(username=options["manager"]).first()
            if manager is None:
                raise CommandError(f"--manager: no user named {options['manager']!r}.")
        schema = None
        if options["schema"]:
            try:
                schema = jsonsafe.loads(_read(options["schema"], "--schema"))
            except json.JSONDecodeError as error:
                raise CommandError(f"--schema: {options['schema']} is not JSON ({error}).") from error
        guidelines = _read(options["guidelines"], "--guidelines") if options["guidelines"] else ""
        try:
            project = project_create_by(
                user=manager,
                name=name,
                slug=slug,
                overlap=options["overlap"],
                blind=not options["open"],
                suggestions=not options["no_suggestions"],
                guidelines=guidelines,
                schema=schema,
            )
        except ValidationError as error:
            problems = error.message_dict if hasattr(error, "error_dict") else {"project": error.messages}
            raise CommandError(
                "; ".join(f"{field}: {' '.join(messages)}" for field, messages in problems.items())
            ) from error
        managed = f", managed by {manager.get_username()}" if manager else ""
        self.stdout.write(f"Created project {project.slug!r} ({project.name}){managed}.")


def _read(path: Path, option: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"{option}: cannot read {path} ({error}).") from error
