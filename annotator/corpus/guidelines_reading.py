"""Whether a member has read the project's guidelines since they last changed, and marking them read.

The editor opens the guidelines by itself on a member's first visit and after every change to them;
closing the panel marks them read (``Membership.guidelines_read_at`` against
``Project.guidelines_updated_at``).
"""

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from annotator.corpus.models import Membership, Project


def guidelines_due(*, project: Project, user: AbstractBaseUser) -> bool:
    """True when the project has guidelines the member has not read since they last changed (1 query).

    Someone who is no member (a superuser looking in) has nothing recorded, so nothing opens for them.
    """
    if not project.guidelines.strip():
        return False
    membership = Membership.objects.filter(project=project, user_id=user.pk)
    read = list(membership.values_list("guidelines_read_at", flat=True))
    if not read:
        return False
    read_at = read[0]
    if read_at is None:
        return True
    return project.guidelines_updated_at is not None and read_at < project.guidelines_updated_at


def guidelines_mark_read(*, project: Project, user: AbstractBaseUser) -> bool:
    """Record that the member has read the guidelines now; False when the user is no member."""
    return bool(
        Membership.objects.filter(project=project, user_id=user.pk).update(guidelines_read_at=timezone.now())
    )
