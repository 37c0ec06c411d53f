"""The tool exports from the database: e-mails and speaker mentions reach Label Studio, doccano and brat;
the labeling config, brat and plain CoNLL through the command and the API."""

import io
import json
import math
import xml.etree.ElementTree as ElementTree  # noqa: S405 - parses only our own output
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from nltk.corpus.reader.conll import ConllCorpusReader
from rest_framework.test import APIClient

from annotator.corpus.models import Passage
from annotator.exports.formats.tokens import word_tokens  # the CoNLL exports' tokens
from annotator.exports.selectors import ExportFilters, passage_records
from annotator.exports.services import export_stream
from annotator.labeling.services import claim_update

pytestmark = pytest.mark.django_db


def export(project, name: str, **filters) -> bytes:
    chunks, _, _ = export_stream(project=project, format=name, filters=ExportFilters(**filters))
    return b"".join(chunks)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture
def named(annotated):
    """ann1 has an e-mail, and ann1's claim with a speaker names him where the claim starts."""
    annotated.people["ann1"].email = "ann1@example.org"
    annotated.people["ann1"].save(update_fields=["email"])
    claim = next(c for c in annotated.submitted if c.speaker_id is not None)
    mention_end = claim.start + len(claim.text.split()[0])
    annotated.mention = claim_update(
        claim=claim, version=claim.version, mention_start=claim.start, mention_end=mention_end
    )
    return annotated


def test_label_studio_names_annotators_by_email_and_links_claims_to_speaker_mentions(named):
    tasks = json.loads(export(named.project, "label_studio", source="all"))
    annotations = {a["meta"]["annotator"]: a for task in tasks for a in task["annotations"]}
    assert annotations["ann1"]["completed_by"] == {"email": "ann1@example.org"}
    assert "completed_by" not in annotations["ann2"] and "completed_by" not in annotations["gold"]
    claim = named.mention
    results = [r for task in tasks for a in task["annotations"] for r in a["result"]]
    (relation,) = [r for r in results if r["type"] == "relation"]
    assert relation["from_id"] == f"claim-{claim.pk}" and relation["labels"] == ["said_by"]
    (speaker,) = [r for r in results if r.get("id") == relation["to_id"]]
    assert speaker["value"]["labels"] == ["SPEAKER"]
    assert (speaker["value"]["start"], speaker["value"]["end"]) == (claim.mention_start, claim.mention_end)


def test_doccano_and_brat_carry_the_speaker_mention_of_the_claim(named):
    claim = named.mention
    (line,) = [
        json.loads(x)
        for x in members(export(named.project, "doccano"))["ann1.jsonl"].decode().splitlines()
        if json.loads(x)["passage_id"] == claim.assignment.passage_id
    ]
    speakers = [e for e in line["entities"] if e["label"] == "SPEAKER"]
    assert [(e["start_offset"], e["end_offset"]) for e in speakers] == [
        (claim.mention_start, claim.mention_end)
    ]
    (relation,) = line["relations"]
    assert relation["to_id"] == speakers[0]["id"] and relation["type"] == "said_by"
    files = members(export(named.project, "brat"))
    ann = files[f"ann1/passage-{claim.assignment.passage_id}.ann"].decode()
    assert f"SPEAKER {claim.mention_start} {claim.mention_end}" in ann and "said_by Arg1:" in ann


def test_mentions_and_emails_cost_no_extra_query(named):
    passages = Passage.objects.filter(document__project=named.project).count()
    with CaptureQueriesContext(connection) as queries:
        records = list(
            passage_records(
                project=named.project, filters=ExportFilters(status="all", source="all"), chunk_size=2
            )
        )
    assert len(queries) == 1 + 2 * math.ceil(passages / 2)
    claims = [c for r in records for c in r["claims"]]
    assert {c["annotator_email"] for c in claims if c["annotator"] == "ann1"} == {"ann1@example.org"}
    assert sum(c["mention_start"] is not None for c in claims) == 1


def test_brat_zip_has_the_conf_and_a_folder_per_annotator_with_the_exact_passage_texts(annotated):
    files = members(export(annotated.project, "brat", source="all"))
    texts = {p.pk: p.text for p in annotated.passages}
    assert (
        "annotation.conf" in files
        and b"Perspective\tArg:CLAIM, Value:us_western|" in files["annotation.conf"]
    )
    folders = {name.split("/")[0] for name in files if "/" in name}
    assert folders == {"ann1", "ann2", "gold"}
    for name, data in files.items():
        if name.endswith(".txt"):
            passage_id = int(name.split("passage-")[1].removesuffix(".txt"))
            assert data.decode("utf-8") == texts[passage_id]
            text = texts[passage_id]
            for line in files[name.removesuffix(".txt") + ".ann"].decode().splitlines():
                if line.startswith("T"):
                    _, span, quoted = line.split("\t")
                    start, end = map(int, span.split()[1:])
                    assert text[start:end] == quoted, "code-point offsets, astral characters included"


def test_plain_conll_zip_is_read_by_nltk_with_every_token(annotated, tmp_path, monkeypatch):
    files = members(export(annotated.project, "conll_plain"))
    assert sorted(files) == ["README.txt", "ann1.conll", "ann2.conll"]
    assert b"dropped_claims ann1 = 1" in files["README.txt"]
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    monkeypatch.setenv("NLTK_DATA", str(tmp_path))  # NLTK reads corpora only under its data roots
    reader = ConllCorpusReader(str(tmp_path), ["ann1.conll", "ann2.conll"], columntypes=("words", "pos"))
    passages = {p.pk: p.text for p in annotated.passages}
    for username in ("ann1", "ann2"):
        worked = {
            c.assignment.passage_id
            for c in annotated.submitted
            if c.assignment.annotator.username == username
        }
        expected = sum(len(word_tokens(passages[pk])) for pk in worked)
        assert len(reader.words(f"{username}.conll")) == expected
        assert not any(line.startswith(b"# ") for line in files[f"{username}.conll"].splitlines())


def test_the_command_and_the_api_give_the_label_studio_config(annotated, tmp_path):
    out = tmp_path / "config.xml"
    call_command("export", project="summits", format="label_studio_config", out=str(out))
    root = ElementTree.fromstring(out.read_text(encoding="utf-8"))  # noqa: S314 - our own output
    assert [label.get("value") for label in root.iter("Label")] == ["CLAIM", "SPEAKER"]
    client = APIClient()
    client.force_authenticate(annotated.people["res"])
    response = client.get(
        "/api/v1/exports/stream/", {"project": annotated.project.pk, "format": "label_studio_config"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == 'attachment; filename="summits-label-studio-config.xml"'
    assert b"".join(response.streaming_content) == out.read_bytes()


@pytest.mark.parametrize("name", ["doccano", "brat", "conll_plain"])
def test_the_api_sends_the_zip_formats_as_zip_attachments(annotated, name):
    client = APIClient()
    client.force_authenticate(annotated.people["res"])
    response = client.get("/api/v1/exports/stream/", {"project": annotated.project.pk, "format": name})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="summits-{name}.zip"'
    assert members(b"".join(response.streaming_content))
