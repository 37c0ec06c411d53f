"""Loading the demo's annotations: three simulated annotators' versions of the gold-annotated articles,
the gold itself as adjudications of the first half of each article, and a first agreement run.

Everything goes through the write services the site uses (speaker_create, claim_create, assignment_submit,
adjudication_save, agreement_run_request), in one transaction: a gold file that cannot be loaded writes
nothing. A project that already has claims is left as it is, so starting the demo twice adds nothing.
"""

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from annotator.agreement.models import AgreementRun
from annotator.agreement.services import agreement_run_request
from annotator.corpus.models import Document, Passage, Project, Role, Speaker
from annotator.corpus.readers import content_digest, read_articles
from annotator.corpus.schema import span_rule_of, values
from annotator.corpus.services import speaker_create
from annotator.exports.importing.selectors import speakers_known
from annotator.labeling.assignment_services import assignment_submit
from annotator.labeling.models import Assignment, Claim
from annotator.labeling.services import claim_create
from annotator.review.services import adjudication_save
from annotator.suggestions.detector.gold import gold_problems
from annotator.web.demo.gold import DemoClaim, GoldError, GoldFile, gold_place, gold_read
from annotator.web.demo.simulate import Choices, simulate_passage

# The first half of each article's passages gets the gold as an adjudication; the rest stays in the
# review queue, so the who-says-what page shows gold cells and majority cells side by side.
ADJUDICATED_SHARE = 0.5
# The last passages of each article that the first annotator has not done yet: their day still has work.
LEFT_OPEN = 3


@dataclass
class AnnotatorLoad:
    username: str
    claims: int = 0
    submitted: int = 0
    open: int = 0


@dataclass
class DemoLoad:
    """What was loaded; `already_loaded` when the project had claims and nothing was written."""

    already_loaded: bool = False
    gold_files: list[str] = field(default_factory=list)
    gold_claims: int = 0
    adjudicated_passages: int = 0
    adjudicated_claims: int = 0
    annotated_passages: int = 0
    annotators: list[AnnotatorLoad] = field(default_factory=list)
    speakers_matched: list[str] = field(default_factory=list)
    run: AgreementRun | None = None


@dataclass
class _Article:
    gold: GoldFile
    passages: list[Passage]
    placed: list[list[DemoClaim]]


def demo_annotations_load(
    *, project: Project, gold_dir: Path, seeds_dir: Path, reviewer: AbstractBaseUser
) -> DemoLoad:
    """Load the gold files of `gold_dir` (each naming a seed article of `seeds_dir` already imported into
    `project`) as described in the module docstring; the agreement run is requested after the commit.

    Raises GoldError naming the file and claim when a gold file does not fit its article or the schema.
    """
    if Claim.objects.filter(project=project).exists():
        return DemoLoad(already_loaded=True)
    golds = [
        gold_read(path.read_text(encoding="utf-8"), file_name=path.name) for path in _gold_paths(gold_dir)
    ]
    load = DemoLoad(gold_files=[gold.file_name for gold in golds])
    if not golds:
        return load
    articles = [_article(project, gold, seeds_dir) for gold in golds]
    annotators = list(
        get_user_model()
        .objects.filter(memberships__project=project, memberships__role=Role.ANNOTATOR)
        .order_by("username")
    )
    load.annotators = [AnnotatorLoad(username=user.get_username()) for user in annotators]
    assignments = {
        (a.passage_id, a.annotator_id): a
        for a in Assignment.objects.filter(
            passage__document__in=[
                article.passages[0].document_id for article in articles if article.passages
            ],
            annotator__in=annotators,
        ).select_related("passage__document__project")
    }
    people = list(zip(annotators, load.annotators, strict=True))
    with transaction.atomic():
        # Each submission and adjudication asks for an agreement refresh once this commits. With a run
        # already queued they all join it (one queued run per project), and it is sent once, below.
        agreement_run_request(project=project, enqueue=False)
        speaker_ids = _speakers(project, golds, load)
        for article in articles:
            choices = _choices(project, article.gold)
            adjudicated = math.ceil(len(article.passages) * ADJUDICATED_SHARE)
            for index, (passage, gold) in enumerate(zip(article.passages, article.placed, strict=True)):
                # The first annotator has not reached the article's last passages yet.
                left_open = bool(people) and index >= len(article.passages) - LEFT_OPEN
                working = people[1:] if left_open else people
                if left_open:
                    people[0][1].open += 1
                work = [(assignments.get((passage.pk, user.pk)), counts) for user, counts in working]
                place = f"{article.gold.document}#{passage.position}"
                sources = _annotate(passage, gold, work, choices, speaker_ids, place=place)
                load.annotated_passages += 1
                if index < adjudicated:
                    adjudication_save(
                        passage=passage,
                        reviewer=reviewer,
                        version=0,
                        claims=[
                            {**_fields(claim, speaker_ids), "source_claim_ids": sources.get(at, [])}
                            for at, claim in enumerate(gold)
                        ],
                    )
                    load.adjudicated_passages += 1
                    load.adjudicated_claims += len(gold)
            load.gold_claims += len(article.gold.claims)
    load.run = agreement_run_request(project=project)
    return load


