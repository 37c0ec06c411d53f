"""`annotator worker`: a Celery worker with the job reaper inside it, started again whenever it dies.

Lives beside `demo` (the other command that runs the site's processes). Options it does not know are
Celery's and go to `celery worker` as they are: `annotator worker -Q exports -n exports@%h --pool solo`.
"""

import os
import sys
from collections.abc import Sequence

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator.supervise import Backoff, Supervisor

# One process per CPU, as Celery does, but at most 4 by default: an agreement run over a million claims
# holds ~350 MB and an export streams from PostgreSQL, so more processes mostly add memory. Say -c N.
DEFAULT_CONCURRENCY = max(1, min(os.cpu_count() or 1, 4))
# `celery` exits with these for a command line it cannot run (click's usage error, EX_USAGE): starting it
# again would only repeat the message.
USAGE_ERRORS = (2, 64)


class Command(BaseCommand):
    # The supervisor only starts a process: the checks (which import every URL and view) are the worker's.
    requires_system_checks = []
    help = (
        "Run a Celery worker with the job reaper inside it (lost or stale agreement runs, export and article "
        "import jobs are re-queued and sent again, also right after Redis comes back); start it again, with "
        "a growing pause, whenever it exits abnormally. Other options are passed to `celery worker`."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        # Unknown options are Celery's: collect them instead of failing (and never abbreviate ours).
        parser = super().create_parser(prog_name, subcommand, allow_abbrev=False, **kwargs)
        parse_known_args = parser.parse_known_args

        def parse_args(args: Sequence[str] | None = None, namespace=None):
            options, extra = parse_known_args(args, namespace)
            options.celery_args = [*getattr(options, "celery_args", ()), *extra]
            return options

        parser.parse_args = parse_args
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-c", "--concurrency", type=int, default=DEFAULT_CONCURRENCY,
            help=f"worker processes (default {DEFAULT_CONCURRENCY}: CPUs, at most 4)",
        )  # fmt: skip
        parser.add_argument(
            "--recover-every", type=float, default=settings.JOBS_RECOVER_EVERY,
            help="seconds between passes of the job reaper (JOBS_RECOVER_EVERY; 0: none)",
        )  # fmt: skip
        parser.add_argument(
            "--max-backoff", type=float, default=60.0,
            help="longest pause in seconds before starting a dead worker again (the first is 1 s)",
        )  # fmt: skip

    def handle(
        self, *args, concurrency: int, recover_every: float, max_backoff: float, celery_args=(), **options
    ) -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise CommandError(
                "No broker is configured (CELERY_BROKER_URL), so tasks run in the web process and there is "
                "nothing for a worker to do. Set CELERY_BROKER_URL=redis://HOST:6379/0 in both."
            )
        if concurrency < 1:
            raise CommandError("--concurrency must be at least 1.")
        command = [
            sys.executable, "-m", "celery",
            # CELERY_APP, as Celery itself reads it, names another app (one that wraps ours).
            "-A", os.environ.get("CELERY_APP", "annotator"),
            "worker",
            "--loglevel", "INFO",
            "--concurrency", str(concurrency),
            "--recover-every", str(recover_every),
            # Gossip and mingle only serve monitoring and revokes across workers, which we do not use, and
            # each reconnect would redo them; the job rows are what workers share.
            "--without-gossip", "--without-mingle",
            *celery_args,
        ]  # fmt: skip
        supervisor = Supervisor(
            command,
            backoff=Backoff(longest=max_backoff),
            give_up_on=USAGE_ERRORS,
            say=lambda line: self.stderr.write(f"annotator worker: {line}"),
        )
        returncode = supervisor.run()
        if returncode:
            sys.exit(returncode if returncode > 0 else 128 - returncode)
