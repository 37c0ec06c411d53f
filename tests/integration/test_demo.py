"""The one-command demo: started as a real subprocess on the embedded SQLite default, and run in-process on
PostgreSQL to check what it loads (the gold, three simulated annotators' versions, agreement figures)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]
GOLD_DIRS = {"sample": REPO / "tests" / "fixtures" / "gold_sample", "demo": REPO / "fixtures" / "gold"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_demo_command_serves_the_login_page_on_sqlite(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env["ANNOTATOR_VAR_DIR"] = str(tmp_path / "var")
    command = shutil.which("annotator", path=str(BIN)) or "annotator"
    server = subprocess.Popen(
        [command, "demo", "--addrport", f"127.0.0.1:{port}"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline, status = time.monotonic() + 90, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=5
                ) as response:
                    status, body = response.status, response.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, (
            f"demo never answered; it printed:\n{server.stdout.read() if server.poll() is not None else ''}"
        )
        assert 'name="username"' in body
        assert (tmp_path / "var" / "annotator.sqlite3").exists(), "the demo runs on the embedded SQLite file"
    finally:
        server.terminate()
        try:
            output, _ = server.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
    assert "26 passages" in output and "37 passages" in output
    assert "100_kim_putin_summits_zh.txt: 1 document, 9 passages" in output, "the Chinese sample is loaded"
    assert "216 new assignments" in output
    assert "ann1-demo-pass" in output, "the demo prints the credentials of its users"
    assert "Agreement run 1: succeeded" in output, "the demo loads annotations and computes agreement"


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    from annotator.agreement.models import AgreementRun
    from annotator.corpus.models import Speaker
    from annotator.labeling.models import Assignment, Claim
    from annotator.review.models import Adjudication, GoldClaim

    return {
        "claims": Claim.objects.count(),
        "gold claims": GoldClaim.objects.count(),
        "adjudications": Adjudication.objects.count(),
        "speakers": Speaker.objects.count(),
        "submitted": Assignment.objects.filter(status="submitted").count(),
        "runs": AgreementRun.objects.count(),
    }


def fixture_gold(folder: Path) -> list[dict]:
    """The fixture's claims, each with its article's file name."""
    return [
        {**claim, "document": gold["document"]}
        for path in sorted(folder.glob("*.json"))
        for gold in [json.loads(path.read_text(encoding="utf-8"))]
        for claim in gold["claims"]
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("gold", GOLD_DIRS)
def test_demo_loads_the_gold_three_simulated_annotators_and_agreement_once(gold):
    from annotator.agreement.models import AgreementRun
    from annotator.analytics.params import Scope
    from annotator.analytics.selectors import who_says_what_counts
    from annotator.corpus.models import Document, Passage, Project
    from annotator.corpus.readers import content_digest, read_articles
    from annotator.labeling.models import Assignment, Claim
    from annotator.review.models import Adjudication, GoldClaim
    from annotator.review.queue import review_queue

    output = demo("--gold", str(GOLD_DIRS[gold]))

    # The project is bilingual: the constructed Chinese sample is there, segmented by the Chinese rules.
    chinese = Document.objects.get(language="zh")
    assert chinese.meta["constructed"] == "true" and "王俊生" in chinese.text
    assert chinese.passages.count() == 9
    assert set(Document.objects.exclude(pk=chinese.pk).values_list("language", flat=True)) == {"en"}

    claims = fixture_gold(GOLD_DIRS[gold])
    assert claims
    # Where each fixture claim lies, found from the stored passages: the first half of each article's
    # passages is adjudicated, so exactly the fixture's claims there are gold claims.
    expected = []
    passages_of = {}
    for name in {claim["document"] for claim in claims}:
        (record,) = read_articles(name, (REPO / "seeds" / name).read_bytes())
        document = Document.objects.get(sha256=content_digest(record.text))
        passages_of[name] = list(Passage.objects.filter(document=document).order_by("position"))
    for claim in claims:
        passages = passages_of[claim["document"]]
        (passage,) = [p for p in passages if p.start <= claim["start"] and claim["end"] <= p.end]
        if passage.position < (len(passages) + 1) // 2:
            expected.append(
                (passage.pk, claim["text"], claim["speaker"], claim["stance"], claim["perspective"])
            )
    stored = [
        (g.adjudication.passage_id, g.text, g.speaker.name if g.speaker else None, g.stance, g.perspective)
        for g in GoldClaim.objects.select_related("adjudication", "speaker")
    ]
    assert sorted(stored, key=str) == sorted(expected, key=str)
    assert GoldClaim.objects.filter(source_claims__isnull=False).exists(), "gold records its annotator claims"

    annotated = Passage.objects.filter(document__in=[p[0].document_id for p in passages_of.values()])
    for username in ("ann1", "ann2", "ann3"):
        mine = Assignment.objects.filter(annotator__username=username, passage__in=annotated)
        left_open = 3 * len(passages_of) if username == "ann1" else 0
        assert mine.filter(status="submitted").count() == annotated.count() - left_open
        assert mine.filter(status="assigned", claims__isnull=True).count() == left_open
        assert Claim.objects.filter(assignment__in=mine).count() > 0
        assert f"{username}  " in output and "passages submitted" in output
    # Simulated, so not the gold: each annotator differs from it somewhere.
    gold_spans = set(GoldClaim.objects.values_list("adjudication__passage_id", "start", "end", "stance"))
    for username in ("ann1", "ann2", "ann3"):
        theirs = set(
            Claim.objects.filter(
                assignment__annotator__username=username, assignment__passage__adjudications__isnull=False
            ).values_list("assignment__passage_id", "start", "end", "stance")
        )
        assert theirs and theirs != gold_spans

    # What the reviewer finds: adjudicated passages, and open ones still to review, most disagreement first.
    queue = review_queue(project=Project.objects.get(slug="kim-putin"), status="open")
    assert (
        queue.counts["adjudicated"]
        == Adjudication.objects.count()
        == sum((len(passages) + 1) // 2 for passages in passages_of.values())
    )
    assert queue.entries and queue.counts["open"] > 0 and queue.entries[0].score > 0

    # The who-says-what page counts gold claims on adjudicated passages and the annotators' majority on
    # the others, so it has both from the start.
    found = who_says_what_counts(project=Project.objects.get(slug="kim-putin"), scope=Scope())
    assert sum(cell["gold"] for cell in found.cells) == len(expected), (found.coverage, found.cells[:3])
    assert sum(cell["majority"] for cell in found.cells) > 0
    assert found.coverage["adjudicated"] == Adjudication.objects.count()

    run = AgreementRun.objects.get()
    assert run.status == "succeeded", run.error
    report = run.results["report"]
    assert report["counts"]["annotators"] == 3
    assert -1 <= report["span"]["position_alpha"]["value"] <= 1
    assert f"Agreement run {run.pk}: succeeded" in output

    from django.test import Client

    assert Client().login(username="ann1", password="ann1-demo-pass"), "the printed password logs in"
    assert Client().login(username="reviewer", password="reviewer-demo-pass")

    before = counts()
    again = demo("--gold", str(GOLD_DIRS[gold]))
    assert "the project has claims already; nothing added" in again
    assert counts() == before


@pytest.mark.django_db(transaction=True)
def test_a_gold_file_that_breaks_the_schema_loads_nothing_and_names_the_claim(tmp_path):
    sample = GOLD_DIRS["sample"] / "000_19274ddd54156fa7.json"
    gold = json.loads(sample.read_text(encoding="utf-8"))
    gold["claims"][2]["stance"] = "ambivalent"
    (tmp_path / sample.name).write_text(json.dumps(gold), encoding="utf-8")

    with pytest.raises(
        CommandError,
        match=r"000_19274ddd54156fa7.json: claims\[2\]: stance 'ambivalent' is not in the schema",
    ):
        demo("--gold", str(tmp_path))

    assert set(counts().values()) == {0}, counts()
