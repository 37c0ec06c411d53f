"""A benchmark's work in a fresh process, so that its peak memory is its own:

    python -m bench.child export PROJECT_ID FORMAT

streams the project's export through `export_stream` (the service the export command and the job use)
into /dev/null and prints its figures as one JSON line: seconds, bytes, RSS before (Django loaded) and
the process's peak RSS (VmHWM), in KiB.
"""

import json
import os
import sys
import time
from pathlib import Path


def memory_kib() -> dict[str, int]:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            fields[name] = int(value.split()[0])
    return fields


def export(project_id: int, name: str) -> dict:
    from annotator.corpus.models import Project
    from annotator.exports.selectors import ExportFilters
    from annotator.exports.services import export_stream

    project = Project.objects.get(pk=project_id)
    before = memory_kib()
    started = time.perf_counter()
    chunks, _, _ = export_stream(project=project, format=name, filters=ExportFilters())
    written = 0
    with open(os.devnull, "wb") as sink:
        for chunk in chunks:
            written += sink.write(chunk)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "bytes": written,
        "rss_before": before["VmRSS"],
        "peak": memory_kib()["VmHWM"],
    }


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
    import django

    django.setup()
    work, *arguments = sys.argv[1:]
    if work != "export":
        sys.exit(f"unknown work {work!r}")
    print(json.dumps(export(int(arguments[0]), arguments[1])))


if __name__ == "__main__":
    main()
