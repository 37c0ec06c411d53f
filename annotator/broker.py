"""The Redis transport our workers use: kombu's, made to survive losing Redis while holding messages.

Why (kombu 5.7.0, the newest release; celery 5.7.0): when the broker connection drops, the worker's
consumer first ``collect()``s the connection — which detaches the transport (``transport.client = None``)
after a channel close that failed half-way on the dead socket — and then ``close()``s it again. That second
close gets through to ``QoS.restore_unacked``, which opens a new Redis client to push the unacknowledged
messages back; building its connection parameters reads ``transport.client.hostname`` and raises
``AttributeError``. Celery only forgives connection errors there, so a worker holding any unacknowledged
message (a running ``acks_late`` task, or a delayed one waiting for its ``countdown``) dies with
"Unrecoverable error". The same detached channel is also used to acknowledge a task that was running
during the outage, with the same result.

The fix: a channel remembers the broker's address when it is opened and uses it when the transport has
been detached, so those late restores and acknowledgements reach Redis if it is back (or fail with a
connection error, which kombu and celery handle: the messages stay in Redis's unacked set and are
redelivered after the visibility timeout). Remove this module when kombu no longer reads the detached
client there (see ``Channel._connparams`` in kombu/transport/redis.py).
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis


class Channel(redis.Channel):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._broker = self.connection.client  # the kombu Connection: host, port, credentials, options

    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        transport = self.connection
        if transport.client is not None:
            return super()._connparams(asynchronous=asynchronous)
        # Detached by Connection.collect(): read the parameters from the connection this channel was
        # opened on, for this one call (the consumer thread is the only user of a closing channel).
        transport.client = self._broker
        try:
            return super()._connparams(asynchronous=asynchronous)
        finally:
            transport.client = None


class Transport(redis.Transport):
    Channel = Channel
