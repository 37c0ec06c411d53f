"""`annotator serve`: the site in production, on gunicorn with annotator/gunicorn_conf.py.

Collects the static files when they have changed (whitenoise serves them, compressed), then replaces
this process with gunicorn: the same pid, so a process manager's signals (SIGTERM: finish the requests
being served, then stop; SIGHUP: reload the workers) reach gunicorn's master directly. Options it does not
know go to gunicorn as they are: `annotator serve --max-requests 1000`.
"""

import hashlib
import os
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotator import gunicorn_conf
from annotator.web.management.commands.worker import collect_unknown_options

# Written into STATIC_ROOT after a collectstatic: the fingerprint of the static files it was run on.
STAMP_NAME = ".collected"


def static_fingerprint() -> str:
    """A hash of every static file's path, size and modification time, as the finders see them."""
    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list(ignore_patterns=[]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def static_collect_if_changed() -> bool:
    """Run collectstatic unless STATIC_ROOT already holds these files; whether it ran.

    Compressing them takes ~10 s even when nothing has changed, too long for every start."""
    stamp = Path(settings.STATIC_ROOT) / STAMP_NAME
    fingerprint = static_fingerprint()
    if stamp.is_file() and stamp.read_text().strip() == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint + "\n")
    return True


class Command(BaseCommand):
    # This process only starts gunicorn; the checks would load every URL and view here, only to be thrown
    # away by the exec (seconds of every start). A worker that cannot load the app stops gunicorn with
    # the error ("Worker failed to boot"); `manage.py check --deploy` is for the deployment's own checks.
    requires_system_checks = []
    help = (
        "Serve the site with gunicorn (gthread workers; annotator/gunicorn_conf.py), after collecting the "
        "static files if they changed. Options it does not know are passed to gunicorn."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, allow_abbrev=False, **kwargs)
        return collect_unknown_options(parser, "gunicorn_args")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind", metavar="ADDR:PORT",
            help="where to listen (WEB_BIND; with only PORT set, 0.0.0.0:PORT; default 127.0.0.1:8000)",
        )  # fmt: skip
        parser.add_argument(
            "--workers", type=int,
            help=f"worker processes (WEB_CONCURRENCY; default {gunicorn_conf.DEFAULT_WORKERS}: "
            "one per two CPUs, 1 to 4)",
        )  # fmt: skip
        parser.add_argument(
            "--threads", type=int,
            help="requests each worker serves at once "
            f"(WEB_THREADS; default {gunicorn_conf.DEFAULT_THREADS})",
        )  # fmt: skip
        parser.add_argument(
            "--timeout", type=int,
            help="seconds a worker may stay unresponsive before it is restarted; not a limit on requests, "
            "which may stream for as long as they need "
            f"(WEB_TIMEOUT; default {gunicorn_conf.DEFAULT_TIMEOUT})",
        )  # fmt: skip
        parser.add_argument(
            "--no-collectstatic", dest="collectstatic", action="store_false",
            help="do not collect the static files first (an install that collected them when it was built); "
            "with STATIC_ROOT empty they are served, uncompressed, from the apps' folders",
        )  # fmt: skip

    def handle(
        self,
        *args,
        bind: str | None,
        workers: int | None,
        threads: int | None,
        timeout: int | None,
        collectstatic: bool,
        gunicorn_args=(),
        **options,
    ) -> None:
        for name, value in (("--workers", workers), ("--threads", threads), ("--timeout", timeout)):
            if value is not None and value < 1:
                raise CommandError(f"{name} must be at least 1.")
        try:
            if collectstatic and static_collect_if_changed():
                self.stderr.write(f"annotator serve: static files collected into {settings.STATIC_ROOT}")
        except OSError as error:
            raise CommandError(
                f"Could not collect the static files into STATIC_ROOT ({error}). Set STATIC_ROOT to a folder "
                "this user may write, or collect them beforehand and start with --no-collectstatic."
            ) from None
        if collectstatic or any(Path(settings.STATIC_ROOT).glob("*")):
            # Serve the collected files, with their compressed variants (annotator/settings.py).
            os.environ["STATIC_FROM_FINDERS"] = "0"
        if settings.CELERY_TASK_ALWAYS_EAGER:
            self.stderr.write(
                "annotator serve: no CELERY_BROKER_URL, so agreement runs, export and import jobs run inside "
                "the web workers; set it and run `annotator worker` to run them apart."
            )
        command = [sys.executable, "-m", "gunicorn", "--config", gunicorn_conf.__file__]
        for flag, value in (("--bind", bind), ("--workers", workers), ("--threads", threads),
                            ("--timeout", timeout)):  # fmt: skip
            if value is not None:
                command += [flag, str(value)]
        self.stdout.flush()
        self.stderr.flush()
        # The config as a file, not `python:annotator.gunicorn_conf`: importing the package would load
        # Celery and Django's database layer into the master, which only watches the workers.
        os.execv(sys.executable, [*command, *gunicorn_args])  # noqa: S606  (our own interpreter)
