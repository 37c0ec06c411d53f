"""The deployment files say what the code does: compose.yaml's services, healthchecks and variables (each
one the settings or gunicorn's configuration read), and commands in the Procfile, the Dockerfile and
compose.yaml that exist. Images cannot be pulled here, so compose is checked as the YAML it is, and with
`docker compose config` where that is installed."""

import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

REPO = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "worker")
# Where the variables an app container gets are read.
READERS = (REPO / "annotator" / "settings.py", REPO / "annotator" / "gunicorn_conf.py")
READ = re.compile(r"""(?:os\.environ\.get\(|os\.environ\[|env_bool\()\s*["']([A-Z_]+)["']""")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "compose.yaml").read_text())


def variables_read() -> set[str]:
    return {name for path in READERS for name in READ.findall(path.read_text())}


def command_exists(command: list[str]) -> bool:
    """`annotator SUBCOMMAND` or `python manage.py SUBCOMMAND`, with SUBCOMMAND a management command."""
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    if command[0] == "annotator":
        assert scripts["annotator"] == "annotator.cli:main"
        subcommand = command[1]
    elif command[:2] == ["python", "manage.py"]:
        assert (REPO / "manage.py").is_file()
        subcommand = command[2]
    else:
        return False
    return subcommand in get_commands()


def test_compose_runs_the_site_its_worker_and_the_services(compose):
    services = compose["services"]
    assert set(services) == {*APP_SERVICES, "postgres", "redis"}
    assert services["postgres"]["image"] == "postgres:15" and services["redis"]["image"] == "redis:7"
    assert services["postgres"]["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    # Migrations run once, before the web and the worker start; they start when it has succeeded.
    assert services["migrate"]["command"] == ["annotator", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["depends_on"]["redis"] == {"condition": "service_healthy"}
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}


def test_the_web_and_the_worker_share_the_settings_and_the_export_files(compose):
    services = compose["services"]
    web, worker = services["web"], services["worker"]
    assert web["environment"] == worker["environment"] == services["migrate"]["environment"]
    media = web["environment"]["MEDIA_ROOT"]
    assert f"media:{media}" in web["volumes"] and f"media:{media}" in worker["volumes"]
    assert "media" in compose["volumes"]
    # SECRET_KEY is required: compose refuses to start without it, saying where to set it.
    assert re.fullmatch(r"\$\{SECRET_KEY:\?.*\.env.*\}", web["environment"]["SECRET_KEY"])
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"):
        assert name in web["environment"], name


def test_every_variable_an_app_container_gets_is_read_by_the_code(compose):
    read = variables_read()
    assert {"SECRET_KEY", "DATABASE_URL", "WEB_BIND", "LOG_FORMAT"} <= read  # the pattern finds them
    for name in APP_SERVICES:
        unread = set(compose["services"][name]["environment"]) - read
        assert not unread, f"{name}: nothing reads {sorted(unread)}"
    dockerfile_env = re.findall(r"^\s*(?:ENV\s+)?([A-Z_]+)=", dockerfile(), re.M)
    assert {"MEDIA_ROOT", "ANNOTATOR_VAR_DIR", "WEB_BIND"} <= set(dockerfile_env)
    assert set(dockerfile_env) - {"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PIP_NO_CACHE_DIR",
                                  "PIP_DISABLE_PIP_VERSION_CHECK", "SECRET_KEY"} <= read  # fmt: skip


def test_env_example_names_only_variables_compose_or_the_code_use(compose):
    names = re.findall(r"^([A-Z_]+)=", (REPO / ".env.example").read_text(), re.M)
    interpolated = set(re.findall(r"\$\{([A-Z_]+)", (REPO / "compose.yaml").read_text()))
    assert "SECRET_KEY" in names
    assert set(names) <= interpolated | variables_read()


def dockerfile() -> str:
    return (REPO / "Dockerfile").read_text()


def test_every_command_exists():
    procfile = dict(line.split(": ", 1) for line in (REPO / "Procfile").read_text().splitlines() if line)
    assert set(procfile) == {"release", "web", "worker"}
    for process, command in procfile.items():
        assert command_exists(shlex.split(command)), f"Procfile {process}: {command}"
    assert procfile["release"] == "python manage.py migrate --noinput"
    [cmd] = re.findall(r"^CMD (\[.*\])$", dockerfile(), re.M)
    assert command_exists(yaml.safe_load(cmd))
    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    for name in APP_SERVICES:
        assert command_exists(compose["services"][name]["command"]), name


def compose_command() -> list[str] | None:
    """Docker's compose plugin, or the standalone docker-compose (Debian's package, which .ci/run installs):
    either checks the file without a Docker daemon."""
    plugin = ["docker", "compose"]
    if shutil.which("docker") and subprocess.run([*plugin, "version"], capture_output=True).returncode == 0:
        return plugin
    return ["docker-compose"] if shutil.which("docker-compose") else None


@pytest.mark.skipif(compose_command() is None, reason="docker compose is not installed")
def test_docker_compose_accepts_the_file(tmp_path):
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "SECRET_KEY": "x" * 50, "HOME": str(tmp_path)}
    command = [*compose_command(), "-f", str(REPO / "compose.yaml"), "config", "--quiet"]
    checked = subprocess.run(command, capture_output=True, text=True, env=env)
    assert checked.returncode == 0, checked.stderr
    missing = subprocess.run(command, capture_output=True, text=True, env={**env, "SECRET_KEY": ""})
    assert missing.returncode != 0 and "SECRET_KEY" in missing.stderr
