"""Reads for an annotation import: who the file's annotators are in the project, where its texts already
are, which speakers the project knows, and which assignments exist. Each is a fixed number of queries."""

from collections.abc import Iterable, Sequence

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower

from annotator.corpus.models import Document, Membership, Passage, Project, Speaker
from annotator.exports.readers.align import Location, PassageSpan, TextIndex
from annotator.labeling.models import Assignment


def project_members(*, project: Project) -> tuple[dict[str, int], dict[str, int]]:
    """(username → user id, lower-cased e-mail → user id) of the project's members; an e-mail two
    members share is left out (it names nobody in particular)."""
    usernames: dict[str, int] = {}
    emails: dict[str, int | None] = {}
    for user_id, username, email in Membership.objects.filter(project=project).values_list(
        "user_id", "user__username", "user__email"
    ):
        usernames[username] = user_id
        if email:
            key = email.strip().lower()
            emails[key] = None if key in emails and emails[key] != user_id else user_id
    return usernames, {key: pk for key, pk in emails.items() if pk is not None}


def taken_usernames(names: Iterable[str]) -> set[str]:
    """The lower-cased names among ``names`` that some account on the site has (any case)."""
    lowered = {name.lower() for name in names}
    if not lowered:
        return set()
    return set(
        get_user_model()
        .objects.annotate(lowered=Lower("username"))
        .filter(lowered__in=lowered)
        .values_list("lowered", flat=True)
    )


def texts_located(*, project: Project, texts: Sequence[tuple[str, str]]) -> dict[str, Location]:
    """Digest → where that text lies in the project's documents, for the ``(digest, text)`` given.

    First the whole documents (by content digest), then the passages (by text), then a search of the
    documents' texts for the rest (``TextIndex``); texts found nowhere are left out.
    """
    wanted = dict(texts)
    found: dict[str, Location] = {
        digest: Location(document_id, 0)
        for digest, document_id in Document.objects.filter(
            project=project, sha256__in=list(wanted)
        ).values_list("sha256", "id")
    }
    rest = {text: digest for digest, text in wanted.items() if digest not in found}
    if rest:
        passages = (
            Passage.objects.filter(document__project=project, text__in=list(rest))
            .order_by("document_id", "position")
            .values_list("text", "document_id", "start")
        )
        for text, document_id, start in passages:
            found.setdefault(rest.pop(text, ""), Location(document_id, start))
        found.pop("", None)
    if rest and Document.objects.filter(project=project).exists():
        index = TextIndex(Document.objects.filter(project=project).values_list("id", "text").iterator())
        for text, digest in rest.items():
            location = index.find(text)
            if location is not None:
                found[digest] = location
    return found


def document_passages(*, document_ids: Iterable[int]) -> dict[int, list[PassageSpan]]:
    """Document id → its passages (id and offsets in the document), ordered by start."""
    passages: dict[int, list[PassageSpan]] = {}
    for document_id, pk, start, end in (
        Passage.objects.filter(document_id__in=set(document_ids))
        .order_by("document_id", "start")
        .values_list("document_id", "id", "start", "end")
    ):
        passages.setdefault(document_id, []).append(PassageSpan(pk, start, end))
    return passages


def speakers_known(*, project: Project) -> dict[str, int]:
    """Case-folded name or alias → speaker id, for every speaker of the project."""
    known: dict[str, int] = {}
    for pk, name, aliases in Speaker.objects.filter(project=project).values_list("id", "name", "aliases"):
        known.setdefault(name.casefold(), pk)
        for alias in aliases or ():
            known.setdefault(str(alias).casefold(), pk)
    return known


def assignments_existing(
    *, pairs: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], tuple[Assignment, bool]]:
    """(passage id, annotator id) → (its assignment, whether it has claims), for the pairs that exist."""
    pairs = set(pairs)
    if not pairs:
        return {}
    candidates = list(
        Assignment.objects.filter(
            passage_id__in={p for p, _ in pairs}, annotator_id__in={a for _, a in pairs}
        ).only("id", "passage_id", "annotator_id", "status", "note", "version")
    )
    with_claims = set(
        Assignment.objects.filter(pk__in=[a.pk for a in candidates], claims__isnull=False).values_list(
            "pk", flat=True
        )
    )
    return {
        (a.passage_id, a.annotator_id): (a, a.pk in with_claims)
        for a in candidates
        if (a.passage_id, a.annotator_id) in pairs
    }
