"""Idle memory of a deployment: the web server (gunicorn with the site's configuration,
annotator/gunicorn_conf.py, what `annotator serve` runs, when the checkout has it; else 2 gthread workers
of 4 threads) and one `annotator worker` (its default concurrency), after one request each: a few API GETs for
the web processes and an agreement run of a small project for the worker. RSS and PSS (shared pages split
among their users, from /proc/PID/smaps_rollup) summed over both process trees.

The floor: a bare Python interpreter's RSS times the number of processes in the two trees.
"""

from __future__ import annotations

import subprocess
import sys
import time

from annotator.agreement.services import agreement_run_request
from bench import data
from bench.processes import children, rss_kib, serving, start_worker, token_session, tree_memory_kib
from bench.rows.agreement import wait
from bench.runner import Context, Row


def bare_python_kib() -> int:
    process = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        time.sleep(0.5)
        return rss_kib(process.pid)
    finally:
        process.communicate(b"")


def run(context: Context) -> list[Row]:
    project = data.open_project(slug=f"{context.tag}-memory", annotators=3, claims_per_annotator=5)
    context.track(project.pk)
    http = token_session(data.manager_token(project, f"{context.tag}-memory-manager"))
    with serving(site_defaults=True) as server:
        worker = start_worker(context.broker_url)
        try:
            for _ in range(4):  # the two workers each get some
                http.get(f"{server.url}/api/v1/projects/{project.pk}/", timeout=60).raise_for_status()
            wait(agreement_run_request(project=project, parameters={"n_boot": 100}).pk, worker)
            time.sleep(2)
            web, task = tree_memory_kib(server.pid), tree_memory_kib(worker.pid)
            processes = 2 + len(children(server.pid)) + len(children(worker.pid))
        finally:
            worker.stop()
    floor = bare_python_kib() * processes / 1024
    split = (
        f"web {web['Rss'] / 1024:.0f} RSS / {web['Pss'] / 1024:.0f} PSS, "
        f"worker {task['Rss'] / 1024:.0f} RSS / {task['Pss'] / 1024:.0f} PSS MiB; {processes} processes"
    )
    return [
        Row(
            key="memory.idle.rss",
            work="idle memory, web + worker, RSS summed",
            unit="MiB",
            runs=[(web["Rss"] + task["Rss"]) / 1024],
            floor=floor,
            floor_work="bare Pythons",
            notes=split,
            figures={
                "web_rss_mib": web["Rss"] / 1024,
                "worker_rss_mib": task["Rss"] / 1024,
                "processes": processes,
            },  # fmt: skip
        ),
        Row(
            key="memory.idle.pss",
            work="idle memory, web + worker, PSS summed",
            unit="MiB",
            runs=[(web["Pss"] + task["Pss"]) / 1024],
            floor=floor,
            floor_work="bare Pythons (RSS)",
            notes="PSS counts a page shared by n processes as 1/n in each",
            figures={"web_pss_mib": web["Pss"] / 1024, "worker_pss_mib": task["Pss"] / 1024},
        ),
    ]
