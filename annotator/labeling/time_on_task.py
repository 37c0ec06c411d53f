"""Time on task: the active seconds an annotator spends on an assignment, as the editor reports them.

The editor (static/annotator/editor.js, with active_time.js) counts a second as active while the tab is
visible and the annotator gave input (a key, the pointer, a text selection) within the last
IDLE_AFTER_SECONDS. It reports what it counted every FLUSH_EVERY_SECONDS while active, when the tab is
hidden and when it leaves the passage; the server only adds increments, never trusts a total.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F

from annotator.labeling.models import Assignment

# A minute without input is a break (reading a long passage rarely takes longer without a scroll or click).
IDLE_AFTER_SECONDS = 60
FLUSH_EVERY_SECONDS = 30
# A well-behaved editor sends at most FLUSH_EVERY_SECONDS at a time (a little more after a stalled timer);
# anything above this comes from a broken or hostile client and is cut down rather than rejected.
MAX_INCREMENT_SECONDS = 300


def assignment_time_add(*, assignment_id: int, annotator: AbstractBaseUser, seconds: int) -> int | None:
    """Add `seconds` (capped at MAX_INCREMENT_SECONDS) to the annotator's own assignment in one atomic
    UPDATE, so concurrent reports all count; the new total, or None when it is not theirs (or missing)."""
    increment = min(max(seconds, 0), MAX_INCREMENT_SECONDS)
    own = Assignment.objects.filter(pk=assignment_id, annotator_id=annotator.pk)
    if not own.update(active_seconds=F("active_seconds") + increment):
        return None
    return own.values_list("active_seconds", flat=True).first()
