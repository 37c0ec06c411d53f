"""Keep a child process running: start it again when it exits abnormally, waiting longer each time.

Plain Python (no Django), used by ``annotator worker``. SIGTERM, SIGINT and SIGQUIT are passed on to the
child and end the supervision once it has exited; SIGHUP is passed on only. The child gets SIGTERM if the
supervisor itself dies (Linux), so a worker is never left running without its supervisor.
"""

from __future__ import annotations

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
