"""`annotator demo`: a ready project with the seed articles, demo users and assignments, then serve it."""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from annotator.corpus.importing import import_path
from annotator.corpus.models import Project
from annotator.corpus.services import membership_set, project_create
from annotator.labeling.services import assignments_distribute

DEMO_FILE = settings.BASE_DIR / "fixtures" / "demo.json"
SEEDS_DIR = settings.BASE_DIR / "seeds"


class Command(BaseCommand):
    help = "Migrate, create the demo project, users and assignments, import seeds/, and serve the site."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="set everything up, then exit")

    def handle(self, *args, addrport: str, no_serve: bool, **options) -> None:
        call_command("migrate", verbosity=0, interactive=False)
        demo = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
        project = Project.objects.filter(slug=demo["project"]["slug"]).first() or project_create(
            **demo["project"]
        )
        User = get_user_model()
        for spec in demo["users"]:
            user, created = User.objects.get_or_create(username=spec["username"])
            if created:
                user.set_password(spec["password"])
                user.is_staff = user.is_superuser = spec.get("superuser", False)
                user.save()
            membership_set(project=project, user=user, role=spec["role"])
        for path in sorted(Path(SEEDS_DIR).glob("*.txt")):
            summary = import_path(project=project, path=path)
            self.stdout.write(
                f"{path.name}: {summary.documents} document, {summary.passages} passages"
                + (" (already imported)" if summary.skipped_duplicates else "")
            )
        added = assignments_distribute(project=project)
        self.stdout.write(f"{added} new assignments ({project.overlap} annotators per passage).")
        self.stdout.write("\nDemo users (username / password / role):")
        for spec in demo["users"]:
            self.stdout.write(f"  {spec['username']:<11} {spec['password']:<22} {spec['role']}")
        if no_serve:
            return
        self.stdout.write(f"\nOpen http://{addrport}/ and log in.\n")
        call_command("runserver", addrport, use_reloader=False)
