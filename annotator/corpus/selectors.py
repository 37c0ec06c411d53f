"""Reads for projects and memberships; who may see which project is decided here."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet

from annotator.corpus.models import Document, Membership, Passage, Project, Role, Speaker

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


def documents_for_project(*, project: Project) -> QuerySet[Document]:
    return project.documents.annotate(passage_count=Count("passages")).defer("text").order_by("id")


def passages_for_document(*, document: Document) -> QuerySet[Passage]:
    return document.passages.order_by("position")


def project_members(*, project: Project, role: str | None = None) -> QuerySet[Membership]:
    members = project.memberships.select_related("user").order_by("user__username")
    return members.filter(role=role) if role else members
