"""A small who-says-what project built through the write services, with every figure known by hand.

Outlet "Wire A" (document A, three passages) and a document with no outlet (B, two passages); ann1-ann3
annotate, rev adjudicates. What counts (see annotator.analytics.crosstab.MAJORITY_DEFINITION):

- A¶1 adjudicated: gold = Blinken direct us_western against; an authorial chinese neutral claim. The
  annotators' own claims there (a majority among them) must not count.
- A¶2 three submitted: Blinken indirect us_western against by all three (majority); Sun Weidong indirect
  chinese favor by ann1 and ann2 (2 of 3: majority), ann3 says neutral (1 of 3: no); a claim only ann1
  marked (no).
- A¶3 only ann1 submitted (ann2 is still working on the same claim): pending, nothing counts.
- B¶1 ann1 and ann2 submitted: an authorial neutral_mixed neutral claim by both (majority); an indirect
  claim with no speaker by both (us_western against: "speaker not named"); a claim ann1 marked twice and
  ann2 not at all (one annotator: no).
- B¶2 ann1 and ann2 submitted, disagreeing on the speaker: nothing.
"""

from typing import Any

from annotator.analytics.services import consensus_changed
from annotator.corpus.models import Passage, Project
from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import
from annotator.labeling.assignment_services import assignments_distribute
from annotator.labeling.models import Assignment
from annotator.labeling.services import claim_create
from annotator.review.services import adjudication_save
from tests.integration.review.builders import SENTENCES, annotate, speaker

BLINKEN = "Blinken said the treaty threatens regional stability"
SUN = "Sun Weidong said both states have normal needs for exchanges"
SCHOLARS = "Chinese scholars think the bridge over the Tumen River matters most"


def article(project: Project, title: str, source: str, paragraphs: int) -> list[Passage]:
    text = "\n\n".join(f"Paragraph {p + 1} of {title}. {SENTENCES}" for p in range(paragraphs))
    documents_import(project=project, records=[ArticleRecord(title=title, text=text, source=source)])
    return list(
        Passage.objects.filter(document__project=project, document__title=title)
        .select_related("document__project")
        .order_by("position")
    )


def gold(passage: Passage, phrase: str, **fields: Any) -> dict[str, Any]:
    start = passage.text.index(phrase)
    return {"start": start, "end": start + len(phrase), "source_claim_ids": [], **fields}


def build_who_says_what(project: Project, members: dict) -> dict[str, Any]:
    """The project above; returns its passages and speakers by name."""
    a = article(project, "Report A", "Wire A", 3)
    b = article(project, "Report B", "", 2)
    blinken = speaker(project, "Antony Blinken", affiliation="us_gov", kind="person")
    sun = speaker(project, "Sun Weidong", affiliation="cn_gov", kind="government")
    analysts = speaker(project, "Chinese scholars", affiliation="cn_scholar", kind="unnamed_group")
    said = {"phrase": BLINKEN, "speaker": blinken}
    everyone = {"ann1": [said], "ann2": [said], "ann3": [said]}
    annotate(project, a[0], everyone)
    adjudication_save(
        passage=a[0],
        reviewer=members["rev"],
        version=0,
        claims=[
            gold(a[0], BLINKEN, speaker_id=blinken.pk, attribution="direct", perspective="us_western",
                 stance="against"),
            gold(a[0], SCHOLARS, speaker_id=None, attribution="authorial", perspective="chinese",
                 stance="neutral"),
        ],
    )  # fmt: skip
    sun_favor = {"phrase": SUN, "speaker": sun, "perspective": "chinese", "stance": "favor"}
    alone = {"phrase": SCHOLARS, "speaker": analysts, "perspective": "chinese", "stance": "against"}
    annotate(
        project,
        a[1],
        {
            "ann1": [said, sun_favor, alone],
            "ann2": [said, sun_favor],
            "ann3": [said, sun_favor | {"stance": "neutral"}],
        },
    )
    annotate(project, a[2], {"ann1": [said]})
    working = Assignment.objects.select_related("passage__document__project").get(
        passage=a[2], annotator=members["ann2"]
    )
    claim_create(assignment=working, **_fields(a[2], said))
    authorial = {
        "phrase": SCHOLARS,
        "attribution": "authorial",
        "perspective": "neutral_mixed",
        "stance": "neutral",
    }
    unnamed = {"phrase": SUN}
    twice = {"phrase": BLINKEN, "speaker": blinken}
    annotate(project, b[0], {"ann1": [authorial, unnamed, twice, twice], "ann2": [authorial, unnamed]})
    annotate(project, b[1], {"ann1": [said], "ann2": [{"phrase": BLINKEN, "speaker": sun}]})
    assignments_distribute(project=project)
    refresh(project)
    return {"a": a, "b": b, "blinken": blinken, "sun": sun, "analysts": analysts}


def _fields(passage: Passage, spec: dict[str, Any]) -> dict[str, Any]:
    start = passage.text.index(spec["phrase"])
    return {
        "start": start,
        "end": start + len(spec["phrase"]),
        "speaker_id": spec["speaker"].pk,
        "attribution": "indirect",
        "perspective": "us_western",
        "stance": "against",
    }


def add_agreed_articles(project: Project, count: int) -> None:
    """``count`` more articles, each from its own outlet, whose two passages ann1 and ann2 agree on."""
    sun = speaker(project, "Sun Weidong", affiliation="cn_gov", kind="government")
    agreed = {"phrase": SUN, "speaker": sun, "perspective": "chinese", "stance": "favor"}
    for index in range(count):
        for passage in article(project, f"Extra {index}", f"Wire {index}", 2):
            annotate(project, passage, {"ann1": [agreed], "ann2": [agreed]})
    refresh(project)


def refresh(project: Project) -> None:
    """What the annotations_changed hook does after a commit (the test's transaction never commits)."""
    consensus_changed(project_id=project.pk)
