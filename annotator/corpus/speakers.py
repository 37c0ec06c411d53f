"""Speaker curation: merging duplicate speakers, and spotting likely duplicates by name."""

import re
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from annotator.corpus.models import Project, Speaker
from annotator.labeling.models import Claim
from annotator.review.models import GoldClaim


def speaker_merge(
    *, project: Project, canonical: Speaker | int, duplicates: Iterable[Speaker | int]
) -> Speaker:
    """Fold `duplicates` into `canonical`: their names join its aliases, their claims follow, they go.

    All in one transaction: one UPDATE each for claims (their version bumps, so an open editor gets a
    409 rather than writing the old speaker back) and gold claims, one DELETE. The canonical speaker
    keeps its own affiliation, or takes the first duplicate's when it has none. ValidationError when a
    speaker is not in the project, or nothing is to merge.
    """
    canonical_id = _pk(canonical)
    duplicate_ids = list(dict.fromkeys(_pk(d) for d in duplicates))
    if not duplicate_ids:
        raise ValidationError({"duplicates": "Choose at least one duplicate to merge."})
    if canonical_id in duplicate_ids:
        raise ValidationError({"duplicates": "A speaker cannot be merged into itself."})
    with transaction.atomic():
        speakers = {
            s.pk: s
            for s in Speaker.objects.select_for_update()
            .filter(project=project, pk__in=[canonical_id, *duplicate_ids])
            .order_by("pk")
        }
        if canonical_id not in speakers:
            raise ValidationError({"canonical": "No such speaker in this project."})
        missing = [pk for pk in duplicate_ids if pk not in speakers]
        if missing:
            raise ValidationError({"duplicates": f"No such speakers in this project: {missing}."})
        target = speakers[canonical_id]
        merged = [speakers[pk] for pk in duplicate_ids]
        target.aliases = merged_aliases(
            target.name, [target.aliases, *([d.name, *d.aliases] for d in merged)]
        )
        target.affiliation = target.affiliation or next((d.affiliation for d in merged if d.affiliation), "")
        target.save(update_fields=["aliases", "affiliation"])
        Claim.objects.filter(speaker_id__in=duplicate_ids).update(
            speaker_id=canonical_id, version=F("version") + 1, updated_at=timezone.now()
        )
        GoldClaim.objects.filter(speaker_id__in=duplicate_ids).update(speaker_id=canonical_id)
        Speaker.objects.filter(pk__in=duplicate_ids).delete()
    return target


def merged_aliases(name: str, alias_lists: Iterable[Iterable[str]]) -> list[str]:
    """Aliases in first-seen order, without repeats (ignoring case and spacing) or the name itself."""
    seen = {_folded(name)}
    result = []
    for aliases in alias_lists:
        for alias in aliases:
            alias = " ".join(str(alias).split())
            if alias and _folded(alias) not in seen:
                seen.add(_folded(alias))
                result.append(alias)
    return result


def speakers_for_curation(*, project: Project) -> QuerySet[Speaker]:
    """The project's speakers with `claim_count` and `gold_count` (1 query)."""

    def count_of(model: type) -> Coalesce:
        counts = (
            model.objects.filter(speaker_id=OuterRef("pk"))
            .order_by()
            .values("speaker_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(counts), 0)

    return (
        Speaker.objects.filter(project=project)
        .annotate(claim_count=count_of(Claim), gold_count=count_of(GoldClaim))
        .order_by("name")
    )


# Words that say what someone is, not who: "U.S. Secretary of State Antony Blinken" names Blinken.
_TITLE_WORDS = frozenset(
    (  # noqa: SIM905 - a word list reads better as words
        "the of and u s us mr mrs ms dr prof president minister secretary state foreign vice deputy chief "
        "spokesperson spokesman spokeswoman senior official officials leader general director"
    ).split()
)


def duplicate_groups(names: Sequence[tuple[int, str, Sequence[str]]]) -> list[list[int]]:
    """Groups of speaker ids whose names look like one source: (id, name, aliases) in, groups out.

    Two speakers are grouped when the distinctive words of one name (or alias) are all among the
    words of the other's, e.g. "Blinken" ⊂ "Antony Blinken" ⊂ "U.S. Secretary of State Antony Blinken".
    Pure; a hint for the reviewer, never applied automatically.
    """
    words = {pk: [_words(n) for n in (name, *aliases)] for pk, name, aliases in names}
    parent = {pk: pk for pk, _, _ in names}

    def root(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    ids = [pk for pk, _, _ in names]
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if any(x and y and (x <= y or y <= x) for x in words[a] for y in words[b]):
                parent[root(a)] = root(b)
    groups: dict[int, list[int]] = {}
    for pk in ids:
        groups.setdefault(root(pk), []).append(pk)
    return [sorted(group) for group in groups.values() if len(group) > 1]


def _words(name: str) -> frozenset[str]:
    tokens = re.findall(r"\w+", name.casefold())
    return frozenset(t for t in tokens if t not in _TITLE_WORDS and len(t) > 1)


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _pk(speaker: Speaker | int) -> int:
    return speaker.pk if isinstance(speaker, Speaker) else int(speaker)
