"""Who the annotators of an imported file are in the project: members by username or e-mail (through the
annotator map), or new accounts for names no account has; never an account outside the project."""

from collections.abc import Mapping

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from annotator.corpus.models import Project
from annotator.exports.importing.selectors import project_members, taken_usernames
from annotator.exports.importing.summary import AnnotationImportSummary
from annotator.exports.readers import RecordError
from annotator.exports.readers.plan import PlannedRecord


def annotators_resolve(
    project: Project,
    plans: list[PlannedRecord],
    names: Mapping[str, str],
    create_users: bool,
    summary: AnnotationImportSummary,
) -> tuple[dict[str, int | str], list[RecordError]]:
    """Foreign annotator → member user id, or the username of an account to create; errors for the rest."""
    first_seen: dict[str, PlannedRecord] = {}
    for plan in plans:
        for foreign in plan.work:
            first_seen.setdefault(foreign, plan)
    by_username, by_email = project_members(project=project)
    username_of = {pk: username for username, pk in by_username.items()}
    wanted = {foreign: names.get(foreign, foreign) for foreign in first_seen}
    unknown = {name for name in wanted.values() if name not in by_username and name.lower() not in by_email}
    taken = taken_usernames(unknown) if create_users else set()
    validator = UnicodeUsernameValidator()
    users: dict[str, int | str] = {}
    errors: list[RecordError] = []
    for foreign in sorted(first_seen):
        target = wanted[foreign]
        report = summary.annotator(foreign)
        plan = first_seen[foreign]
        user: int | str | None = by_username.get(target) or by_email.get(target.lower())
        problem = None
        if user is not None:
            report.username = target if target in by_username else username_of[user]
            report.account = "member"
        elif not create_users:
            problem = (
                f"annotator {foreign!r} is not a member of this project: map it to a member with the "
                "annotator map, or allow creating accounts for annotators who have none"
            )
        elif target.lower() in taken:
            problem = (
                f"annotator {target!r} is not a member of this project, and the name is another account's: "
                "map it to a member with the annotator map"
            )
        elif not _valid_username(validator, target):
            problem = f"annotator {target!r} cannot be a username: map it to a member with the annotator map"
        else:
            user = target
            report.username, report.account = target, "new account"
        if problem is not None:
            report.account = "not matched"
            errors.append(RecordError(plan.record.file_name, 0, problem))
        else:
            users[foreign] = user  # type: ignore[assignment]
    return users, errors


def _valid_username(validator: UnicodeUsernameValidator, name: str) -> bool:
    try:
        validator(name)
    except ValidationError:
        return False
    return 0 < len(name) <= 150
