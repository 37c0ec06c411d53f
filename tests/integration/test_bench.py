"""`annotator bench` cannot rot: its quick run of the save rows (gunicorn on loopback, a session login and
an API token) and of 20 annotators saving at once runs to the end on the test database and prints every
row with finite, positive figures beside its floor, and no acknowledged write is lost."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parents[2]
SAVE_ROWS = {f"save.{auth}.{kind}" for auth in ("session", "token") for kind in ("create", "update")}


def database_url() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the bench runs on PostgreSQL")
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_quick_bench_prints_every_row_with_figures_and_loses_no_write():
    # The in-memory broker: these rows start no worker, and a message a save may send goes nowhere.
    env = {**os.environ, "DATABASE_URL": database_url(), "CELERY_BROKER_URL": "memory://"}
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "save,concurrent", "--json", "--broker", "memory://"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    rows = {row["key"]: row for row in json.loads(result.stdout)["rows"]}
    bounds = {"save.bare.round_trip", "save.in_process.create"}
    assert set(rows) == SAVE_ROWS | bounds | {"concurrent.throughput"}
    for row in rows.values():
        for figure in ("median", "min", "max", "floor", "over_floor"):
            assert math.isfinite(row[figure]) and row[figure] > 0, (row["key"], figure, row[figure])
        assert row["min"] <= row["median"] <= row["max"]
    for key in SAVE_ROWS:
        assert rows[key]["figures"]["queries"] > 0
        assert rows[key]["figures"]["p99_ms"] >= rows[key]["min"]
    # The HTTP round trip alone and the save without HTTP each take less than the save over HTTP.
    for bound in bounds:
        assert rows[bound]["median"] < rows["save.token.create"]["median"]
    assert rows["save.session.create"]["peers"] == {"doccano": 15.3, "Label Studio": 58.0}
    assert rows["save.session.create"]["over_best_peer"] == rows["save.session.create"]["median"] / 15.3
    concurrent = rows["concurrent.throughput"]["figures"]
    assert concurrent["errors"] == 0
    assert concurrent["lost_writes"] == 0
    assert concurrent["acknowledged_creates"] == concurrent["new_claims_in_database"] > 0
