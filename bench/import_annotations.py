"""Annotation import throughput: doccano exports with claims, speakers and relations, against raw COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/annotator_bench python bench/import_annotations.py \
        [--records 50000]

Writes a doccano zip (two annotators, one ``<name>.jsonl`` each) of one-paragraph records, each with two
CLAIM spans, a SPEAKER span and a ``said_by`` relation, and imports it through the real path (read, plan,
locate, bulk insert) into an empty project: the records become documents. Then imports the same zip again
(every record is found and nothing is added), and COPYs the same claim rows into a scratch table as the
floor. Prints a table with seconds and rows/s for each.
"""

import argparse
import io
import json
import os
import resource
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
# The agreement refresh an import asks for is queued, as in production, not computed inside the import.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from annotator.corpus.models import Membership, Project, Role  # noqa: E402
from annotator.corpus.services import project_create  # noqa: E402
from annotator.exports.importing import annotations_import  # noqa: E402
from annotator.labeling.models import Claim  # noqa: E402

SPEAKER = "Wang Junsheng"
TEXT = (
    "Record {n}: the summit was described as a turning point, {speaker} said on Tuesday, "
    "while officials in Washington called the pact “a grave threat to peace” in the region."
)


def doccano_zip(records: int, annotators: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in annotators:
            lines = []
            for n in range(records):
                text = TEXT.format(n=n, speaker=SPEAKER)
                claim = text.index("the summit"), text.index(", " + SPEAKER)
                quote = text.index("a grave"), text.index("” in")
                speaker = text.index(SPEAKER), text.index(SPEAKER) + len(SPEAKER)
                entities = [
                    {"id": 1, "label": "CLAIM", "start_offset": claim[0], "end_offset": claim[1]},
                    {"id": 2, "label": "SPEAKER", "start_offset": speaker[0], "end_offset": speaker[1]},
                    {"id": 3, "label": "CLAIM", "start_offset": quote[0], "end_offset": quote[1]},
                ]
                relations = [{"id": 1, "from_id": 1, "to_id": 2, "type": "said_by"}]
                line = {"id": n, "text": text, "entities": entities, "relations": relations, "Comments": []}
                lines.append(json.dumps(line, ensure_ascii=False))
            archive.writestr(f"{name}.jsonl", "\n".join(lines) + "\n")
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=50_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    call_command("migrate", verbosity=0)
    run = int(time.time())
    project = project_create(name=f"bench {run}", slug=f"bench-import-{run}")
    annotators = [f"bench{run}a", f"bench{run}b"]
    for name in annotators:
        user = get_user_model().objects.create_user(username=name)
        Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)
    data = doccano_zip(args.records, annotators)
    timings = []
    for label in ("import into an empty project", "the same zip again (adds nothing)"):
        started = time.perf_counter()
        summary = annotations_import(project=project, files=[("export.zip", data)])
        seconds = time.perf_counter() - started
        assert summary.written and not summary.errors, summary.errors[:3]
        timings.append((label, summary.records, summary.claims, seconds))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    fields = ("assignment_id", "project_id", "start", "end", "text", "speaker_id", "mention_start",
              "mention_end",
              "attribution", "perspective", "stance", "target", "confidence", "note", "version",
              "created_at", "updated_at")  # fmt: skip
    rows = list(Claim.objects.filter(project=project).values_list(*fields))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_claim_copy")
        cursor.execute("CREATE UNLOGGED TABLE bench_claim_copy (LIKE labeling_claim INCLUDING ALL)")
        columns = ", ".join(f'"{name}"' for name in fields)
        started = time.perf_counter()
        with cursor.copy(f"COPY bench_claim_copy ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        copy_time = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_claim_copy")
    # Claims hold their speakers (PROTECT): they go first, then the project with everything else.
    Claim.objects.filter(project=project)._raw_delete(using="default")
    Project.objects.filter(pk=project.pk).delete()
    get_user_model().objects.filter(username__in=annotators).delete()
    print(f"{'work':<40}{'records':>9}{'claims':>9}{'seconds':>9}{'records/s':>11}")
    for label, records, claims, seconds in timings:
        print(f"{label:<40}{records:>9}{claims:>9}{seconds:>9.2f}{records / seconds:>11,.0f}")
    print(f"{'COPY of the same claim rows (floor)':<40}{'':>9}{len(rows):>9}{copy_time:>9.2f}{'':>11}")
    print(f"ratio: first import {timings[0][3] / copy_time:.0f}x the time of COPY; peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
