"""Stored disagreement: each reviewable passage's score, kept fresh by the writes that change it.

The review queue reads `PassageScore` rows (an indexed query whatever the project size) instead of
scoring every passage per request. Services that change a passage's submitted claims call
`passage_scores_refresh` in their transaction; bulk writes (imports, speaker merges, schema renames)
call it with every passage they touched, or `project_scores_refresh`. A passage whose submitted claims
hash to the stored digest is not rescored.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from annotator.corpus.models import Passage, Project
from annotator.labeling.models import Assignment, AssignmentStatus, Claim
from annotator.review import compare
from annotator.review.models import PassageLabel, PassageScore

LABEL_FIELDS = ("attribution", "perspective", "stance")  # the labels the queue filters by
CHUNK = 2000  # passages per round of queries: bounded memory for a project-wide rescore
SCORED_FIELDS = ("annotators", "score", "span", "attributes", "boundary", "differences", "digest")
# A claim's fields that its disagreement depends on (compare.ClaimLabel without the annotator).
CLAIM_FIELDS = (
    "id",
    "start",
    "end",
    "speaker_id",
    "attribution",
    "perspective",
    "stance",
    "target",
    "mention_start",
    "mention_end",
)


def passage_scores_refresh(*, passage_ids: Iterable[int]) -> int:
    """Rescore the given passages whose submitted claims changed; returns how many rows were written.

    Passages with fewer than two submitted annotations lose their row (they are not reviewable).
    Four queries per chunk of passages; atomic, so the queue never sees half a chunk.
    """
    written = 0
    with transaction.atomic():
        ids = sorted(set(passage_ids))
        for at in range(0, len(ids), CHUNK):
            written += _refresh(ids[at : at + CHUNK])
    return written


def project_scores_refresh(*, project: Project) -> int:
    """Rescore every passage of the project that has a submitted annotation or a stored score."""
    submitted = Assignment.objects.filter(project=project, status=AssignmentStatus.SUBMITTED).values_list(
        "passage_id", flat=True
    )
    stored = PassageScore.objects.filter(project=project).values_list("passage_id", flat=True)
    return passage_scores_refresh(passage_ids={*submitted, *stored})


def _refresh(passage_ids: list[int]) -> int:
    annotators: dict[int, list[int]] = defaultdict(list)
    for passage_id, annotator_id in (
        Assignment.objects.filter(passage_id__in=passage_ids, status=AssignmentStatus.SUBMITTED)
        .order_by("passage_id", "annotator__username")
        .values_list("passage_id", "annotator_id")
    ):
        annotators[passage_id].append(annotator_id)
    reviewable = {p: people for p, people in annotators.items() if len(people) >= 2}
    claims: dict[int, dict[int, list[compare.ClaimLabel]]] = defaultdict(lambda: defaultdict(list))
    for row in (
        Claim.objects.filter(
            assignment__passage_id__in=list(reviewable), assignment__status=AssignmentStatus.SUBMITTED
        )
        .order_by("start", "end", "id")
        .values("assignment__passage_id", "assignment__annotator_id", *CLAIM_FIELDS)
    ):
        passage_id = row.pop("assignment__passage_id")
        claims[passage_id][row["assignment__annotator_id"]].append(
            compare.ClaimLabel(annotator_id=row.pop("assignment__annotator_id"), **row)
        )
    stored = dict(PassageScore.objects.filter(passage_id__in=passage_ids).values_list("passage_id", "digest"))
    digests = {p: _digest(people, claims[p]) for p, people in reviewable.items()}
    changed = [p for p, digest in digests.items() if stored.get(p) != digest]
    gone = [p for p in stored if p not in reviewable]
    if gone:
        PassageScore.objects.filter(passage_id__in=gone).delete()
    if not changed:
        return 0
    scores = compare.disagreements({p: claims[p] for p in changed}, {p: reviewable[p] for p in changed})
    places = {
        row[0]: row[1:]
        for row in Passage.objects.filter(pk__in=changed).values_list(
            "id", "document__project_id", "document_id", "position"
        )
    }
    rows = []
    for passage_id in changed:
        project_id, document_id, position = places[passage_id]
        found = scores[passage_id]
        rows.append(
            PassageScore(
                passage_id=passage_id,
                project_id=project_id,
                document_id=document_id,
                position=position,
                annotators=len(reviewable[passage_id]),
                score=found.score,
                span=found.span,
                attributes=found.attributes,
                boundary=found.boundary,
                differences=list(found.kinds),
                digest=digests[passage_id],
            )
        )
    PassageScore.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["passage"],
        update_fields=[*SCORED_FIELDS, "scored_at"],
    )
    PassageLabel.objects.filter(passage_id__in=changed).delete()
    PassageLabel.objects.bulk_create(
        PassageLabel(passage_id=passage_id, project_id=places[passage_id][0], label=label)
        for passage_id in changed
        for label in sorted(
            {
                f"{name}:{getattr(claim, name)}"
                for people in claims[passage_id].values()
                for claim in people
                for name in LABEL_FIELDS
            }
        )
    )
    return len(rows)


def _digest(annotators: list[int], claims: dict[int, list[compare.ClaimLabel]]) -> str:
    """What the score depends on: who submitted, and each of their claims' spans and labels."""
    parts = [repr(annotators)]
    for annotator in annotators:
        parts += [
            repr(tuple(getattr(claim, name) for name in CLAIM_FIELDS)) for claim in claims.get(annotator, ())
        ]
    return hashlib.md5("\n".join(parts).encode(), usedforsecurity=False).hexdigest()
