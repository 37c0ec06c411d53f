"""An annotated project for the export tests, built through the write services.

Two passages of the first seed article and one passage full of non-ASCII and astral characters carry
claims by ann1 and ann2 (submitted) and ann3 (in progress, not submitted); the first passage also has an
adjudicated gold version. Texts meant to trip spreadsheets (formula starts) sit in notes, targets and a
speaker name.
"""

from dataclasses import dataclass, field

import pytest

from annotator.corpus.models import Passage, Project, Speaker
from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import, speaker_create
from annotator.labeling.assignment_services import assignment_submit, assignments_distribute
from annotator.labeling.models import Assignment, Claim
from annotator.labeling.services import claim_create
from annotator.review.services import adjudication_save
from tests.integration.follow_ups import follow_ups_held

ASTRAL_TEXT = (
    "Pyongyang notes\n\n"
    "🐱 Commentators in 北京 said the 𝕏 summit «Россия и КНДР» changed nothing, café owners agreed.\n\n"
    "Second paragraph without claims: 👨🏻‍🚒 e\u0301 ends here."
)
FORMULA_NOTE = '=HYPERLINK("http://evil.example","click")'


def span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


@dataclass
class Annotated:
    project: Project
    people: dict
    passages: list[Passage]  # the three passages with claims
    speaker: Speaker
    submitted: list[Claim] = field(default_factory=list)  # ann1's and ann2's claims
    unsubmitted: list[Claim] = field(default_factory=list)  # ann3's


def _assignment(passage: Passage, user) -> Assignment:
    return Assignment.objects.select_related("passage__document__project").get(
        passage=passage, annotator=user
    )


def annotate_project(project: Project, people: dict) -> Annotated:
    """Claims on three passages (see the module doc); assignments are distributed to all annotators."""
    documents_import(
        project=project, records=[ArticleRecord(title="Astral", text=ASTRAL_TEXT, source="wire")]
    )
    assignments_distribute(project=project)
    seed_passages = list(
        Passage.objects.filter(document__project=project).exclude(document__title="Astral").order_by("id")[:2]
    )
    astral = Passage.objects.get(document__project=project, document__title="Astral", text__startswith="🐱")
    speaker = speaker_create(
        project=project, name="@SUM(A1) Wang Junsheng", kind="person", affiliation="cn_scholar"
    )
    data = Annotated(project, people, [*seed_passages, astral], speaker)
    first, second = seed_passages
    plans = {
        "ann1": [
            (
                first,
                first.text.split()[0:3],
                dict(perspective="chinese", stance="neutral", note=FORMULA_NOTE),
            ),
            (first, first.text.split()[2:6], dict(perspective="us_western", stance="against", speaker=True)),
            (
                second,
                second.text.split()[0:4],
                dict(perspective="us_western", stance="favor", target="+1 pact"),
            ),
            (astral, ["北京", "said", "the", "𝕏", "summit"], dict(perspective="chinese", stance="neutral")),
            (astral, ["«Россия", "и", "КНДР»"], dict(perspective="russian", stance="favor", confidence=4)),
        ],
        "ann2": [
            (first, first.text.split()[0:3], dict(perspective="chinese", stance="against")),
            (astral, ["𝕏", "summit"], dict(perspective="neutral_mixed", stance="neutral", note="-tricky")),
        ],
    }
    with follow_ups_held():
        for username, claims in plans.items():
            assignments = {}
            for passage, words, fields in claims:
                assignment = assignments.setdefault(passage.pk, _assignment(passage, people[username]))
                start, end = span(passage.text, " ".join(words))
                speaker_id = speaker.pk if fields.pop("speaker", False) else None
                claim = claim_create(
                    assignment=assignment,
                    start=start,
                    end=end,
                    attribution="indirect" if speaker_id else "authorial",
                    speaker_id=speaker_id,
                    **fields,
                )
                data.submitted.append(claim)
            for assignment in assignments.values():
                assignment_submit(assignment=assignment)
        draft = _assignment(first, people["ann3"])
        start, end = span(first.text, " ".join(first.text.split()[1:4]))
        data.unsubmitted.append(
            claim_create(
                assignment=draft,
                start=start,
                end=end,
                attribution="authorial",
                perspective="russian",
                stance="favor",
            )
        )
        gold_start, gold_end = span(first.text, " ".join(first.text.split()[0:3]))
        adjudication_save(
            passage=Passage.objects.select_related("document__project").get(pk=first.pk),
            reviewer=people["rev"],
            version=0,
            claims=[
                dict(
                    start=gold_start,
                    end=gold_end,
                    attribution="authorial",
                    perspective="chinese",
                    stance="neutral",
                    target="",
                    source_claim_ids=[data.submitted[0].pk],
                )
            ],
        )
    return data


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """The fixtures make several users; the production hasher would spend seconds on them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def annotated(project, members, seeded) -> Annotated:
    return annotate_project(project, members)
