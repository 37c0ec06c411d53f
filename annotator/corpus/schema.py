"""The project label schema: its shape, its validation and the default for US-vs-China framing studies.

Pure module (no Django): the schema is a plain dict, validated here once and trusted everywhere else.
"""

import json
from pathlib import Path
from typing import Any

DEFAULT_SCHEMA_PATH = Path(__file__).resolve().parents[2] / "fixtures" / "default_schema.json"

CHOICE_LISTS = ("attributions", "perspectives", "stances", "speaker_kinds", "affiliations")
REQUIRED_ATTRIBUTIONS = {"direct", "indirect", "authorial"}
SPEAKER_KINDS = {"person", "organisation", "government", "state_media", "unnamed_group"}


class SchemaError(ValueError):
    """A schema that cannot be used; the message lists every problem found."""


def load_default_schema() -> dict[str, Any]:
    with DEFAULT_SCHEMA_PATH.open(encoding="utf-8") as handle:
        return validate_schema(json.load(handle))


def validate_schema(schema: Any) -> dict[str, Any]:
    """Return the schema if it is usable, else raise SchemaError naming every problem."""
    if not isinstance(schema, dict):
        raise SchemaError("the schema must be a JSON object")
    problems: list[str] = []
    for name in CHOICE_LISTS:
        problems += _choice_list_problems(name, schema.get(name))
    if not problems:
        attributions = values(schema, "attributions")
        if not attributions >= REQUIRED_ATTRIBUTIONS:
            problems.append(f"attributions must include {sorted(REQUIRED_ATTRIBUTIONS)}")
        kinds = values(schema, "speaker_kinds")
        if not kinds <= SPEAKER_KINDS:
            problems.append(f"speaker_kinds must be among {sorted(SPEAKER_KINDS)}")
        perspectives = values(schema, "perspectives")
        for item in schema["affiliations"]:
            if item.get("perspective") not in (None, "", *perspectives):
                problems.append(
                    f"affiliation {item['value']!r} names unknown perspective {item['perspective']!r}"
                )
    targets = schema.get("targets")
    if (
        not isinstance(targets, list)
        or not targets
        or not all(isinstance(t, str) and t.strip() for t in targets)
    ):
        problems.append("targets must be a non-empty list of non-empty strings")
    elif schema.get("default_target") not in targets:
        problems.append("default_target must be one of targets")
    if problems:
        raise SchemaError("; ".join(problems))
    return schema


def _choice_list_problems(name: str, items: Any) -> list[str]:
    if not isinstance(items, list) or not items:
        return [f"{name} must be a non-empty list"]
    problems = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("value"), str) or not item["value"].strip():
            problems.append(f"{name}[{index}] needs a non-empty string 'value'")
            continue
        if item["value"] in seen:
            problems.append(f"{name} repeats the value {item['value']!r}")
        seen.add(item["value"])
    return problems


def values(schema: dict[str, Any], name: str) -> set[str]:
    """The set of allowed values of one choice list, e.g. values(schema, "stances")."""
    return {item["value"] for item in schema.get(name, [])}
