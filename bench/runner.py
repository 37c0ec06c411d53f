"""Runs the chosen row groups and prints one table: ours beside a floor measured in the same run and the
peers' reference figures.

Each row group is a module of `bench.rows` with `run(context) -> list[Row]`. A row holds every run's
figure (the table shows their median and min–max), the floor measured beside it (median), and the notes
(percentiles, SQL queries, memory) that belong to it.
"""

from __future__ import annotations

import importlib
import json
import math
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TextIO

from django.db import connection

from bench import data
from bench.peers import MEASURED_ON, NOTES, PEERS, REFERENCE
from bench.processes import Server

GROUPS = ("save", "concurrent", "import", "export", "agreement", "memory", "pages")
DEFAULT_GROUPS = GROUPS[:-1]  # pages builds two more 1M-claim projects: asked for by name
MODULES = {"import": "imports", "export": "exports"}  # `import` cannot name a module


@dataclass
class Row:
    key: str
    work: str
    unit: str
    runs: list[float]
    floor: float | None = None
    floor_work: str = ""
    notes: str = ""
    figures: dict[str, float | int | str] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def over_floor(self) -> float | None:
        return self.median / self.floor if self.floor else None

    @property
    def peers(self) -> dict[str, float | tuple[float, float]]:
        return REFERENCE.get(self.key, {})

    @property
    def over_best_peer(self) -> float | None:
        values = [v[0] if isinstance(v, tuple) else v for v in self.peers.values()]
        return self.median / min(values) if values else None

    def as_dict(self) -> dict:
        body = asdict(self)
        body.update(
            median=self.median,
            min=min(self.runs),
            max=max(self.runs),
            over_floor=self.over_floor,
            peers={name: list(v) if isinstance(v, tuple) else v for name, v in self.peers.items()},
            peers_note=NOTES.get(self.key, ""),
            over_best_peer=self.over_best_peer,
        )
        return body


@dataclass
class Sizes:
    runs: int  # runs of the fast rows
    saves: int  # requests per run of a save row
    warmup: int  # untimed requests before them
    concurrent_seconds: float
    concurrent_annotators: int
    imports: tuple[int, ...]
    articles: int
    upload: int
    exports: tuple[int, int]  # the small project (10 claims a passage) and the large one (20)
    agreement: int
    pages: int


FULL = Sizes(
    runs=3, saves=200, warmup=10, concurrent_seconds=30.0, concurrent_annotators=20,
    imports=(10_000, 50_000, 200_000), articles=2_000, upload=10_000, exports=(100_000, 1_000_000),
    agreement=1_000_000, pages=1_000_000,
)  # fmt: skip
QUICK = Sizes(
    runs=2, saves=10, warmup=3, concurrent_seconds=3.0, concurrent_annotators=20, imports=(1_000,),
    articles=100, upload=1_000, exports=(2_000, 10_000), agreement=10_000, pages=10_000,
)  # fmt: skip


class Context:
    """What the rows share: sizes, the broker, and volume projects built once and dropped at the end."""

    def __init__(self, *, sizes: Sizes, broker_url: str, log: Callable[[str], None]) -> None:
        self.sizes, self.broker_url, self.log = sizes, broker_url, log
        self.tag = f"b{int(time.time())}"
        self.projects: list[int] = []
        self._volume: dict[int, object] = {}
        self._server: Server | None = None

    def server(self) -> Server:
        """gunicorn serving the site, started by the first row that asks and shared by the later ones."""
        if self._server is None:
            self._server = Server()
        return self._server

    def track(self, project_id: int) -> None:
        self.projects.append(project_id)

    def volume(self, claims: int, claims_per_assignment: int):  # noqa: ANN201
        """A project of `claims` submitted claims, 2 annotators (built with COPY once per run)."""
        if claims not in self._volume:
            started = time.perf_counter()
            project = data.build_volume_project(
                slug=f"{self.tag}-volume-{claims}", claims=claims, claims_per_assignment=claims_per_assignment
            )
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE labeling_claim")
            self.track(project.pk)
            self._volume[claims] = project
            self.log(f"built a project of {claims:,} claims in {time.perf_counter() - started:.0f} s")
        return self._volume[claims]

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        data.drop(self.projects)
        self.projects.clear()


def run(
    groups: list[str], *, quick: bool, broker_url: str, log: Callable[[str], None]
) -> tuple[list[Row], list[str]]:
    """The rows of every group that ran to the end, and the groups that failed (their error logged)."""
    context = Context(sizes=QUICK if quick else FULL, broker_url=broker_url, log=log)
    rows: list[Row] = []
    failed: list[str] = []
    try:
        for group in groups:
            started = time.perf_counter()
            module = importlib.import_module(f"bench.rows.{MODULES.get(group, group)}")
            log(f"{group}: running")
            try:
                rows += module.run(context)
            except Exception:  # one broken group must not cost the others' figures
                log(f"{group}: FAILED\n{traceback.format_exc()}")
                failed.append(group)
                continue
            log(f"{group}: done in {time.perf_counter() - started:.0f} s")
    finally:
        context.close()
    return rows, failed


def _number(value: float | None, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"
    return f"{text} {unit}".strip()


def _ours(row: Row) -> str:
    text = _number(row.median, row.unit)
    if len(row.runs) > 1:
        text += f" ({_number(min(row.runs))}–{_number(max(row.runs))}, n={len(row.runs)})"
    return text


def _peers(row: Row) -> str:
    parts = []
    for name in PEERS:
        value = row.peers.get(name)
        if value is not None:
            shown = f"{_number(value[0])}–{_number(value[1])}" if isinstance(value, tuple) else _number(value)
            parts.append(f"{name} {shown}")
    return "; ".join(parts)


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×" if value < 10 else f"{value:,.0f}×"


def print_table(rows: list[Row], out: TextIO = sys.stdout) -> None:
    out.write(
        f"| work | ours (median, min–max) | floor (same run) | ours ÷ floor "
        f"| peers (measured elsewhere, {MEASURED_ON}) | ours ÷ best peer | notes |\n"
        "|---|---:|---:|---:|---:|---:|---|\n"
    )
    for row in rows:
        floor = f"{_number(row.floor, row.unit)} {row.floor_work}".strip() if row.floor else "—"
        notes = "; ".join(n for n in (row.notes, NOTES.get(row.key, "")) if n)
        out.write(
            f"| {row.work} | {_ours(row)} | {floor} | {_ratio(row.over_floor)} | {_peers(row) or '—'} "
            f"| {_ratio(row.over_best_peer)} | {notes} |\n"
        )


def print_json(rows: list[Row], out: TextIO = sys.stdout, **about: object) -> None:
    json.dump({**about, "peers_measured_on": MEASURED_ON, "rows": [r.as_dict() for r in rows]}, out, indent=1)
    out.write("\n")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
