"""Annotations for review tests, built through the real write services.

`annotate(project, passage, {"ann1": [spec, ...], ...})` marks claims for each named annotator on the
passage and submits their assignment. A spec names the words of the claim (`phrase`, or `start`/`end`)
and any claim field; unnamed fields take the defaults below.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from annotator.corpus.models import Passage, Project, Speaker
from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import, speaker_create
from annotator.labeling.assignment_services import assignment_submit, assignments_distribute
from annotator.labeling.models import Assignment, Claim
from annotator.labeling.services import claim_create

DEFAULTS = {"attribution": "indirect", "perspective": "us_western", "stance": "against"}

# The seed passage the review tests argue about (document 1, paragraph 5 of the first seed article).
CAMPBELL_PASSAGE_START = "Within hours of the signing of a new defense treaty"
CONDEMNED = "he condemned growing North Korea-Russia military cooperation"
ANXIOUS = "Beijing was “somewhat anxious” over growing military cooperation between Russia and North Korea"
TENSION = "we can see some tension associated with this"


SENTENCES = (
    "Blinken said the treaty threatens regional stability. "
    "Sun Weidong said both states have normal needs for exchanges. "
    "Chinese scholars think the bridge over the Tumen River matters most."
)


def import_article(project: Project, title: str, paragraphs: int) -> list[Passage]:
    """An article of `paragraphs` passages, each "Paragraph N of <title>. " + SENTENCES."""
    text = "\n\n".join(f"Paragraph {p + 1} of {title}. {SENTENCES}" for p in range(paragraphs))
    documents_import(project=project, records=[ArticleRecord(title=title, text=text, source="test wire")])
    return list(
        Passage.objects.filter(document__project=project, document__title=title)
        .select_related("document__project")
        .order_by("position")
    )


@contextmanager
def no_agreement_refresh() -> Iterator[None]:
    """Hold back the agreement run each submission schedules, so building data stays fast."""
    with mock.patch("annotator.agreement.scheduling.schedule_refresh"):
        yield


def speaker(project: Project, name: str, **fields: Any) -> Speaker:
    existing = Speaker.objects.filter(project=project, name__iexact=name).first()
    return existing or speaker_create(project=project, name=name, kind=fields.pop("kind", "person"), **fields)


def span_of(passage: Passage, phrase: str, *, trim_words: int = 0) -> tuple[int, int]:
    """Offsets of `phrase` in the passage; `trim_words` drops that many words from its end."""
    start = passage.text.index(phrase)
    if trim_words:
        phrase = phrase.rsplit(" ", trim_words)[0]
    return start, start + len(phrase)


def annotate(
    project: Project, passage: Passage, marks: dict[str, list[dict[str, Any]]]
) -> dict[str, list[Claim]]:
    """Each named annotator marks `marks[name]` on the passage and submits; returns their claims."""
    assignments_distribute(project=project)
    assignments = {
        a.annotator.username: a
        for a in Assignment.objects.filter(passage=passage).select_related(
            "passage__document__project", "annotator"
        )
    }
    created: dict[str, list[Claim]] = {}
    with no_agreement_refresh():
        for username, specs in marks.items():
            assignment = assignments[username]
            created[username] = [
                claim_create(assignment=assignment, **_fields(passage, spec)) for spec in specs
            ]
            assignment_submit(assignment=assignment)
    return created


def _fields(passage: Passage, spec: dict[str, Any]) -> dict[str, Any]:
    spec = dict(spec)
    if "phrase" in spec:
        spec["start"], spec["end"] = span_of(
            passage, spec.pop("phrase"), trim_words=spec.pop("trim_words", 0)
        )
    if isinstance(spec.get("speaker"), Speaker):
        spec["speaker_id"] = spec.pop("speaker").pk
    return DEFAULTS | spec


def campbell_passage(project: Project) -> Passage:
    return Passage.objects.select_related("document__project").get(
        document__project=project, text__startswith=CAMPBELL_PASSAGE_START
    )


def three_way_disagreement(project: Project) -> tuple[Passage, dict[str, list[Claim]]]:
    """The Campbell passage, annotated by ann1-3 with one agreed claim, a stance split 2:1, and a claim
    only ann3 marked."""
    passage = campbell_passage(project)
    blinken = speaker(project, "Antony Blinken", affiliation="us_gov")
    campbell = speaker(project, "Kurt Campbell", affiliation="us_gov")
    agreed = {"phrase": CONDEMNED, "speaker": blinken, "stance": "against"}
    anxious = {"phrase": ANXIOUS, "speaker": campbell, "perspective": "us_western"}
    claims = annotate(
        project,
        passage,
        {
            "ann1": [agreed, anxious | {"stance": "neutral"}],
            "ann2": [agreed, anxious | {"stance": "neutral"}],
            "ann3": [
                agreed,
                anxious | {"stance": "against"},
                {"phrase": TENSION, "speaker": campbell, "attribution": "direct", "stance": "against"},
            ],
        },
    )
    return passage, claims
