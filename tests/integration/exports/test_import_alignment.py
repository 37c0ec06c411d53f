"""Work from other tools lands on the project's own articles, with speakers, in its own members' names."""

import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from annotator.corpus.models import Document, Membership, Passage, Speaker
from annotator.exports.importing import annotations_import
from annotator.labeling.models import Assignment, AssignmentStatus, Claim
from annotator.labeling.span_rule import normalise_span

pytestmark = pytest.mark.django_db

FIRST_SEED = "000_19274ddd54156fa7"


def utf16(text: str, offset: int) -> int:
    return len(text[:offset].encode("utf-16-le")) // 2


def entity(text: str, words: str, label: str, entity_id: int, nth: int = 0) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = text.index(words, start + 1)
    return {
        "id": entity_id,
        "label": label,
        "start_offset": utf16(text, start),
        "end_offset": utf16(text, start + len(words)),
    }


def doccano_line(line_id: int, text: str, entities: list[dict], relations: list[tuple], **extra) -> str:
    rels = [{"id": n, "from_id": a, "to_id": b, "type": kind} for n, (a, b, kind) in enumerate(relations, 1)]
    record = {"id": line_id, "text": text, "entities": entities, "relations": rels, "Comments": [], **extra}
    return json.dumps(record, ensure_ascii=False)


