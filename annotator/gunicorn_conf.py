"""gunicorn's configuration for the site: what `annotator serve` runs, read from environment variables.

    gunicorn -c python:annotator.gunicorn_conf annotator.wsgi     # the same server as `annotator serve`

Plain Python (no Django), so the master process stays small: it only forks and watches the workers, which
each load the app. Every value below can be changed by its variable or by a gunicorn option on the command
line (command-line options win over this file).

- Workers are gthread processes: each serves WEB_THREADS requests at once in threads that keep their
  PostgreSQL connections between requests (DB_CONN_MAX_AGE), and a long request (a streamed export of a
  whole project, a slow client) holds one thread, not a process.
- With gthread, `timeout` is not a limit on a request: it is how long a worker's main loop may stay silent
  (it notifies the master every second whatever its threads are doing) before the master takes it for
  hung and kills it. A stream of any length survives it (tests/reliability/test_serve_timeout.py); only a
  process stuck in one C call for that long is restarted.
- No `preload_app`: measured, preloading saves no memory here (each worker's PSS stays ~100 MiB as Python
  writes to the shared pages, and the master then holds the app too: +100 MiB RSS), and without it a
  worker never inherits connections or threads from the master.
"""

import os

# One gthread worker per two CPUs, at least one, at most four: one process runs Python on about one core
# and leaves the others to PostgreSQL; a research team's load (the editor at full speed sends ~1.5 requests
# a second per annotator, each a few milliseconds) is far below one process's share. Each worker costs
# ~140 MiB once its pages have been visited (numpy and scipy for the review comparisons included).
DEFAULT_WORKERS = max(1, min((os.cpu_count() or 1) // 2, 4))
DEFAULT_THREADS = 8
# Seconds a worker may stay silent before it is killed (a heartbeat, not a request limit: see above).
DEFAULT_TIMEOUT = 60
# Seconds a worker has, on SIGTERM or a reload (SIGHUP), to finish the requests it is serving (a 1M-claim
# export streams in ~12 s) before it is killed.
DEFAULT_GRACEFUL_TIMEOUT = 30


def _bind() -> str:
    if os.environ.get("WEB_BIND"):
        return os.environ["WEB_BIND"]
    # gunicorn's own convention (and a platform's): PORT alone means every interface on that port.
    if os.environ.get("PORT"):
        return f"0.0.0.0:{os.environ['PORT']}"  # noqa: S104
    return "127.0.0.1:8000"


def _whole_number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number from 1, not {value!r}.")
    return int(value)


def _trusted_proxy() -> bool:
    # As annotator.settings reads TRUSTED_PROXY (not imported here: it would load Django in the master).
    return os.environ.get("TRUSTED_PROXY", "").strip().lower() in {"1", "true", "yes", "on"}


bind = [_bind()]
worker_class = "gthread"
workers = _whole_number("WEB_CONCURRENCY", DEFAULT_WORKERS)
threads = _whole_number("WEB_THREADS", DEFAULT_THREADS)
timeout = _whole_number("WEB_TIMEOUT", DEFAULT_TIMEOUT)
graceful_timeout = _whole_number("WEB_GRACEFUL_TIMEOUT", DEFAULT_GRACEFUL_TIMEOUT)
# The heartbeat is a file's timestamp, written every second: in memory, so that a slow or full disk
# (a container's overlay /tmp) cannot delay it past the timeout and get a healthy worker killed.
# (gunicorn makes its file there with mkstemp: unique and private.)
SHARED_MEMORY = "/dev/shm"  # noqa: S108
worker_tmp_dir = SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) else None
# Access log on stdout, with each request's duration in milliseconds and its X-Request-ID (the response's
# header: the caller's id or the one the site made); errors on stderr.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms %({x-request-id}o)s'
# gunicorn believes X-Forwarded-Proto and X-Forwarded-For from FORWARDED_ALLOW_IPS (its own variable;
# default 127.0.0.1,::1: a proxy on the same machine; a load balancer elsewhere: its addresses). The site
# believes proxy headers only with TRUSTED_PROXY=1 (annotator/settings.py), so without it gunicorn must
# not either.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1") if _trusted_proxy() else ""


def _log_format() -> str:
    # As annotator.settings reads LOG_FORMAT (annotator/logging_context.py checks its value).
    return os.environ.get("LOG_FORMAT", "").strip().lower() or "plain"


def _json_formatter(access: bool = False) -> object:
    """One JSON object a line, like the app's (annotator/logging_context.py); for the access log, the
    fields of the plain line each under its own name."""
    from pythonjsonlogger.json import JsonFormatter

    class AccessJsonFormatter(JsonFormatter):
        def add_fields(self, log_data: dict, record: object, message_dict: dict) -> None:
            super().add_fields(log_data, record, message_dict)
            atoms = getattr(record, "args", None)
            if isinstance(atoms, dict):  # gunicorn logs an access line with its atoms as the arguments
                log_data.update(
                    remote_addr=atoms["h"], method=atoms["m"], path=atoms["U"], query=atoms["q"],
                    status=atoms["s"], bytes=atoms["B"], duration_ms=atoms["M"], user_agent=atoms["a"],
                    request_id=atoms["{x-request-id}o"],
                )  # fmt: skip

    formatter = AccessJsonFormatter if access else JsonFormatter
    return formatter(
        "%(levelname)s %(name)s %(message)s", rename_fields={"levelname": "level", "name": "logger"},
        timestamp=True,
    )  # fmt: skip


if _log_format() == "json":
    # gunicorn's own lines as JSON objects too (the app's are configured by Django: LOGGING). Not
    # propagated to the root logger, which the app's logging also writes to.
    def _stream_handler(formatter: str, stream: str) -> dict:
        return {"class": "logging.StreamHandler", "formatter": formatter, "stream": f"ext://sys.{stream}"}

    logconfig_dict = {
        "formatters": {
            "json": {"()": _json_formatter},
            "access_json": {"()": _json_formatter, "access": True},
        },
        "handlers": {
            "console": _stream_handler("access_json", "stdout"),
            "error_console": _stream_handler("json", "stderr"),
        },
        "root": {"level": "WARNING", "handlers": ["error_console"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
wsgi_app = "annotator.wsgi:application"
# gunicorn 25.1+ opens a control socket at one path per user ($HOME/.gunicorn/gunicorn.ctl) for its
# `gunicornc` tool: two servers on a machine would take each other's. Signals do the same work (TERM,
# HUP, TTIN/TTOU).
control_socket_disable = True


def post_worker_init(worker: object) -> None:
    """Load the URL configuration (every view and the API) before the worker takes requests, so that
    the first request after a start or a restart is not the one that waits ~2 s for it."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (the property loads them)
