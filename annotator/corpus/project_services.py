"""Writes for setting up a study: projects made by a user, their settings, their members and new accounts.

Every function validates before it writes and raises Django's ValidationError keyed by the field at fault,
which the API turns into a 400 and the pages into form errors.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from annotator import limits
from annotator.corpus.models import Membership, Project, Role
from annotator.corpus.services import membership_set, project_create

OVERLAP_MIN, OVERLAP_MAX = 1, 50  # the range the project_overlap_1_to_50 constraint allows
SLUG_TAKEN = "Another project already uses this slug."
NO_SUCH_ACCOUNT = "There is no account with that username or e-mail."
LAST_MANAGER = "A project needs at least one manager: make someone else manager first."


def project_create_by(
    *,
    user: AbstractBaseUser | None,
    name: str,
    slug: str = "",
    overlap: int = 3,
    blind: bool = True,
    guidelines: str = "",
    schema: dict[str, Any] | None = None,
    suggestions: bool = True,
) -> Project:
    """Create a project (slug from the name when empty) with `user` as its manager.

    `user` None (the create_project command without --manager) leaves it to superusers until one is added.
    """
    name = name.strip()
    slug = slug.strip() or slugify(name)[:80]
    _check_overlap(overlap)
    _check_lengths(name=name, guidelines=guidelines)
    try:
        with transaction.atomic():
            project = project_create(
                name=name, slug=slug, schema=schema, overlap=overlap, guidelines=guidelines
            )
            project.blind = blind
            project.suggestions = suggestions
            project.guidelines_updated_at = timezone.now() if guidelines.strip() else None
            project.save(update_fields=["blind", "suggestions", "guidelines_updated_at"])
            if user is not None:
                membership_set(project=project, user=user, role=Role.MANAGER)
    except IntegrityError as error:  # the slug was taken between the check and the insert
        raise ValidationError({"slug": SLUG_TAKEN}) from error
    return project


def project_update(
    *,
    project: Project,
    name: str | None = None,
    slug: str | None = None,
    overlap: int | None = None,
    blind: bool | None = None,
    guidelines: str | None = None,
    suggestions: bool | None = None,
) -> Project:
    """Change the given settings (None leaves one as it is); a changed guidelines text is time-stamped."""
    changes: dict[str, Any] = {
        field: value
        for field, value in {
            "name": name.strip() if name is not None else None,
            "slug": slug.strip() if slug is not None else None,
            "overlap": overlap,
            "blind": blind,
            "guidelines": guidelines,
            "suggestions": suggestions,
        }.items()
        if value is not None and value != getattr(project, field)
    }
    if "overlap" in changes:
        _check_overlap(changes["overlap"])
    _check_lengths(name=changes.get("name", ""), guidelines=changes.get("guidelines", ""))
    if not changes:
        return project
    if "guidelines" in changes:
        changes["guidelines_updated_at"] = timezone.now()
    before = {field: getattr(project, field) for field in changes}
    for field, value in changes.items():
        setattr(project, field, value)
    try:
        project.full_clean(exclude=["schema"])
        with transaction.atomic():
            project.save(update_fields=list(changes))
    except (ValidationError, IntegrityError) as error:
        # Put the old values back: the caller goes on showing this project (its slug builds its links).
        for field, value in before.items():
            setattr(project, field, value)
        if isinstance(error, IntegrityError):
            raise ValidationError({"slug": SLUG_TAKEN}) from error
        raise
    return project


def _check_lengths(*, name: str, guidelines: str) -> None:
    problems = {}
    if len(name) > limits.PROJECT_NAME:
        problems["name"] = limits.too_long("The name", limits.PROJECT_NAME)
    if len(guidelines) > limits.GUIDELINES:
        problems["guidelines"] = limits.too_long("The guidelines", limits.GUIDELINES)
    if problems:
        raise ValidationError(problems)


def _check_overlap(overlap: int) -> None:
    if not OVERLAP_MIN <= overlap <= OVERLAP_MAX:
        raise ValidationError(
            {"overlap": f"Give between {OVERLAP_MIN} and {OVERLAP_MAX} annotators per passage."}
        )


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}; choose one of {', '.join(Role.values)}."})


def account_by_name_or_email(identifier: str) -> AbstractBaseUser:
    """The active account whose username (exactly, else ignoring case) or e-mail is `identifier`.

    An unknown name gets one message whatever the reason, so the form does not tell which accounts exist.
    """
    identifier = identifier.strip()
    accounts = get_user_model().objects.filter(is_active=True)
    if not identifier:
        raise ValidationError({"user": "Give a username or an e-mail address."})
    exact = accounts.filter(username=identifier).first()
    if exact is not None:
        return exact
    matches = list(accounts.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier))[:2])
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ValidationError({"user": "Several accounts match: give the exact username."})
    raise ValidationError({"user": NO_SUCH_ACCOUNT})


def member_add(*, project: Project, identifier: str, role: str) -> Membership:
    """Make the account named by username or e-mail a member with `role`; an existing member is an error."""
    _check_role(role)
    user = account_by_name_or_email(identifier)
    if Membership.objects.filter(project=project, user=user).exists():
        raise ValidationError(
            {"user": f"{user.get_username()} is already a member: change their role instead."}
        )
    return membership_set(project=project, user=user, role=role)


def member_role_set(*, membership: Membership, role: str) -> Membership:
    """Change a member's role; demoting the last manager is refused."""
    _check_role(role)
    with transaction.atomic():
        if membership.role == Role.MANAGER and role != Role.MANAGER:
            _check_another_manager(membership)
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def member_remove(*, membership: Membership) -> None:
    """End a membership; the person's assignments and claims stay, still theirs; the last manager stays."""
    with transaction.atomic():
        if membership.role == Role.MANAGER:
            _check_another_manager(membership)
        membership.delete()


def _check_another_manager(membership: Membership) -> None:
    # Locking the managers' rows makes two managers demoting each other at once wait for one another.
    managers = Membership.objects.select_for_update().filter(
        project_id=membership.project_id, role=Role.MANAGER
    )
    if not managers.exclude(pk=membership.pk).exists():
        raise ValidationError({"role": LAST_MANAGER})


@dataclass(frozen=True)
class NewAccount:
    membership: Membership
    set_password_path: str  # the one-time link; the caller makes it absolute for the host it serves


def account_create_with_link(*, project: Project, username: str, email: str = "", role: str) -> NewAccount:
    """A new account with no usable password, made a member, and a link that sets its password once.

    The link is Django's password-reset confirmation: its token is tied to the password hash and last
    login, so it stops working as soon as a password is set (and after PASSWORD_RESET_TIMEOUT).
    """
    _check_role(role)
    user_model = get_user_model()
    username, email = username.strip(), email.strip()
    user = user_model(username=username, email=email)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "That username is taken."})
    if email and user_model.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "An account with that e-mail exists: add it as a member instead."})
    try:
        with transaction.atomic():
            user.save()
            membership = membership_set(project=project, user=user, role=role)
    except IntegrityError as error:  # the same username registered a moment ago
        raise ValidationError({"username": "That username is taken."}) from error
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": PasswordResetTokenGenerator().make_token(user),
        },
    )
    return NewAccount(membership=membership, set_password_path=path)
