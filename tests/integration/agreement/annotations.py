"""Annotated projects for agreement tests, built through the real write services.

Every passage gets a hidden "true" set of claims; each annotator marks them with a little noise (a missed
claim, a shifted boundary, another perspective, stance or speaker), so agreement is high but not perfect.
"""

import random
from unittest import mock

from annotator.corpus.models import Project, Speaker
from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import, speaker_create
from annotator.labeling.assignment_services import assignment_submit, assignments_distribute
from annotator.labeling.models import Assignment, AssignmentStatus, Claim, ClaimOrigin
from annotator.labeling.services import claim_create, claim_delete

PERSPECTIVES = ["us_western", "chinese", "russian", "north_korean"]
STANCES = ["favor", "against", "neutral"]
SENTENCE = (
    "Analysts in Beijing said the summit would change little, while officials in Washington warned "
    "that the new partnership between Moscow and Pyongyang threatens the region. "
)


def import_articles(project: Project, *, documents: int, paragraphs: int = 6) -> None:
    """Synthetic articles: `documents` documents of `paragraphs` passages each."""
    records = [
        ArticleRecord(
            title=f"Article {d + 1}",
            text="\n\n".join(
                f"Paragraph {p + 1} of article {d + 1}. " + SENTENCE * 2 for p in range(paragraphs)
            ),
            source="test wire",
        )
        for d in range(documents)
    ]
    documents_import(project=project, records=records)


def _speakers(project: Project) -> list[int]:
    names = ["Wang Junsheng", "Alexander Korolev", "State Department", "KCNA"]
    existing = {s.name: s.pk for s in Speaker.objects.filter(project=project)}
    return [
        existing.get(name) or speaker_create(project=project, name=name, kind="person").pk for name in names
    ]


def _truth(rng: random.Random, length: int, speakers: list[int], per_passage: int) -> list[tuple]:
    claims = []
    for _ in range(per_passage):
        start = rng.randrange(0, max(length - 40, 1))
        end = min(length, start + rng.randint(15, 60))
        speaker = rng.choice([*speakers, None])
        claims.append((start, end, rng.choice(PERSPECTIVES), rng.choice(STANCES), speaker))
    return claims


def annotate(project: Project, *, seed: int = 0, per_passage: int = 2, noise: float = 0.15) -> int:
    """Distribute the passages, mark claims on every assignment, submit it; returns the number of claims.

    The automatic refresh that each submission schedules is held back while building, so a test decides
    itself when a run happens.
    """
    speakers = _speakers(project)
    assignments_distribute(project=project)
    assignments = (
        Assignment.objects.filter(passage__document__project=project)
        .select_related("passage__document__project")
        .order_by("passage_id", "annotator_id")
    )
    truths: dict[int, list[tuple]] = {}
    created = 0
    # Random draws keyed by rank, not by id: the same claims whatever ids the database hands out.
    with mock.patch("annotator.agreement.scheduling.schedule_refresh"):
        for rank, assignment in enumerate(assignments):
            passage = assignment.passage
            truth = truths.setdefault(
                passage.pk,
                _truth(random.Random(f"{seed}/{len(truths)}"), len(passage.text), speakers, per_passage),
            )
            rng = random.Random(f"{seed}/assignment {rank}")
            for start, end, perspective, stance, speaker in truth:
                if rng.random() < noise / 2:
                    continue  # missed it
                if rng.random() < noise:
                    end = max(start + 1, end - rng.randint(1, 8))
                if rng.random() < noise:
                    perspective = rng.choice(PERSPECTIVES)
                if rng.random() < noise:
                    stance = rng.choice(STANCES)
                if rng.random() < noise:
                    speaker = rng.choice([*speakers, None])
                claim_create(
                    assignment=assignment,
                    start=start,
                    end=end,
                    speaker_id=speaker,
                    attribution="indirect" if speaker else "authorial",
                    perspective=perspective,
                    stance=stance,
                )
                created += 1
            assignment_submit(assignment=assignment)
    return created


def accept_suggestions(project: Project, *, passages: int = 3) -> list[int]:
    """Every annotator of the first `passages` passages accepts the same two suggestions there (as the
    editor's "accept" makes them: claims through the write service, then origin=suggestion); returns
    the new claims' ids. Their assignments stay submitted."""
    assignments = (
        Assignment.objects.filter(passage__document__project=project, status=AssignmentStatus.SUBMITTED)
        .select_related("passage__document__project")
        .order_by("passage_id", "annotator_id")
    )
    first = sorted({a.passage_id for a in assignments})[:passages]
    speaker = Speaker.objects.filter(project=project).order_by("id").first()
    created = []
    with mock.patch("annotator.agreement.scheduling.schedule_refresh"):
        for assignment in (a for a in assignments if a.passage_id in first):
            length = len(assignment.passage.text)
            for start, end in ((0, min(12, length)), (length // 2, length // 2 + 20)):
                claim = claim_create(
                    assignment=assignment,
                    start=start,
                    end=end,
                    speaker_id=speaker.pk,
                    attribution="direct",
                    perspective="chinese",
                    stance="neutral",
                )
                created.append(claim.pk)
    Claim.objects.filter(pk__in=created).update(origin=ClaimOrigin.SUGGESTION)
    return created


def clear_claims(assignment: Assignment) -> None:
    """Delete the annotator's claims on one submitted passage (through the write service)."""
    with mock.patch("annotator.agreement.scheduling.schedule_refresh"):
        for claim in Claim.objects.filter(assignment=assignment).select_related(
            "assignment__passage__document__project"
        ):
            claim_delete(claim=claim, version=claim.version)
