"""Point this process's Celery app at a broker for a while (tests only)."""

from collections.abc import Iterator
from contextlib import contextmanager

from annotator.celery import app


def _forget_connections() -> None:
    """Drop the app's references to broker pools and routes, so that changed settings take effect.

    The pools themselves stay open in kombu's registry (keyed by broker), where the next use finds them.
    """
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
        amqp._rtable = None
        for name in ("queues", "default_queue", "router"):
            amqp.__dict__.pop(name, None)


@contextmanager
def on_broker(url: str, *, queue: str = "celery") -> Iterator[None]:
    """Send tasks to `queue` at `url` instead of running them eagerly; restore everything afterwards."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")}
    _forget_connections()
    app.conf.update(broker_url=url, task_always_eager=False, task_default_queue=queue)
    try:
        yield
    finally:
        _forget_connections()
        app.conf.update(saved)
