"""A WSGI app that does no work: it reads the request body and answers 201 with `{}`. Served by the same
gunicorn settings as the site, it is the save rows' HTTP floor (loopback, gunicorn, the client library)."""

from collections.abc import Callable, Iterable


def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    environ["wsgi.input"].read(length)
    start_response("201 Created", [("Content-Type", "application/json"), ("Content-Length", "2")])
    return [b"{}"]
