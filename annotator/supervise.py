"""Keep a child process running: start it again when it exits abnormally, waiting longer each time.

Plain Python (no Django), used by ``annotator worker``. SIGTERM, SIGINT and SIGQUIT are passed on to the
child and end the supervision once it has exited; SIGHUP is passed on only. The child gets SIGTERM if the
supervisor itself dies (Linux), so a worker is never left running without its supervisor.

``annotator worker`` replaces its own process with this file run as a script
(``python -P annotator/supervise.py [--longest S] [--give-up-on N,...] [--name NAME] -- COMMAND...``): a
supervisor that only waits for its child needs ~10 MiB, where the Django process that parsed the command
line holds ~125 MiB (the apps, their models and, through them, numpy and scipy). Run as a file rather than
as ``-m annotator.supervise``, which would import the ``annotator`` package and with it Celery; ``-P`` keeps
this folder (its ``numbers.py`` would shadow the standard library's) off ``sys.path``.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)


@dataclass
class Backoff:
    """Seconds to wait before restarting: doubling from ``first`` up to ``longest``; back to ``first``
    after a child that ran at least ``healthy_after`` seconds."""

    first: float = 1.0
    longest: float = 60.0
    healthy_after: float = 60.0
    _next: float = field(default=0.0, init=False)

    def after_exit(self, ran_for: float) -> float:
        if ran_for >= self.healthy_after or not self._next:
            self._next = self.first
        wait, self._next = self._next, min(self._next * 2, self.longest)
        return wait


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"signal {-returncode}"
    return f"exit code {returncode}"


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux for SIGTERM when the supervisor dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Supervisor:
    """Runs ``command`` until it exits with 0 or a stop signal arrives; returns the last exit status."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        backoff: Backoff | None = None,
        give_up_on: Sequence[int] = (),
        say: Callable[[str], None] = print,
    ) -> None:
        self.command = list(command)
        self.env = dict(env) if env is not None else None
        self.backoff = backoff or Backoff()
        self.give_up_on = set(give_up_on)  # exit codes that restarting cannot cure (a wrong command line)
        self.say = say
        self.child: subprocess.Popen | None = None
        self.restarts = 0
        self._stopping = threading.Event()

    def run(self) -> int:
        handled = (*STOP_SIGNALS, signal.SIGHUP)
        previous = {signum: signal.signal(signum, self._on_signal) for signum in handled}
        try:
            return self._supervise()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _supervise(self) -> int:
        while True:
            started = time.monotonic()
            self.child = subprocess.Popen(self.command, env=self.env, preexec_fn=_die_with_parent)
            self.say(f"worker started (pid {self.child.pid})")
            returncode = self.child.wait()
            if self._stopping.is_set():
                self.say(f"worker stopped ({describe_exit(returncode)})")
                return returncode
            if returncode == 0:
                self.say("worker exited normally")
                return 0
            if returncode in self.give_up_on:
                self.say(f"worker refused to start ({describe_exit(returncode)}); not starting it again")
                return returncode
            ran_for = time.monotonic() - started
            wait = self.backoff.after_exit(ran_for)
            self.say(
                f"worker died ({describe_exit(returncode)}) after {ran_for:.0f} s; "
                f"starting it again in {wait:.0f} s"
            )
            if self._stopping.wait(wait):
                return returncode
            self.restarts += 1

    def _on_signal(self, signum: int, frame: object) -> None:
        if signum in STOP_SIGNALS:
            self._stopping.set()
        child = self.child
        if child is not None and child.poll() is None:
            child.send_signal(signum)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run COMMAND, starting it again whenever it fails.")
    parser.add_argument("--longest", type=float, default=60.0, help="longest pause before a restart (s)")
    parser.add_argument(
        "--give-up-on", default="", help="exit codes, comma-separated, after which it is not started again"
    )
    parser.add_argument("--name", default="supervise", help="the prefix of the lines it prints")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command and its arguments")
    options = parser.parse_args(argv)
    command = options.command[1:] if options.command[:1] == ["--"] else options.command
    if not command:
        parser.error("no command to run")
    supervisor = Supervisor(
        command,
        backoff=Backoff(longest=options.longest),
        give_up_on=[int(code) for code in options.give_up_on.split(",") if code.strip()],
        say=lambda line: print(f"{options.name}: {line}", file=sys.stderr, flush=True),
    )
    returncode = supervisor.run()
    # A child killed by a signal is reported as the shells do (128 + the signal's number).
    return returncode if returncode >= 0 else 128 - returncode


if __name__ == "__main__":
    sys.exit(main())
