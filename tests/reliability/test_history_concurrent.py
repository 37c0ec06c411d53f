"""History complete after concurrent edits: several threads edit and restore the same claims over HTTP
at once (one annotator in several tabs), against the live server on PostgreSQL. Every accepted write
(200) has exactly one history row, with the version it answered, and the versions of each claim run
1, 2, 3, … without gaps or repeats; no refused write (409) left a row."""

import json
import random
import secrets
import threading
import urllib.error
import urllib.request
from collections import defaultdict

import pytest
from django.db import connection
from django.test import Client

from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import
from annotator.history.models import Change
from annotator.labeling.assignment_services import assignments_distribute
from annotator.labeling.models import Assignment, Claim
from annotator.labeling.services import claim_create

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
WRITES_PER_THREAD = 30
CLAIMS = 3
TEXT = "Wang Junsheng said the summit was a signal to Washington, and Blinken said it threatens stability."


class Browser:
    """One tab: a logged-in session speaking JSON to the live server (session cookie + CSRF header)."""

    def __init__(self, base: str, session: str) -> None:
        self.base = base
        self.csrf = secrets.token_hex(16)  # 32 characters: a CSRF secret the cookie and header share
        self.cookie = f"sessionid={session}; csrftoken={self.csrf}"

    def send(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        request = urllib.request.Request(  # noqa: S310 - http to the live test server only
            self.base + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Cookie": self.cookie,
                "X-CSRFToken": self.csrf,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the live test server
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


def test_every_accepted_write_has_exactly_one_history_row_and_every_409_none(live_server, project, members):
    documents_import(project=project, records=[ArticleRecord(title="Summit", text=f"Summit\n\n{TEXT}\n")])
    assignments_distribute(project=project)
    assignment = Assignment.objects.select_related("passage__document__project").get(
        annotator=members["ann1"], passage__document__project=project
    )
    words = [TEXT.index(w) for w in ("Wang", "the summit", "Blinken")]
    claim_ids = [
        claim_create(
            assignment=assignment,
            start=start,
            end=start + 12,
            attribution="authorial",
            perspective="chinese",
            stance="neutral",
        ).pk
        for start in words[:CLAIMS]
    ]
    login = Client()
    login.force_login(members["ann1"])
    session = login.cookies["sessionid"].value

    outcomes: list[tuple[str, int, int, dict]] = []  # (kind, claim id, status, response)
    sent_notes: dict[str, int] = {}  # the unique note each PATCH carried → its claim
    lock = threading.Lock()
    failures: list[BaseException] = []

    def tab(seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - a reproducible mix of edits, not a secret
        browser = Browser(live_server.url, session)
        known = dict.fromkeys(claim_ids, 1)  # what this tab last saw of each claim: often stale
        try:
            for n in range(WRITES_PER_THREAD):
                claim_id = rng.choice(claim_ids)
                if rng.random() < 0.2 and known[claim_id] > 1:
                    kind, status, body = (
                        "restore",
                        *browser.send(
                            "POST",
                            f"/api/v1/claims/{claim_id}/restore/",
                            {
                                "version": rng.randint(1, known[claim_id] - 1),
                                "current_version": known[claim_id],
                            },
                        ),
                    )
                else:
                    note = f"tab {seed} write {n}"
                    with lock:
                        sent_notes[note] = claim_id
                    kind, status, body = (
                        "update",
                        *browser.send(
                            "PATCH",
                            f"/api/v1/claims/{claim_id}/",
                            {
                                "version": known[claim_id],
                                "note": note,
                                "stance": rng.choice(["favor", "against"]),
                            },
                        ),
                    )
                with lock:
                    outcomes.append((kind, claim_id, status, body))
                if status == 200:
                    known[claim_id] = body["version"]
                elif status == 409 and body.get("current"):
                    known[claim_id] = body["current"]["version"]  # as the editor does: take the newer one
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=tab, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures
    connection.close()  # see the rows the server threads committed with a fresh connection

    statuses = defaultdict(int)
    for _, _, status, _ in outcomes:
        statuses[status] += 1
    assert set(statuses) <= {200, 409}, statuses
    assert statuses[200] > 10 and statuses[409] > 10, statuses  # the mix really did collide
    print(f"concurrent edits: {dict(statuses)}")

    accepted = [(kind, claim_id, body) for kind, claim_id, status, body in outcomes if status == 200]
    for claim_id in claim_ids:
        rows = list(Change.objects.filter(entity="claim", entity_id=claim_id).order_by("version", "id"))
        versions = [row.version for row in rows]
        final = Claim.objects.get(pk=claim_id).version
        assert versions == list(range(1, final + 1)), (claim_id, versions)
        answered = sorted(body["version"] for _, cid, body in accepted if cid == claim_id)
        assert answered == list(range(2, final + 1))  # each accepted write made one version, no more
        by_version = {row.version: row for row in rows}
        for kind, cid, body in accepted:
            if cid != claim_id:
                continue
            row = by_version[body["version"]]
            assert row.action == ("restore" if kind == "restore" else "update")
            assert row.actor_id == members["ann1"].pk
            # The row's after is what the answer says the claim became.
            answered_fields = {**body, "speaker": body["speaker"]["id"] if body["speaker"] else None}
            assert {name: answered_fields[name] for name in row.after} == row.after

    recorded_notes = {
        row.after["note"]
        for row in Change.objects.filter(entity="claim", entity_id__in=claim_ids)
        if row.after and "note" in row.after
    }
    refused_notes = {
        note
        for note, claim_id in sent_notes.items()
        if not any(body.get("note") == note for kind, cid, body in accepted if cid == claim_id)
    }
    # A refused write's note appears in no history row (a restore may bring back an accepted one only).
    assert not (refused_notes & recorded_notes)