def zipped(members: dict[str, list[str]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, lines in members.items():
            archive.writestr(name, "\n".join(lines) + "\n")
    return buffer.getvalue()


def passages_of(project) -> list[Passage]:
    return list(
        Passage.objects.filter(document__project=project)
        .select_related("document")
        .order_by("document_id", "position")
    )


def quoted_passage(passages: list[Passage]) -> Passage:
    """A seed passage that quotes someone: it holds a verb of saying and a name before it."""
    return next(p for p in passages if " said " in p.text and len(p.text) > 200)


def relation_export(project) -> tuple[bytes, Passage, dict]:
    """doccano's zip for ann1 and ann2: a claim and its speaker span joined by said_by, a responds_to."""
    passages = passages_of(project)
    passage = quoted_passage(passages)
    text = passage.text
    said = text.index(" said ")
    speaker_words = text[:said].split()[-1]  # the word before "said": a name or a title
    claim_words = text[said + len(" said ") :].split(".")[0][:60].rsplit(" ", 1)[0]
    ann1 = [
        doccano_line(
            1,
            text,
            [
                entity(text, claim_words, "CLAIM", 11),
                entity(text, speaker_words, "SPEAKER", 12),
                entity(text, text.split()[0], "CLAIM", 13),
            ],
            [(11, 12, "said_by"), (13, 11, "responds_to")],
        )
    ]
    ann2 = [
        doccano_line(1, text, [entity(text, claim_words, "CLAIM", 21)], []),
        doccano_line(
            2,
            passages[0].text,
            [],
            [],
            Comments=[{"id": 5, "comment": "No claim here, only <b>context</b>."}],
        ),
        doccano_line(3, passages[2].text, [], []),  # doccano writes every example into every file
    ]
    facts = {"passage": passage, "claim": claim_words, "speaker": speaker_words, "empty": passages[0]}
    return zipped({"ann1.jsonl": ann1, "ann2.jsonl": ann2}), passage, facts


def import_zip(project, data: bytes, **options):
    return annotations_import(project=project, files=[("doccano-export.zip", data)], **options)


def test_records_that_are_seed_passages_attach_to_them_with_the_speaker_of_each_claim(
    project, members, seeded
):
    data, passage, facts = relation_export(project)
    documents = Document.objects.count()
    summary = import_zip(project, data)
    assert summary.written and summary.errors == []
    assert Document.objects.count() == documents, "no duplicate documents for texts the project has"
    assert (summary.aligned_records, summary.new_documents) == (4, 0)
    claim = Claim.objects.get(assignment__annotator__username="ann1", text=facts["claim"])
    assert claim.assignment.passage_id == passage.pk
    assert claim.speaker is not None and claim.speaker.name == facts["speaker"].strip(",.;:")
    assert passage.text[claim.mention_start : claim.mention_end].startswith(claim.speaker.name)
    assert claim.attribution == "indirect", "a claim with a speaker is never authorial"
    other = Claim.objects.get(assignment__annotator__username="ann1", start=0)
    assert other.speaker is None and other.attribution == "authorial"
    assert dict(summary.ignored_relations) == {"responds_to": 1}
    assert summary.speaker_relations == 1
    empty = Assignment.objects.get(passage=facts["empty"], annotator__username="ann2")
    assert empty.status == AssignmentStatus.SUBMITTED and not empty.claims.exists(), "looked, no claim"
    assert empty.note == "No claim here, only <b>context</b>.", "the comment is ann2's note on the passage"
    assert not Assignment.objects.filter(passage=passages_of(project)[2], annotator__username="ann2").exists()
    report = summary.as_dict()["annotators"]
    assert [
        (r["name"], r["claims"], r["claims_with_speaker"], r["looked_no_claim"], r["comments"])
        for r in report
    ] == [
        ("ann1", 2, 1, 0, 0),
        ("ann2", 1, 0, 1, 1),
    ]


def test_importing_the_same_zip_again_adds_nothing(project, members, seeded):
    data, _, _ = relation_export(project)
    import_zip(project, data)
    before = (
        Document.objects.count(),
        Assignment.objects.count(),
        Claim.objects.count(),
        Speaker.objects.count(),
    )
    again = import_zip(project, data)
    assert again.written and again.claims == 0 and again.assignments == 0
    assert [r.already_there for r in again.annotators.values()] == [1, 2]
    assert (
        Document.objects.count(),
        Assignment.objects.count(),
        Claim.objects.count(),
        Speaker.objects.count(),
    ) == before


def test_a_dry_run_reports_what_would_be_written_and_writes_nothing(project, members, seeded):
    data, _, _ = relation_export(project)
    before = (
        Assignment.objects.filter(status="submitted").count(),
        Claim.objects.count(),
        Speaker.objects.count(),
    )
    summary = import_zip(project, data, dry_run=True)
    assert not summary.written and summary.dry_run
    body = summary.as_dict()
    assert (body["claims"], body["speakers_new"], body["aligned_records"]) == (3, 1, 4)
    assert (
        Assignment.objects.filter(status="submitted").count(),
        Claim.objects.count(),
        Speaker.objects.count(),
    ) == before


def test_a_whole_article_lands_on_its_passages_and_a_span_across_two_passages_is_reported(
    project, members, seeded
):
    passages = passages_of(project)
    first, second = passages[0], passages[1]
    document = first.document
    text = document.text
    across = (text.index(first.text) + len(first.text) - 5, text.index(second.text) + 5)
    inside = (second.start + 2, second.start + 12)
    line = json.dumps(
        {
            "id": 7,
            "text": text,
            "label": [
                [utf16(text, inside[0]), utf16(text, inside[1]), "CLAIM"],
                [*map(lambda o: utf16(text, o), across), "CLAIM"],
            ],
        },
        ensure_ascii=False,
    )
    summary = annotations_import(project=project, files=[("ann1.jsonl", line.encode())])
    assert summary.written and summary.new_documents == 0 and summary.aligned_records == 1
    (claim,) = Claim.objects.filter(assignment__annotator__username="ann1")
    assert claim.assignment.passage_id == second.pk
    # Offsets land in the passage; the span rule may then tidy the edges as for any claim.
    start, end = normalise_span(second.text, 2, 12)
    assert (claim.start, claim.end) == (start, end) and claim.text == second.text[start:end]
    assert any("crosses a passage boundary" in what for what in summary.lost)
    looked = Assignment.objects.filter(annotator__username="ann1", status="submitted").count()
    assert looked == Passage.objects.filter(document=document).count(), "ann1 read the whole article"


def test_an_annotator_who_is_no_member_is_refused_and_no_account_outside_the_project_is_touched(
    project, members, seeded
):
    passage = passages_of(project)[0]
    line = json.dumps({"id": 1, "text": passage.text, "label": [[0, 5, "CLAIM"]]}).encode()
    outsider = members["outsider"]
    for options in ({}, {"create_users": True}):
        summary = annotations_import(project=project, files=[("outsider.jsonl", line)], **options)
        assert not summary.written
        assert "not a member of this project" in summary.errors[0].message
        assert not Membership.objects.filter(user=outsider).exists()
        assert not Assignment.objects.filter(annotator=outsider).exists()
    summary = annotations_import(project=project, files=[("newcomer.jsonl", line)])
    assert not summary.written and not get_user_model().objects.filter(username="newcomer").exists()
    summary = annotations_import(project=project, files=[("newcomer.jsonl", line)], create_users=True)
    assert summary.written and summary.users_created == ["newcomer"]
    newcomer = get_user_model().objects.get(username="newcomer")
    assert not newcomer.has_usable_password()
    assert Membership.objects.get(user=newcomer, project=project).role == "annotator"


def test_an_annotator_map_names_members_by_username_and_email(project, members, seeded):
    members["ann1"].email = "ann1@example.org"
    members["ann1"].save()
    passage = passages_of(project)[0]
    line = json.dumps({"id": 1, "text": passage.text, "label": [[0, 5, "CLAIM"]]}).encode()
    summary = annotations_import(project=project, files=[("ann1@example.org.jsonl", line)])
    assert summary.written and summary.annotators["ann1@example.org"].username == "ann1"
    summary = annotations_import(project=project, files=[("bob.jsonl", line)], annotator_map={"bob": "ann2"})
    assert summary.written
    assert Claim.objects.filter(assignment__annotator__username="ann2").count() == 1


@pytest.mark.parametrize(
    ("options", "field", "named"),
    [
        ({"label_map": {"SPEAKER": None}}, "label_map", "SPEAKER"),
        ({"label_map": {"CLAIM": {"role": "boss"}}}, "label_map", "CLAIM"),
        ({"label_map": {"CLAIM": {"colour": "red"}}}, "label_map", "colour"),
        ({"annotator_map": {"bob": None}}, "annotator_map", "bob"),
        ({"annotator_map": {"bob": ""}}, "annotator_map", "bob"),
        ({"format": "excel"}, "format", "excel"),
    ],
)
def test_a_malformed_option_is_a_field_error_naming_the_key_and_nothing_is_written(
    project, members, seeded, options, field, named
):
    data, _, _ = relation_export(project)
    before = Claim.objects.count()
    with pytest.raises(ValidationError) as error:
        import_zip(project, data, **options)
    assert named in " ".join(error.value.message_dict[field])
    assert Claim.objects.count() == before


def test_a_label_mapped_to_ignore_is_counted_and_not_imported(project, members, seeded):
    data, _, facts = relation_export(project)
    summary = import_zip(project, data, label_map={"CLAIM": "claim", "SPEAKER": "ignore"})
    assert summary.written and summary.ignored_labels == {"SPEAKER": 1}
    assert not Claim.objects.filter(speaker__isnull=False).exists()
    assert any("does not join a claim span and a speaker span" in what for what in summary.lost)


def test_counts_are_of_records_not_of_problems(project, members, seeded):
    passage = passages_of(project)[0]
    lines = [
        json.dumps({"id": 1, "text": passage.text, "label": [[0, 5, "MARTIAN"], [6, 9, "MARTIAN"]]}),
        json.dumps({"id": 2, "text": passage.text, "label": [[0, 5, "CLAIM"]]}),
        "{not json",
    ]
    summary = annotations_import(project=project, files=[("ann1.jsonl", "\n".join(lines).encode())])
    assert not summary.written
    assert (summary.records, summary.records_with_errors, len(summary.errors)) == (3, 2, 3)
    summary = annotations_import(
        project=project, files=[("ann1.jsonl", "\n".join(lines).encode())], skip_invalid=True
    )
    assert summary.written and summary.claims == 1


def test_the_queries_of_an_import_do_not_grow_with_its_records(project, members, seeded):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("SQLite splits bulk inserts by its limit on query parameters")

    def lines(first: int, count: int) -> bytes:
        rows = []
        for n in range(first, first + count):
            speaker = f"Analyst {n % 7 + first}"  # new speakers in each import, several per import
            text = f"Record {n}: {speaker} said the summit was a turning point."
            entities = [
                entity(text, "the summit was a turning point", "CLAIM", 1),
                entity(text, speaker, "SPEAKER", 2),
            ]
            rows.append(doccano_line(n, text, entities, [(1, 2, "said_by")]))
        return "\n".join(rows).encode()

    counts = []
    for first, count in ((0, 10), (1000, 300)):
        with CaptureQueriesContext(connection) as queries:
            summary = annotations_import(project=project, files=[("ann1.jsonl", lines(first, count))])
        assert summary.written and summary.claims == count
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
