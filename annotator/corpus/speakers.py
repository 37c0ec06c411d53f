"""Speaker curation: merging duplicate speakers, and spotting likely duplicates by name."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from annotator.corpus.models import Project, Speaker, SpeakerMerge
from annotator.corpus.name_forms import latin_variant, romanised
from annotator.history.models import Action, Entity
from annotator.history.services import Actor, record, record_many
from annotator.history.snapshots import speaker_snapshot
from annotator.history.states import changed_fields
from annotator.labeling.models import Claim
from annotator.labeling.services import annotations_changed
from annotator.review.models import GoldClaim
from annotator.review.scoring import passage_scores_refresh


@dataclass(frozen=True)
class MergePlan:
    """What merging `duplicates` into `canonical` changes: shown for confirmation, then applied."""

    canonical: Speaker
    duplicates: list[Speaker]
    claim_ids: dict[int, list[int]]  # duplicate id → its claims
    gold_claim_ids: dict[int, list[int]]
    aliases: list[str]  # the canonical speaker's aliases afterwards
    affiliation: str  # and its affiliation

    @property
    def claim_count(self) -> int:
        return sum(len(ids) for ids in self.claim_ids.values())

    @property
    def gold_claim_count(self) -> int:
        return sum(len(ids) for ids in self.gold_claim_ids.values())

    @property
    def aliases_added(self) -> list[str]:
        before = {_folded(alias) for alias in self.canonical.aliases}
        return [alias for alias in self.aliases if _folded(alias) not in before]


def speaker_merge_preview(
    *, project: Project, canonical: Speaker | int, duplicates: Iterable[Speaker | int]
) -> MergePlan:
    """What `speaker_merge` would do with the same arguments (3 queries, writes nothing)."""
    return _merge_plan(project=project, canonical=canonical, duplicates=duplicates, lock=False)


def speaker_merge(
    *,
    project: Project,
    canonical: Speaker | int,
    duplicates: Iterable[Speaker | int],
    merged_by: AbstractBaseUser | None = None,
) -> Speaker:
    """Fold `duplicates` into `canonical`: their names join its aliases, their claims follow, they go.

    All in one transaction: one UPDATE each for claims (their version bumps, so an open editor gets a
    409 rather than writing the old speaker back) and gold claims, one DELETE, and a SpeakerMerge per
    duplicate recording what it was, so `speaker_merge_undo` can put it back. The canonical speaker keeps
    its own affiliation, or takes the first duplicate's when it has none, and is approved (a reviewer
    curated it). ValidationError when a speaker is not in the project, or nothing is to merge.
    """
    with transaction.atomic():
        plan = _merge_plan(project=project, canonical=canonical, duplicates=duplicates, lock=True)
        target = plan.canonical
        before = speaker_snapshot(target)
        was_approved, affiliation_before = target.approved, target.affiliation
        added = plan.aliases_added
        duplicate_ids = [d.pk for d in plan.duplicates]
        SpeakerMerge.objects.bulk_create(
            SpeakerMerge(
                project=project,
                canonical=target,
                duplicate_id=d.pk,
                duplicate_name=d.name,
                duplicate_kind=d.kind,
                duplicate_affiliation=d.affiliation,
                duplicate_aliases=d.aliases,
                duplicate_created_by_id=d.created_by_id,
                duplicate_created_at=d.created_at,
                duplicate_approved=d.approved,
                aliases_added=[a for a in added if _folded(a) in {_folded(n) for n in (d.name, *d.aliases)}],
                affiliation_taken=not affiliation_before and plan.affiliation == d.affiliation != "",
                canonical_was_approved=was_approved,
                claim_ids=plan.claim_ids[d.pk],
                gold_claim_ids=plan.gold_claim_ids[d.pk],
                merged_by=merged_by,
            )
            for d in plan.duplicates
        )
        moved = {"action": Action.SPEAKER_MERGE, "actor": merged_by, "detail": {"into": target.pk}}
        claims_speaker_move(
            Claim.objects.filter(speaker_id__in=duplicate_ids),
            speaker=target.pk,
            project_id=target.project_id,
            **moved,
        )
        gold_claims_speaker_move(
            GoldClaim.objects.filter(speaker_id__in=duplicate_ids),
            speaker=target.pk,
            project_id=target.project_id,
            **moved,
        )
        Speaker.objects.filter(pk__in=duplicate_ids).delete()
        record_many(
            project_id=target.project_id,
            entity=Entity.SPEAKER,
            rows=[(d.pk, None, speaker_snapshot(d), None) for d in plan.duplicates],
            **moved,
        )
        target.aliases, target.affiliation, target.approved = plan.aliases, plan.affiliation, True
        try:
            with transaction.atomic():
                target.save(update_fields=["aliases", "affiliation", "approved"])
        except IntegrityError as error:  # approving it clashes with another approved speaker's name
            raise ValidationError(
                {"canonical": f"{target.name!r} is already an approved speaker: merge it in too."}
            ) from error
        was, now_is = changed_fields(before, speaker_snapshot(target))
        record(
            project_id=target.project_id,
            entity=Entity.SPEAKER,
            entity_id=target.pk,
            action=Action.SPEAKER_MERGE,
            actor=merged_by,
            before=was,
            after=now_is,
            detail={"merged": [d.name for d in plan.duplicates]},
        )
    return target


def _merge_plan(
    *, project: Project, canonical: Speaker | int, duplicates: Iterable[Speaker | int], lock: bool
) -> MergePlan:
    canonical_id = _pk(canonical)
    duplicate_ids = list(dict.fromkeys(_pk(d) for d in duplicates))
    if not duplicate_ids:
        raise ValidationError({"duplicates": "Choose at least one duplicate to merge."})
    if canonical_id in duplicate_ids:
        raise ValidationError({"duplicates": "A speaker cannot be merged into itself."})
    rows = Speaker.objects.filter(project=project, pk__in=[canonical_id, *duplicate_ids]).order_by("pk")
    speakers = {s.pk: s for s in (rows.select_for_update() if lock else rows)}
    if canonical_id not in speakers:
        raise ValidationError({"canonical": "No such speaker in this project."})
    missing = [pk for pk in duplicate_ids if pk not in speakers]
    if missing:
        raise ValidationError({"duplicates": f"No such speakers in this project: {missing}."})
    target = speakers[canonical_id]
    merged = [speakers[pk] for pk in duplicate_ids]
    claim_ids: dict[int, list[int]] = {pk: [] for pk in duplicate_ids}
    claims = Claim.objects.filter(speaker_id__in=duplicate_ids)
    for claim_id, speaker_id in claims.values_list("pk", "speaker_id"):
        claim_ids[speaker_id].append(claim_id)
    gold_ids: dict[int, list[int]] = {pk: [] for pk in duplicate_ids}
    for gold_id, speaker_id in GoldClaim.objects.filter(speaker_id__in=duplicate_ids).values_list(
        "pk", "speaker_id"
    ):
        gold_ids[speaker_id].append(gold_id)
    return MergePlan(
        canonical=target,
        duplicates=merged,
        claim_ids=claim_ids,
        gold_claim_ids=gold_ids,
        aliases=merged_aliases(target.name, [target.aliases, *([d.name, *d.aliases] for d in merged)]),
        affiliation=target.affiliation or next((d.affiliation for d in merged if d.affiliation), ""),
    )


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
    """The project's speakers with their creator, `claim_count` and `gold_count` (1 query)."""

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
        .select_related("created_by")
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
    Names are compared across scripts too (`_forms`): 王俊生 reads "wang junsheng", so it groups with
    "Wang Junsheng", "Junsheng Wang" and "Jun-sheng Wang"; a surname alone in Han characters (王) groups
    with nothing. Pure; a hint for the reviewer, never applied automatically.
    """
    words = {pk: [form for n in (name, *aliases) for form in _forms(n)] for pk, name, aliases in names}
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


def suggested_merges(speakers: Sequence[Speaker]) -> list[list[Speaker]]:
    """Likely duplicate groups among `speakers`, each with the one to keep first: the fullest name (most
    characters; then the most used), since "Antony Blinken" says more than "Blinken"."""
    by_id = {speaker.pk: speaker for speaker in speakers}
    groups = duplicate_groups([(s.pk, s.name, s.aliases) for s in speakers])
    return [sorted((by_id[pk] for pk in group), key=_canonical_first) for group in groups]


def _canonical_first(speaker: Speaker) -> tuple[int, int, str]:
    used = getattr(speaker, "claim_count", 0) + getattr(speaker, "gold_count", 0)
    return (-len(speaker.name), -used, speaker.name.casefold())


def _forms(name: str) -> list[frozenset[str]]:
    """The word sets a name is compared by: as written; with diacritics folded and hyphenated parts
    joined ("Jun-sheng Wáng" → junsheng, wang); and a full Chinese name in Pinyin (王俊生 → wang,
    junsheng)."""
    forms = [_words(name), _words(latin_variant(name))]
    pinyin = romanised(name)
    if pinyin is not None:
        forms.append(_words(pinyin))
    return list(dict.fromkeys(forms))


def _words(name: str) -> frozenset[str]:
    tokens = re.findall(r"\w+", name.casefold())
    return frozenset(t for t in tokens if t not in _TITLE_WORDS and len(t) > 1)


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _pk(speaker: Speaker | int) -> int:
    return speaker.pk if isinstance(speaker, Speaker) else int(speaker)


def claims_speaker_move(
    claims: QuerySet[Claim],
    *,
    speaker: int,
    project_id: int,
    action: str,
    actor: Actor,
    detail: dict | None = None,
) -> None:
    """Give `claims` another speaker (a merge or its undo): each gets a new version, so an open editor
    reloads, and a history row (`action` by `actor`), in bulk; their passages are rescored for review;
    agreement and who says what refresh after commit. Runs inside the caller's transaction."""
    # Locked as read, so the versions and speakers recorded are the ones the UPDATE changes.
    rows = list(
        claims.select_for_update(of=("self",)).values_list(
            "pk", "version", "speaker_id", "assignment__passage_id"
        )
    )
    if not rows:
        return
    Claim.objects.filter(pk__in=[pk for pk, *_ in rows]).update(
        speaker_id=speaker, version=F("version") + 1, updated_at=timezone.now()
    )
    record_many(
        project_id=project_id,
        entity=Entity.CLAIM,
        action=action,
        actor=actor,
        detail=detail,
        rows=[(pk, version + 1, {"speaker": was}, {"speaker": speaker}) for pk, version, was, _ in rows],
    )
    passage_scores_refresh(passage_ids={passage for *_, passage in rows})
    transaction.on_commit(lambda: annotations_changed(project_id=project_id))


def gold_claims_speaker_move(
    gold_claims: QuerySet[GoldClaim],
    *,
    speaker: int,
    project_id: int,
    action: str,
    actor: Actor,
    detail: dict | None = None,
) -> None:
    """Give `gold_claims` another speaker, recording each one's change in bulk (caller's transaction)."""
    rows = list(gold_claims.select_for_update(of=("self",)).values_list("pk", "speaker_id"))
    if not rows:
        return
    GoldClaim.objects.filter(pk__in=[pk for pk, _ in rows]).update(speaker_id=speaker)
    record_many(
        project_id=project_id,
        entity=Entity.GOLD_CLAIM,
        action=action,
        actor=actor,
        detail=detail,
        rows=[(pk, None, {"speaker": was}, {"speaker": speaker}) for pk, was in rows],
    )
