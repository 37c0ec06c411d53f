"""The schema editor's form fields, read back into a schema and its value moves (pure: no Django).

A row of a choice list posts `<list>-<n>-<field>` for field in ROW_FIELDS: the item's own fields, plus
`original` (the value the row had when the page was drawn: a different value now is a rename), `order`
(its place; rows sort by it) and `remove`. A row with no value, label or original is an unused blank row.
Targets post `targets-<n>-name`, `-order`, `-remove`, and `default_target` names the default row's n.
"""

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from annotator.corpus.schema import CHOICE_LISTS

ITEM_FIELDS = ("value", "label", "key", "colour", "help", "perspective")
ROW_FIELDS = (*ITEM_FIELDS, "original", "order", "remove")
ROW_NAME = re.compile(rf"({'|'.join(CHOICE_LISTS)}|targets)-(\d+)-([a-z]+)")


@dataclass
class EditedSchema:
    schema: dict[str, Any]
    moves: dict[str, dict[str, str]] = field(default_factory=dict)
    # Per list, the value each kept row had before the edit (None for a new row), in the schema's order.
    originals: dict[str, list[str | None]] = field(default_factory=dict)


def schema_from_form(names: list[str], get: Callable[[str], str]) -> EditedSchema:
    """Read the posted rows (`names` are the posted field names, `get` a field's value) into a schema."""
    rows: dict[str, dict[int, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for name in names:
        match = ROW_NAME.fullmatch(name)
        if match:
            rows[match[1]][int(match[2])][match[3]] = get(name).strip()
    edited = EditedSchema(schema={})
    for list_name in CHOICE_LISTS:
        items, originals = [], []
        for _, row in _in_order(rows.get(list_name, {})):
            if row.get("remove") or not (row.get("value") or row.get("label") or row.get("original")):
                continue
            fields = ITEM_FIELDS if list_name == "affiliations" else ITEM_FIELDS[:-1]
            item = {"value": row.get("value", ""), "label": row.get("label", "")}
            item |= {name: row[name] for name in fields[2:] if row.get(name)}
            items.append(item)
            original = row.get("original") or None
            originals.append(original)
            if original and original != item["value"]:
                edited.moves.setdefault(list_name, {})[original] = item["value"]
        edited.schema[list_name] = items
        edited.originals[list_name] = originals
    default_row = get("default_target")
    targets = []
    for index, row in _in_order(rows.get("targets", {})):
        if row.get("remove") or not row.get("name"):
            continue
        targets.append(row["name"])
        if str(index) == default_row:
            edited.schema["default_target"] = row["name"]
    edited.schema["targets"] = targets
    edited.schema.setdefault("default_target", "")
    return edited


def _in_order(rows: dict[int, dict[str, str]]) -> list[tuple[int, dict[str, str]]]:
    def place(entry: tuple[int, dict[str, str]]) -> tuple[float, int]:
        index, row = entry
        try:
            return float(row.get("order") or index), index
        except ValueError:
            return float(index), index

    return sorted(rows.items(), key=place)
