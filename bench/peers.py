"""Peers' figures, measured elsewhere (not in this run) and printed beside ours as fixed references.

doccano 1.8.4 and Label Studio 1.23.2 from PyPI on their defaults, on a 2-core machine with PostgreSQL 15.
Keys are the row keys of `bench.rows`; values are in the row's unit. A range is kept as (low, high).
"""

MEASURED_ON = "2026-12-01"
PEERS = ("doccano", "Label Studio")

REFERENCE: dict[str, dict[str, float | tuple[float, float]]] = {
    "save.session.create": {"doccano": 15.3, "Label Studio": 58.0},
    "import.records.10000": {"doccano": 5.0, "Label Studio": 3.2},
    "import.upload.10000": {"doccano": 5.0, "Label Studio": 3.2},
    "import.records.50000": {"doccano": 16.0, "Label Studio": 14.0},
    "export.cli.jsonl.100000": {"doccano": 4.7, "Label Studio": (14.0, 20.0)},
    "export.http.jsonl.100000": {"doccano": 4.7, "Label Studio": (14.0, 20.0)},
    "memory.idle.rss": {"doccano": 1260.0, "Label Studio": 341.0},
}
NOTES = {
    "save.session.create": "doccano 14 SQL queries a save",
    "export.cli.jsonl.100000": "peers: export of a 10k-passage project",
    "export.http.jsonl.100000": "peers: export of a 10k-passage project",
    "memory.idle.rss": "Label Studio: no worker",
}
