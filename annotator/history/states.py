"""Before → after of a change, and an entity's fields as of an earlier version. Pure (no Django)."""

from collections.abc import Iterable, Mapping
from typing import Any


def changed_fields(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields whose value differs between `before` and `after`, each side on its own."""
    names = [name for name in after if before.get(name) != after[name]]
    names += [name for name in before if name not in after]
    return {n: before.get(n) for n in names}, {n: after.get(n) for n in names}


class VersionNotRecorded(ValueError):
    """The wanted version lies before the recorded history (the entity existed before it was kept)."""


def state_at(
    current: Mapping[str, Any],
    current_version: int,
    changes_newest_first: Iterable[tuple[int, Mapping[str, Any] | None]],
    version: int,
) -> dict[str, Any]:
    """The fields as they were at `version`: `current` with the `before` side of every later change put
    back, newest first. `changes_newest_first` are (version after the change, before fields); each version
    from `version` + 1 to `current_version` must be among them, else VersionNotRecorded."""
    state = dict(current)
    expected = current_version
    for changed_to, before in changes_newest_first:
        if changed_to <= version:
            break
        if changed_to != expected:
            break
        state.update(before or {})
        expected -= 1
    if expected != version:
        raise VersionNotRecorded(f"Version {version} is older than the recorded history of this entity.")
    return state
