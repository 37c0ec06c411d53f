"""`annotator demo`: a ready project with the seed articles, demo users and assignments, simulated
annotations with an adjudicated gold and their agreement figures, then serve it."""

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator.corpus.importing import import_path
from annotator.corpus.models import Project
from annotator.corpus.services import membership_set, project_create
from annotator.labeling.assignment_services import assignments_distribute
from annotator.suggestions.services import suggestions_detect_documents
from annotator.web.demo.gold import GoldError
from annotator.web.demo.loading import DemoLoad, demo_annotations_load

DEMO_FILE = settings.BASE_DIR / "fixtures" / "demo.json"
SEEDS_DIR = settings.BASE_DIR / "seeds"
GOLD_DIR = settings.BASE_DIR / "fixtures" / "gold"


class Command(BaseCommand):
    help = (
        "Migrate, create the demo project, users and assignments, import seeds/, load the gold and three "
        "simulated annotators' versions of it, compute agreement, and serve the site."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="set everything up, then exit")
        parser.add_argument(
            "--gold", type=Path, default=GOLD_DIR, help="folder of gold files, one per seed article"
        )

    def handle(self, *args, addrport: str, no_serve: bool, gold: Path, **options) -> None:
        call_command("migrate", verbosity=0, interactive=False)
        demo = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
        project = Project.objects.filter(slug=demo["project"]["slug"]).first() or project_create(
            **demo["project"]
        )
        User = get_user_model()
        usernames = [spec["username"] for spec in demo["users"]]
        existing = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
        new = [spec for spec in demo["users"] if spec["username"] not in existing]
        # PBKDF2 takes ~0.6 s a password and releases the GIL: the new users' hashes are made side by side.
        with ThreadPoolExecutor() as pool:
            hashes = list(pool.map(make_password, [spec["password"] for spec in new]))
        for spec, hashed in zip(new, hashes, strict=True):
            superuser = spec.get("superuser", False)
            User.objects.create(
                username=spec["username"], password=hashed, is_staff=superuser, is_superuser=superuser
            )
        users = User.objects.in_bulk(usernames, field_name="username")
        for spec in demo["users"]:
            membership_set(project=project, user=users[spec["username"]], role=spec["role"])
        # seeds/ holds the English articles, seeds/zh/ a Chinese one: the demo project is bilingual.
        for path in sorted(Path(SEEDS_DIR).rglob("*.txt")):
            summary = import_path(project=project, path=path)
            self.stdout.write(
                f"{path.name}: {summary.documents} document, {summary.passages} passages"
                + (" (already imported)" if summary.skipped_duplicates else "")
            )
        added = assignments_distribute(project=project)
        self.stdout.write(f"{added} new assignments ({project.overlap} annotators per passage).")
        reviewer = User.objects.get(
            username=next(u["username"] for u in demo["users"] if u["role"] == "reviewer")
        )
        try:
            loaded = demo_annotations_load(
                project=project, gold_dir=gold, seeds_dir=SEEDS_DIR, reviewer=reviewer
            )
        except GoldError as error:
            raise CommandError(f"gold annotation not loaded: {error}") from None
        self._report(loaded, gold)
        if not loaded.already_loaded:
            # The import suggested quotes before the gold's speakers existed: link them to those now.
            outcome = suggestions_detect_documents(
                document_ids=list(project.documents.order_by("pk").values_list("pk", flat=True))
            )
            self.stdout.write(f"Suggestions: {outcome.added + outcome.kept} in the editor.")
        self.stdout.write("\nDemo users (username / password / role):")
        for spec in demo["users"]:
            self.stdout.write(f"  {spec['username']:<11} {spec['password']:<22} {spec['role']}")
        if no_serve:
            return
        self.stdout.write(f"\nOpen http://{addrport}/ and log in.\n")
        call_command("runserver", addrport, use_reloader=False)

    def _report(self, loaded: DemoLoad, gold: Path) -> None:
        if loaded.already_loaded:
            self.stdout.write("Annotations: the project has claims already; nothing added.")
            return
        if not loaded.gold_files:
            self.stdout.write(f"Annotations: no gold files in {gold}; the passages are left to annotate.")
            return
        self.stdout.write(
            f"Gold ({', '.join(loaded.gold_files)}): {loaded.gold_claims} claims; adjudicated "
            f"{loaded.adjudicated_passages} of {loaded.annotated_passages} passages "
            f"({loaded.adjudicated_claims} gold claims), the rest left in the review queue."
        )
        for note in loaded.speakers_matched:
            self.stdout.write(f"  speaker {note} already (same name or alias)")
        self.stdout.write("Simulated annotators (derived from the gold; see annotator/web/demo/simulate.py):")
        for counts in loaded.annotators:
            self.stdout.write(
                f"  {counts.username:<11} {counts.claims} claims, {counts.submitted} passages submitted"
                + (f", {counts.open} left open" if counts.open else "")
            )
        run = loaded.run
        if run is not None:
            self.stdout.write(f"Agreement run {run.pk}: {run.status}{_headline(run)}.")


def _headline(run) -> str:
    """The position alpha of a finished run, as the dashboard shows it first."""
    try:
        value = run.results["report"]["span"]["position_alpha"]["value"]
    except (KeyError, TypeError):
        return ""
    return "" if value is None else f" (span agreement, Krippendorff's alpha {value:.2f})"
