"""The worker supervisor's pure parts: how long it waits before starting a dead worker again."""

import signal
import sys

from annotator.supervise import Backoff, Supervisor, describe_exit


def test_the_pause_doubles_up_to_the_longest_and_starts_over_after_a_healthy_run():
    backoff = Backoff(first=1, longest=8, healthy_after=60)
    assert [backoff.after_exit(ran_for=2) for _ in range(6)] == [1, 2, 4, 8, 8, 8]
    assert backoff.after_exit(ran_for=61) == 1
    assert backoff.after_exit(ran_for=3) == 2


def test_exits_are_described_by_code_or_signal():
    assert describe_exit(1) == "exit code 1"
    assert describe_exit(-signal.SIGKILL) == "signal SIGKILL"


def test_a_child_that_exits_normally_is_not_started_again():
    lines: list[str] = []
    supervisor = Supervisor([sys.executable, "-c", "pass"], say=lines.append)
    assert supervisor.run() == 0
    assert supervisor.restarts == 0 and lines[-1] == "worker exited normally"


def test_a_child_that_fails_is_started_again_until_it_succeeds(tmp_path):
    marker = tmp_path / "tries"
    script = (
        "import pathlib, sys; p = pathlib.Path(sys.argv[1]); n = len(p.read_text()) if p.exists() else 0; "
        "p.write_text('x' * (n + 1)); sys.exit(0 if n >= 2 else 3)"
    )
    lines: list[str] = []
    supervisor = Supervisor(
        [sys.executable, "-c", script, str(marker)],
        backoff=Backoff(first=0.05, longest=0.1),
        say=lines.append,
    )
    assert supervisor.run() == 0
    assert marker.read_text() == "xxx" and supervisor.restarts == 2
    assert sum("worker died (exit code 3)" in line for line in lines) == 2


def test_a_child_that_cannot_start_is_not_started_again():
    lines: list[str] = []
    supervisor = Supervisor([sys.executable, "-c", "raise SystemExit(2)"], give_up_on=(2,), say=lines.append)
    assert supervisor.run() == 2
    assert supervisor.restarts == 0 and "not starting it again" in lines[-1]
