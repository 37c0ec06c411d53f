"""`annotator bench [--quick] [--only save,import,...] [--json]`: every benchmark, one table.

Run from a checkout: the benchmarks are the top-level `bench` package beside `annotator/` (not part of the
installed distribution). They need a scratch PostgreSQL database (DATABASE_URL, whose name must contain
"bench" or start with "test_", created if missing; without it `annotator_bench` on 127.0.0.1:5432), the
test extras (gunicorn, requests) and a Redis database of their own as the worker's broker (`--broker`,
emptied before a worker is started).
"""

import os
import signal
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/annotator_bench"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/15"


class Command(BaseCommand):
    help = (
        "Run every benchmark on a scratch PostgreSQL database and print one table: ours (median of several "
        "runs, min–max), a floor measured in the same run, and peers' reference figures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run of a minute or so")
        parser.add_argument(
            "--only", default="", help="row groups, comma-separated: save, concurrent, import, export, "
            "agreement, memory, pages (default: all but pages, which builds 2M more claims)",
        )  # fmt: skip
        parser.add_argument("--json", action="store_true", help="print the rows as JSON instead of a table")
        parser.add_argument("--broker", default=DEFAULT_BROKER_URL, help="Redis URL for the worker's queue")

    def handle(
        self, *args: object, quick: bool, only: str, json: bool, broker: str, **options: object
    ) -> None:
        self._import_bench()
        from bench import runner

        groups = [g.strip() for g in only.split(",") if g.strip()] or list(runner.DEFAULT_GROUPS)
        unknown = sorted(set(groups) - set(runner.GROUPS))
        if unknown:
            raise CommandError(
                f"Unknown row group(s) {', '.join(unknown)}: choose from {', '.join(runner.GROUPS)}."
            )
        self._environment(broker, quick=quick, only=only, json=json)
        name = settings.DATABASES["default"]["NAME"]
        if "bench" not in name and not name.startswith("test_"):
            raise CommandError(
                f"Refusing to benchmark on the database {name!r}: give DATABASE_URL a scratch database whose "
                "name contains 'bench' (its bench projects are created and deleted)."
            )
        _create_database(settings.DATABASES["default"])
        call_command("migrate", verbosity=0)
        # Stopped with SIGTERM, still stop gunicorn and the worker and delete the bench projects.
        signal.signal(signal.SIGTERM, _interrupt)

        def log(message: str) -> None:
            self.stderr.write(message)

        rows, failed = runner.run(groups, quick=quick, broker_url=broker, log=log)
        if json:
            runner.print_json(
                rows, self.stdout, database=name, quick=quick, cpus=os.cpu_count(), failed=failed
            )
        else:
            self.stdout.write(
                f"annotator bench{' --quick' if quick else ''}: PostgreSQL database {name}, "
                f"{os.cpu_count()} CPUs\n"
            )
            runner.print_table(rows, self.stdout)
        if failed:
            raise CommandError(f"These row groups failed (see above): {', '.join(failed)}.")

    def _import_bench(self) -> None:
        root = Path(settings.BASE_DIR)
        if not (root / "bench" / "runner.py").exists():
            raise CommandError(
                f"`annotator bench` runs from a checkout: no bench/ beside {root / 'annotator'}."
            )
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))

    def _environment(self, broker: str, **options: object) -> None:
        """Settings are read from the environment once: without DATABASE_URL (or with another broker) the
        command runs itself again with them set (and the bench's raised API throttles)."""
        from bench.processes import SERVER_ENVIRONMENT

        # The bench's own requests (in-process ones too) are checked against the same raised throttles.
        wanted = {"CELERY_BROKER_URL": broker, **SERVER_ENVIRONMENT}
        if os.environ.get("DATABASE_URL") and all(os.environ.get(k) == v for k, v in wanted.items()):
            if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
                raise CommandError("DATABASE_URL must name a PostgreSQL database.")
            return
        os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
        os.environ.update(wanted)
        argv = [sys.executable, "-m", "bench", "--broker", broker]
        argv += ["--quick"] * bool(options["quick"]) + ["--json"] * bool(options["json"])
        argv += ["--only", str(options["only"])] if options["only"] else []
        os.chdir(settings.BASE_DIR)
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, argv)  # noqa: S606  (this same command, its settings from the environment)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _create_database(database: dict) -> None:
    """Create the scratch database if it does not exist yet (connecting to the server's `postgres`)."""
    import psycopg

    server = {"host": database["HOST"], "port": database["PORT"], "user": database["USER"]}
    server["password"] = database["PASSWORD"]
    given = {key: value for key, value in server.items() if value}
    with psycopg.connect(dbname="postgres", autocommit=True, **given) as connection:
        name = database["NAME"]
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
