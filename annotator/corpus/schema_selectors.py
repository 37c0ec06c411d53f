"""Reads for the label schema: how often each value is used, and the version history.

Usage is three grouped queries (claims, gold claims, speakers) whatever the size of the project: each
groups by all the labelled columns at once, so the groups are at most the product of the schema's lists.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from annotator.corpus.models import Project, SchemaVersion, Speaker
from annotator.labeling.models import Claim
from annotator.review.models import GoldClaim

# Which column of which table stores each choice list's values.
CLAIM_COLUMNS = {"perspectives": "perspective", "stances": "stance", "attributions": "attribution"}
SPEAKER_COLUMNS = {"speaker_kinds": "kind", "affiliations": "affiliation"}


@dataclass
class Usage:
    claims: int = 0
    gold_claims: int = 0
    speakers: int = 0

    @property
    def total(self) -> int:
        return self.claims + self.gold_claims + self.speakers

    def describe(self) -> str:
        """E.g. "12 claims, 3 gold claims"."""
        parts = [(self.claims, "claim"), (self.gold_claims, "gold claim"), (self.speakers, "speaker")]
        return ", ".join(f"{n} {noun}{'' if n == 1 else 's'}" for n, noun in parts if n) or "nothing"


def schema_usage(*, project: Project) -> dict[str, dict[str, Usage]]:
    """List name → value → how many claims, gold claims and speakers of the project use it (3 queries).

    Values in use that the schema no longer lists appear too, so nothing in use is hidden.
    """
    usage: dict[str, dict[str, Usage]] = defaultdict(lambda: defaultdict(Usage))
    columns = list(CLAIM_COLUMNS.values())
    for model, project_path, counter in (
        (Claim, "project", "claims"),
        (GoldClaim, "adjudication__passage__document__project", "gold_claims"),
    ):
        groups = model.objects.filter(**{project_path: project}).values(*columns).annotate(n=Count("id"))
        for group in groups.order_by():
            for name, column in CLAIM_COLUMNS.items():
                entry = usage[name][group[column]]
                setattr(entry, counter, getattr(entry, counter) + group["n"])
    groups = Speaker.objects.filter(project=project).values(*SPEAKER_COLUMNS.values()).annotate(n=Count("id"))
    for group in groups.order_by():
        for name, column in SPEAKER_COLUMNS.items():
            if group[column]:  # a speaker without an affiliation uses none
                usage[name][group[column]].speakers += group["n"]
    return {name: dict(values) for name, values in usage.items()}


def schema_versions(*, project: Project) -> QuerySet[SchemaVersion]:
    """The project's schema versions, newest first, with who made each."""
    return project.schema_versions.select_related("changed_by").order_by("-version")
