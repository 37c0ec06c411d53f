"""Real-shaped exports of doccano, Label Studio and brat (tests/fixtures/README.md) of two annotators' work
on the seed articles come across whole: claims on the seed passages, speakers from relations, the annotators'
own accounts, what they looked at and skipped."""

from pathlib import Path

import pytest

from annotator.corpus.models import Document
from annotator.exports.importing import annotations_import
from annotator.labeling.models import Assignment, AssignmentStatus, Claim

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
LABEL_STUDIO = FIXTURES / "label_studio"
EXPORTS = {
    "doccano": FIXTURES / "doccano" / "doccano-export.zip",
    "label_studio": LABEL_STUDIO / "seeds-json.json",
    "brat": FIXTURES / "brat" / "brat-collection.zip",
}


@pytest.fixture
def study(project, members, seeded):
    for name in ("ann1", "ann2"):
        members[name].email = f"{name}@example.org"
        members[name].save()
    return project


def import_fixture(project, path: Path, **options):
    return annotations_import(project=project, files=[(path.name, path.read_bytes())], **options)


@pytest.mark.parametrize("tool", list(EXPORTS))
def test_two_annotators_work_lands_on_the_seed_passages_with_its_speakers(study, tool):
    seed_documents = list(Document.objects.values_list("id", flat=True))
    documents = len(seed_documents)
    summary = import_fixture(study, EXPORTS[tool])
    assert summary.written and summary.errors == [], summary.errors
    assert summary.new_documents == 1 and summary.aligned_records >= 4
    on_seeds = Claim.objects.filter(assignment__passage__document_id__in=seed_documents).count()
    assert on_seeds == 8, "ann1's 6 and ann2's 2 claims on the four seed paragraphs"
    assert Document.objects.count() == documents + 1, "only the text not in the seeds is a new document"
    assert dict(summary.ignored_relations) == {"responds_to": 1}
    reports = {name: report.as_dict() for name, report in summary.annotators.items()}
    ann1 = next(r for r in reports.values() if r["username"] == "ann1")
    ann2 = next(r for r in reports.values() if r["username"] == "ann2")
    assert (ann1["claims"], ann1["claims_with_speaker"]) == (8, 7)
    assert (ann2["claims"], ann2["claims_with_speaker"]) == (3, 3)
    with_speaker = Claim.objects.filter(speaker__isnull=False).select_related(
        "speaker", "assignment__passage"
    )
    assert with_speaker.count() == 10
    for claim in with_speaker:
        assert claim.attribution != "authorial"
        mention = claim.assignment.passage.text[claim.mention_start : claim.mention_end]
        assert claim.speaker.name in mention or mention in claim.speaker.name
    wang = Claim.objects.filter(speaker__name="Wang Junsheng").values_list("assignment__annotator__username")
    assert {name for (name,) in wang} == {"ann1", "ann2"}, "one speaker for the name, whoever marked it"


def test_label_studio_keeps_choices_empty_annotations_and_skips(study):
    summary = import_fixture(study, EXPORTS["label_studio"])
    assert summary.written
    ann2 = summary.annotators["ann2@example.org"]
    assert (ann2.looked_no_claim, ann2.cancelled) == (1, 1)
    statuses = sorted(
        Assignment.objects.filter(annotator__username="ann2", claims__isnull=True).values_list(
            "status", flat=True
        )
    )
    assert statuses == [AssignmentStatus.SKIPPED, AssignmentStatus.SUBMITTED]
    perspectives = set(Claim.objects.values_list("perspective", flat=True))
    assert perspectives - {"neutral_mixed"}, "per-region perspective choices fill the claims"


def test_doccano_comments_become_the_annotators_note_on_the_passage(study):
    import_fixture(study, EXPORTS["doccano"])
    noted = Assignment.objects.exclude(note="").values_list("annotator__username", "note")
    assert [(name, "CASS" in note) for name, note in noted] == [("ann1", True)]


def test_importing_each_export_twice_adds_nothing_the_second_time(study):
    for path in EXPORTS.values():
        import_fixture(study, path)
    counts = (Document.objects.count(), Assignment.objects.count(), Claim.objects.count())
    for path in EXPORTS.values():
        again = import_fixture(study, path)
        assert again.written and again.claims == 0 and again.new_documents == 0
    assert (Document.objects.count(), Assignment.objects.count(), Claim.objects.count()) == counts


def test_json_min_comes_across_without_what_it_cannot_carry_and_says_so(study):
    summary = import_fixture(study, LABEL_STUDIO / "seeds-json-min.json")
    assert summary.written and summary.errors == []
    assert summary.cannot_carry["relations (JSON_MIN leaves them out)"] == summary.records
    assert any(what.startswith("the format cannot carry relations") for what in summary.as_dict()["lost"])
    assert not Document.objects.filter(meta__has_key="_lost").exists()
    assert Claim.objects.filter(speaker__isnull=False).count() == 0


@pytest.mark.parametrize(("name", "format_named"), [("seeds.csv", "CSV"), ("seeds.conll", "CoNLL")])
def test_label_studio_csv_and_conll_are_refused_naming_the_format_and_the_export_to_use(
    study, name, format_named
):
    summary = import_fixture(study, LABEL_STUDIO / name)
    assert not summary.written and summary.records == 0
    (error,) = summary.errors
    assert format_named.lower() in error.message.lower() and "JSON" in error.message
    assert not Claim.objects.exists()


def test_a_collaborative_doccano_file_needs_its_annotator_named(study):
    path = FIXTURES / "doccano" / "all.jsonl"
    summary = import_fixture(study, path)
    assert not summary.written and "collaborative" in summary.errors[0].message
    assert not Claim.objects.exists()
    summary = import_fixture(study, path, annotator="ann1")
    assert summary.written and set(summary.annotators) == {"ann1"}
    assert Claim.objects.filter(assignment__annotator__username="ann1").count() == summary.claims > 0