def _annotate(
    passage: Passage,
    gold: list[DemoClaim],
    work: list[tuple[Assignment | None, AnnotatorLoad]],
    choices: Choices,
    speaker_ids: dict[str, int],
    *,
    place: str,
) -> dict[int, list[int]]:
    """Each annotator's simulated version of the passage, written and submitted on their assignment;
    returns gold claim index → the ids of the annotators' claims derived from it."""
    sources: dict[int, list[int]] = {}
    for assignment, counts in work:
        if assignment is None:  # not assigned this passage
            continue
        version = simulate_passage(
            passage.text, gold, annotator=counts.username, place=place, choices=choices
        )
        for claim in version:
            created = claim_create(assignment=assignment, **_fields(claim, speaker_ids))
            if claim.source is not None:
                sources.setdefault(claim.source, []).append(created.pk)
        assignment_submit(assignment=assignment)
        counts.claims += len(version)
        counts.submitted += 1
    return sources


def _choices(project: Project, gold: GoldFile) -> Choices:
    return Choices(
        # Sorted: a set's order changes from one process to the next, and the draws must not.
        perspectives=sorted(values(project.schema, "perspectives")),
        stances=sorted(values(project.schema, "stances")),
        speakers=[speaker.name for speaker in gold.speakers],
        target=project.schema.get("default_target", ""),
        span_rule=span_rule_of(project.schema),
    )


def _gold_paths(gold_dir: Path) -> list[Path]:
    return sorted(gold_dir.glob("*.json")) if gold_dir.is_dir() else []


def _article(project: Project, gold: GoldFile, seeds_dir: Path) -> _Article:
    """The gold file's article as imported (found by its text's digest), its passages and claims placed."""
    path = seeds_dir / gold.document
    if not path.is_file():
        raise GoldError(f"{gold.file_name}: document: no seed article {gold.document!r} in {seeds_dir}")
    records = list(read_articles(path.name, path.read_bytes()))
    document = Document.objects.filter(project=project, sha256=content_digest(records[0].text)).first()
    if document is None:
        raise GoldError(f"{gold.file_name}: document: {gold.document!r} is not imported into the project")
    _check(project, gold, document.text)
    passages = list(
        Passage.objects.filter(document=document).select_related("document__project").order_by("position")
    )
    placed = gold_place(gold, text=document.text, passages=[(p.start, p.end) for p in passages])
    return _Article(gold=gold, passages=passages, placed=placed)


def _check(project: Project, gold: GoldFile, text: str) -> None:
    """The gold against the rules an annotator's claim meets (segmenter, span rule, schema, speakers),
    checked before anything is written, so the error names the file and the claims."""
    problems = gold_problems(gold.data, text, project.schema)
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise GoldError(f"{gold.file_name}: {'; '.join(problems[:3])}{more}")


def _speakers(project: Project, golds: list[GoldFile], load: DemoLoad) -> dict[str, int]:
    """Speaker name → id: the project's speaker of that name or alias (any case), as the annotation
    import matches them, else a new approved one. A name that is another speaker's alias (the same name
    in two files is one speaker) is noted in `load.speakers_matched`."""
    known = speakers_known(project=project)
    names = dict(Speaker.objects.filter(project=project).values_list("id", "name"))
    ids: dict[str, int] = {}
    for gold in golds:
        for speaker in gold.speakers:
            pk = known.get(speaker.name.casefold())
            if pk is None:
                try:
                    created = speaker_create(
                        project=project,
                        name=speaker.name,
                        kind=speaker.kind,
                        affiliation=speaker.affiliation,
                        aliases=list(speaker.aliases),
                    )
                except ValidationError as error:
                    raise GoldError(
                        f"{gold.file_name}: speaker {speaker.name!r}: {_message(error)}"
                    ) from None
                pk, names[created.pk] = created.pk, created.name
                for name in (created.name, *created.aliases):
                    known.setdefault(name.casefold(), pk)
            elif names.get(pk, "").casefold() != speaker.name.casefold():
                load.speakers_matched.append(f"{gold.file_name}: {speaker.name!r} is {names.get(pk)!r}")
            ids[speaker.name] = pk
    return ids


def _fields(claim: DemoClaim, speaker_ids: dict[str, int]) -> dict[str, Any]:
    """The claim as the write services take it; the text is left for them to take from the passage."""
    mention_start, mention_end = claim.mention or (None, None)
    return {
        "start": claim.start,
        "end": claim.end,
        "speaker_id": speaker_ids.get(claim.speaker) if claim.speaker else None,
        "mention_start": mention_start,
        "mention_end": mention_end,
        "attribution": claim.attribution,
        "perspective": claim.perspective,
        "stance": claim.stance,
        "target": claim.target,
    }


def _message(error: ValidationError) -> str:
    return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
