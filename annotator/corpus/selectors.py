"""Reads for projects and memberships; who may see which project is decided here."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import OuterRef, Q, QuerySet

from annotator.corpus.models import Document, Membership, Passage, Project, Role, Speaker
from annotator.labeling.models import Assignment, AssignmentStatus
from annotator.queries import SubqueryCount

MANAGING_ROLES = frozenset({Role.MANAGER, Role.REVIEWER})
SEE_ALL_ROLES = frozenset({Role.MANAGER, Role.REVIEWER, Role.RESEARCHER})

User = AbstractBaseUser | AnonymousUser


def projects_for_user(*, user: User) -> QuerySet[Project]:
    """Projects the user is a member of (all of them for superusers)."""
    if not user.is_authenticated:
        return Project.objects.none()
    if user.is_superuser:
        return Project.objects.all()
    return Project.objects.filter(memberships__user=user).distinct()


def role_in_project(*, user: User, project_id: int) -> str | None:
    """The user's role in the project; superusers act as managers everywhere; None for outsiders."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.MANAGER
    return Membership.objects.filter(project_id=project_id, user=user).values_list("role", flat=True).first()


def roles_by_project(*, user: User) -> dict[int, str]:
    """Every project id the user can open, with their role there, in one query."""
    if not user.is_authenticated:
        return {}
    if user.is_superuser:
        return {pk: Role.MANAGER for pk in Project.objects.values_list("pk", flat=True)}
    return dict(Membership.objects.filter(user=user).values_list("project_id", "role"))


def speakers_visible_to(*, user: User, project: Project | None = None) -> QuerySet[Speaker]:
    """Speakers the user may see: in a blind project an annotator sees the approved ones and their own;
    other roles, and everyone in an open project, see all. Limited to `project` when given."""
    speakers = Speaker.objects.filter(project__in=projects_for_user(user=user))
    if project is not None:
        speakers = speakers.filter(project=project)
    if not user.is_authenticated or user.is_superuser:
        return speakers
    blind_annotating = Membership.objects.filter(user=user, role=Role.ANNOTATOR, project__blind=True)
    return speakers.filter(
        ~Q(project__in=blind_annotating.values("project_id")) | Q(approved=True) | Q(created_by=user)
    )


def speaker_is_private_to(*, user: User, project: Project) -> bool:
    """Whether a speaker `user` creates in `project` stays theirs until a reviewer approves it."""
    return project.blind and role_in_project(user=user, project_id=project.pk) == Role.ANNOTATOR


DOCUMENT_PAGE_SIZE = 50
DOCUMENT_CHOICES = 200


def document_choices(*, project: Project) -> list[dict] | None:
    """The project's documents (id, title) for a filter to choose from, or None past DOCUMENT_CHOICES:
    a list of thousands of titles is neither usable nor cheap to send, so pages ask for a number then."""
    documents = list(project.documents.order_by("id").values("id", "title")[: DOCUMENT_CHOICES + 1])
    return documents if len(documents) <= DOCUMENT_CHOICES else None


@dataclass
class DocumentPage:
    """One page of a project's documents in import order; `next_after` continues it (None: the last)."""

    documents: list[Document]
    next_after: int | None


def documents_page(
    *, project: Project, search: str = "", after: int | None = None, limit: int = DOCUMENT_PAGE_SIZE
) -> DocumentPage:
    """The project's documents after id `after` whose title or outlet contains `search` (1 query).

    Each carries `passage_count` and `submitted` (submitted annotations of its passages), counted for
    the page's documents only, so the page costs the same whatever the project's size.
    """
    documents = project.documents.defer("text", "meta").order_by("id")
    if search:
        documents = documents.filter(Q(title__icontains=search) | Q(source__icontains=search))
    if after is not None:
        documents = documents.filter(pk__gt=after)
    of_document = {"document_id": OuterRef("pk")}
    page = list(
        documents.annotate(
            passage_count=SubqueryCount(Passage.objects.filter(**of_document).values("pk")),
            submitted=SubqueryCount(
                Assignment.objects.filter(
                    passage__document_id=OuterRef("pk"), status=AssignmentStatus.SUBMITTED
                ).values("pk")
            ),
        )[: limit + 1]
    )
    more = len(page) > limit
    page = page[:limit]
    return DocumentPage(documents=page, next_after=page[-1].pk if more else None)


def passages_for_document(*, document: Document) -> QuerySet[Passage]:
    return document.passages.order_by("position")


def project_members(*, project: Project, role: str | None = None) -> QuerySet[Membership]:
    members = project.memberships.select_related("user").order_by("user__username")
    return members.filter(role=role) if role else members
