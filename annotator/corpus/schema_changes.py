"""What a schema edit changes: human lines for the version history, and the value moves it carries.

Pure (no Django). A *move* takes every use of one value of a choice list to another value of the same
list: a rename when the new value is new to the schema, a merge when it was already there. Moves are given
as `{list name: {old value: new value}}`.
"""

import copy
import json
from collections.abc import Mapping
from typing import Any

from annotator.corpus.schema import CHOICE_LISTS, SPAN_RULE_KEYS, span_rule_of

Moves = Mapping[str, Mapping[str, str]]

ITEM_DETAILS = ("label", "key", "colour", "help", "perspective")


def follow_moves(schema: dict[str, Any], moves: Moves) -> dict[str, Any]:
    """A copy of `schema` whose affiliations name a moved perspective by its new value."""
    moved = moves.get("perspectives", {})
    result = copy.deepcopy(schema)
    for item in result.get("affiliations", []) if isinstance(result.get("affiliations"), list) else []:
        if isinstance(item, dict) and item.get("perspective") in moved:
            item["perspective"] = moved[item["perspective"]]
    return result


def move_problems(old: dict[str, Any], new: dict[str, Any], moves: Moves) -> dict[str, str]:
    """Field → message for moves that cannot apply.

    The old value must leave the schema and the new one be in it; a value new to the schema (a rename)
    takes one old value only.
    """
    problems: dict[str, str] = {}
    for name, pairs in moves.items():
        if name not in CHOICE_LISTS:
            problems["field"] = (
                f"{_q(name)} is not a list of values; choose one of {', '.join(CHOICE_LISTS)}."
            )
            continue
        before, after = _values(old, name), _values(new, name)
        for source, target in pairs.items():
            if source not in before:
                problems[name] = f"{_q(source)} is not one of the {_title(name)}."
            elif source == target:
                problems[name] = f"{_q(source)} would move onto itself."
            elif source in after:
                problems[name] = (
                    f"{_q(source)} is still in the schema, so nothing would move to {_q(target)}."
                )
            elif target not in after:
                problems[name] = f"{_q(target)} is not one of the {_title(name)}."
            elif target in pairs:
                problems[name] = f"{_q(target)} is itself moving; move each value straight to where it ends."
            elif target not in before and list(pairs.values()).count(target) > 1:
                problems[name] = f"Only one value can be renamed to {_q(target)}; merge the others into it."
    return problems


def dropped_values(old: dict[str, Any], new: dict[str, Any], moves: Moves) -> dict[str, list[str]]:
    """Per list, the old values that leave the schema without moving anywhere (uses would be orphans)."""
    dropped = {}
    for name in CHOICE_LISTS:
        gone = [value for value in _ordered_values(old, name) if value not in _values(new, name)]
        gone = [value for value in gone if value not in moves.get(name, {})]
        if gone:
            dropped[name] = gone
    return dropped


def diff(old: dict[str, Any], new: dict[str, Any], moves: Moves | None = None) -> list[str]:
    """One human line per change from `old` to `new`, moved values named as renames or merges."""
    moves = moves or {}
    lines: list[str] = []
    for name in CHOICE_LISTS:
        lines += _list_diff(name, _by_value(old, name), _by_value(new, name), moves.get(name, {}))
    old_targets, new_targets = _strings(old.get("targets")), _strings(new.get("targets"))
    lines += [f"targets: added {_q(t)}" for t in new_targets if t not in old_targets]
    lines += [f"targets: removed {_q(t)}" for t in old_targets if t not in new_targets]
    kept = [t for t in new_targets if t in old_targets]
    if kept != [t for t in old_targets if t in new_targets]:
        lines.append("targets: reordered")
    if old.get("default_target") != new.get("default_target"):
        lines.append(f"default target: {_q(old.get('default_target'))} → {_q(new.get('default_target'))}")
    old_rule, new_rule = span_rule_of(old), span_rule_of(new)
    lines += [
        f"span rule: {name} {'on' if new_rule[name] else 'off'}"
        for name in SPAN_RULE_KEYS
        if old_rule[name] != new_rule[name]
    ]
    return lines


def _list_diff(
    name: str, before: dict[str, dict], after: dict[str, dict], moved: Mapping[str, str]
) -> list[str]:
    lines = []
    renamed_to = {target: source for source, target in moved.items() if target not in before}
    for source, target in moved.items():
        verb = "renamed" if target in renamed_to else "merged"
        lines.append(f"{name}: {verb} {_q(source)} {'to' if verb == 'renamed' else 'into'} {_q(target)}")
    for value, item in after.items():
        origin = value if value in before else renamed_to.get(value)
        if origin is None:
            lines.append(f"{name}: added {_q(value)} ({item.get('label', '')})")
            continue
        for detail in ITEM_DETAILS:
            was, now = before[origin].get(detail) or "", item.get(detail) or ""
            if was != now:
                lines.append(f"{name} {_q(value)}: {detail} {_q(was)} → {_q(now)}")
    for value, item in before.items():
        if value not in after and value not in moved:
            lines.append(f"{name}: removed {_q(value)} ({item.get('label', '')})")
    # Compare the order of the values on both sides, a renamed value standing in for its old name.
    old_order = [moved[v] if moved.get(v) in renamed_to else v for v in before]
    old_order = [v for v in old_order if v in after]
    if [v for v in after if v in old_order] != old_order:
        lines.append(f"{name}: reordered")
    return lines


def _by_value(schema: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    items = schema.get(name)
    if not isinstance(items, list):
        return {}
    return {
        item["value"]: item for item in items if isinstance(item, dict) and isinstance(item.get("value"), str)
    }


def _ordered_values(schema: dict[str, Any], name: str) -> list[str]:
    return list(_by_value(schema, name))


def _values(schema: dict[str, Any], name: str) -> set[str]:
    return set(_by_value(schema, name))


def _strings(items: Any) -> list[str]:
    return [item for item in items if isinstance(item, str)] if isinstance(items, list) else []


def _title(name: str) -> str:
    return name.replace("_", " ")


def _q(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)
