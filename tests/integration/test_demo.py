"""The one-command demo, started as a real subprocess on the embedded SQLite default."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_command_serves_the_login_page_on_sqlite(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["ANNOTATOR_VAR_DIR"] = str(tmp_path / "var")
    command = shutil.which("annotator", path=str(BIN)) or "annotator"
    server = subprocess.Popen(
        [command, "demo", "--addrport", f"127.0.0.1:{port}"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline, status = time.monotonic() + 90, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=5
                ) as response:
                    status, body = response.status, response.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, (
            f"demo never answered; it printed:\n{server.stdout.read() if server.poll() is not None else ''}"
        )
        assert 'name="username"' in body
        assert (tmp_path / "var" / "annotator.sqlite3").exists(), "the demo runs on the embedded SQLite file"
    finally:
        server.terminate()
        try:
            output, _ = server.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
    assert "26 passages" in output and "37 passages" in output
    assert "189 new assignments" in output
    assert "ann1-demo-pass" in output, "the demo prints the credentials of its users"
