"""`annotator worker`: a Celery worker with the job reaper inside it, started again whenever it dies.

Lives beside `demo` and `serve` (the other commands that run the site's processes). Options it does not know
are Celery's and go to `celery worker` as they are: `annotator worker -Q exports -n exports@%h --pool solo`.
"""

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator import supervise

# Threads, not processes: one worker process holds ~155 MiB idle, where prefork's parent and two children
# held ~400 MiB (each child ~120 MiB: Django, numpy, scipy). The jobs mostly wait on PostgreSQL, disk or
# numpy (which releases the GIL in its large operations); a process lost with two jobs in it loses no
# work, since the reaper re-queues both. `--pool prefork` gives each job a process of its own.
DEFAULT_POOL = "threads"
# One thread per CPU, at least 2 (so an agreement run never holds up an export) and at most 4: an agreement
# run over a million claims holds ~350 MB and an export streams from PostgreSQL, so more mostly add memory.
DEFAULT_CONCURRENCY = max(2, min(os.cpu_count() or 1, 4))
# `celery` exits with these for a command line it cannot run (click's usage error, EX_USAGE): starting it
# again would only repeat the message.
USAGE_ERRORS = (2, 64)


def collect_unknown_options(parser: CommandParser, dest: str) -> CommandParser:
    """Make `parser` keep the options it does not know, in order, under `dest` instead of failing."""
    parse_known_args = parser.parse_known_args

    def parse_args(args: Sequence[str] | None = None, namespace=None):
        options, extra = parse_known_args(args, namespace)
        setattr(options, dest, [*getattr(options, dest, ()), *extra])
        return options

    parser.parse_args = parse_args
    return parser


def names_pool(arguments: Sequence[str]) -> bool:
    """Whether Celery's own options choose a pool (`-P threads`, `--pool=solo`, `-Psolo`)."""
    return any(arg in ("-P", "--pool") or arg.startswith(("--pool=", "-P")) for arg in arguments)


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
        return collect_unknown_options(parser, "celery_args")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-c", "--concurrency", type=int, default=DEFAULT_CONCURRENCY,
            help=f"jobs at once (default {DEFAULT_CONCURRENCY}: CPUs, at least 2, at most 4)",
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
            *([] if names_pool(celery_args) else ["--pool", DEFAULT_POOL]),
            *celery_args,
        ]  # fmt: skip
        self.stdout.flush()
        self.stderr.flush()
        # This process becomes the supervisor, a small plain-Python one (annotator/supervise.py says why):
        # the same pid, so signals sent to `annotator worker` reach the supervisor as before.
        os.execv(  # noqa: S606  (our own interpreter, a list of arguments)
            sys.executable,
            [
                sys.executable, "-P", str(Path(supervise.__file__)),
                "--longest", str(max_backoff),
                "--give-up-on", ",".join(map(str, USAGE_ERRORS)),
                "--name", "annotator worker",
                "--", *command,
            ],
        )  # fmt: skip
