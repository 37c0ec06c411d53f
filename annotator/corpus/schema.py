"""The project label schema: its shape, its validation and the default for US-vs-China framing studies.

Pure module (no Django): the schema is a plain dict, validated here once and trusted everywhere else —
the schema editor page, the API, the admin and project_create all call `schema_problems`/`validate_schema`.

Shape: five choice lists (`CHOICE_LISTS`) of items `{value, label, key?, help?, colour?}` (affiliations
also `perspective?`), plus `targets` (strings) and `default_target` (one of them).

Rules, each reported as `field → message` with the field naming the item, e.g.
`perspectives[3].key: "1" is already the hotkey of "us_western"`:

- every choice list is a non-empty list of objects with only the fields above;
- `value` is a slug (lower-case letters and digits joined by single `_` or `-`), unique in its list and
  no longer than the database column that stores it (`VALUE_MAX_LENGTH`);
- `label` is non-empty;
- `key` (hotkey) is one lower-case letter or digit, not one of the editors' own keys (`RESERVED_KEYS`), and
  unique across the lists the editors bind together (perspectives, stances and attributions share one key
  map: the same key in two of them would make one unreachable); speaker kinds and affiliations are not
  bound to keys, so theirs need only be unique within the list;
- `colour` is one of `NAMED_COLOURS` or a hex colour `#rgb` / `#rrggbb`;
- attributions are exactly direct, indirect and authorial and speaker kinds are among `SPEAKER_KINDS`
  (claims and speakers have database constraints on these values: labels, keys and help may change);
- an affiliation's perspective is one of the perspectives;
- targets are distinct non-empty strings of at most 200 characters and `default_target` is one of them;
- `span_rule` (optional) is an object of `SPAN_RULE_KEYS` → true/false saying how every claim's edges are
  tidied on every write path (see annotator/labeling/span_rule.py); a key left out, or the whole object
  left out, is on (`span_rule_of` fills them in);
- `flag_reasons` (optional) is a list like the choice lists (values a slug of at most 40 characters, unique,
  each with a label) of why an annotator flags or skips a passage; left out, `DEFAULT_FLAG_REASONS` apply
  (`flag_reasons_of` fills them in).
"""

import json
import re
from pathlib import Path
from typing import Any

DEFAULT_SCHEMA_PATH = Path(__file__).resolve().parents[2] / "fixtures" / "default_schema.json"

CHOICE_LISTS = ("perspectives", "stances", "attributions", "speaker_kinds", "affiliations")
# The lists whose hotkeys the annotation and review editors put in one key map.
KEYED_LISTS = ("perspectives", "stances", "attributions")
REQUIRED_ATTRIBUTIONS = {"direct", "indirect", "authorial"}
SPEAKER_KINDS = {"person", "organisation", "government", "state_media", "unnamed_group"}
# The widths of the columns that store each list's values (labeling.Claim, corpus.Speaker).
VALUE_MAX_LENGTH = {
    "perspectives": 40,
    "stances": 20,
    "attributions": 12,
    "speaker_kinds": 20,
    "affiliations": 40,
    "flag_reasons": 40,
}
# The parts of a schema besides the choice lists (flag_reasons is a list like them, but optional).
OTHER_PARTS = ("targets", "default_target", "span_rule", "flag_reasons")
# Why an annotator flags (or skips) a passage, when the schema does not list its own reasons.
DEFAULT_FLAG_REASONS = (
    {"value": "unclear", "label": "Unclear"},
    {"value": "off_topic", "label": "Off topic"},
    {"value": "bad_segmentation", "label": "Bad segmentation"},
    {"value": "other", "label": "Other"},
)
ITEM_FIELDS = {"value", "label", "key", "help", "colour"}
AFFILIATION_FIELDS = ITEM_FIELDS | {"perspective"}
LABEL_MAX_LENGTH = 100
HELP_MAX_LENGTH = 500
TARGET_MAX_LENGTH = 200
# The switches of the span rule (annotator/labeling/span_rule.py); all on unless the schema says otherwise.
SPAN_RULE_KEYS = ("trim_spaces", "trim_quotes", "trim_final_punctuation")

# Keys editor.js and review.js bind themselves (j/k next and previous passage, z undo, s speaker, t target,
# e note, c confidence, m mention, r respan); "?", "/", ".", ",", "+", Enter, Escape, Delete and the arrows
# are bound too but cannot be hotkeys anyway (a hotkey is one lower-case letter or digit). f, g and n are
# not reserved: they are the default schema's stance keys, which the editors read from the schema.
RESERVED_KEYS = frozenset("jkzstecmrp")
HOTKEY = re.compile(r"[a-z0-9]")
SLUG = re.compile(r"[a-z0-9]+(?:[_-][a-z0-9]+)*")
HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
# CSS colour names, so a template can use a colour as it is stored.
NAMED_COLOURS = (
    "red", "orange", "gold", "yellow", "olive", "green", "teal", "cyan",
    "blue", "navy", "purple", "magenta", "pink", "brown", "gray", "black",
)  # fmt: skip


class SchemaError(ValueError):
    """A schema that cannot be used; `errors` maps each field (e.g. "stances[2].label") to its problem."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


def load_default_schema() -> dict[str, Any]:
    with DEFAULT_SCHEMA_PATH.open(encoding="utf-8") as handle:
        return validate_schema(json.load(handle))


def validate_schema(schema: Any) -> dict[str, Any]:
    """Return the schema if it is usable, else raise SchemaError naming every problem."""
    problems = schema_problems(schema)
    if problems:
        raise SchemaError(problems)
    return schema


def schema_problems(schema: Any) -> dict[str, str]:
    """Field → message for every rule (see the module doc) the schema breaks; empty when it is usable."""
    if not isinstance(schema, dict):
        return {"schema": "The schema must be a JSON object."}
    problems: dict[str, str] = {}
    for name in sorted(
        set(schema) - {*CHOICE_LISTS, "targets", "default_target", "span_rule", "flag_reasons"}
    ):
        problems[name] = f"Unknown part of the schema {name!r}."
    for name in CHOICE_LISTS:
        problems |= _choice_list_problems(name, schema.get(name))
    problems |= _hotkey_clashes(schema)
    attributions_listed = not any(field.startswith("attributions") for field in problems)
    if attributions_listed and values(schema, "attributions") != REQUIRED_ATTRIBUTIONS:
        problems["attributions"] = (
            f"Attributions are exactly {_quoted(REQUIRED_ATTRIBUTIONS)} (claims store only these)."
        )
    for index, item in enumerate(_items(schema, "speaker_kinds")):
        if item.get("value") not in SPEAKER_KINDS and f"speaker_kinds[{index}].value" not in problems:
            problems[f"speaker_kinds[{index}].value"] = (
                f"{_q(item.get('value'))} is not a speaker kind; choose among {_quoted(SPEAKER_KINDS)}."
            )
    perspectives = values(schema, "perspectives")
    for index, item in enumerate(_items(schema, "affiliations")):
        perspective = item.get("perspective")
        if perspective not in (None, "") and perspective not in perspectives:
            problems[f"affiliations[{index}].perspective"] = (
                f"{_q(perspective)} is not one of the perspectives."
            )
    problems |= _target_problems(schema.get("targets"), schema.get("default_target"))
    problems |= _span_rule_problems(schema.get("span_rule"))
    if schema.get("flag_reasons") is not None:
        problems |= _choice_list_problems("flag_reasons", schema["flag_reasons"])
    return problems


def _span_rule_problems(rule: Any) -> dict[str, str]:
    if rule is None:
        return {}
    if not isinstance(rule, dict):
        switches = ", ".join(SPAN_RULE_KEYS)
        return {"span_rule": f"The span rule is an object of {switches} set to true or false."}
    problems: dict[str, str] = {}
    for name, value in rule.items():
        if name not in SPAN_RULE_KEYS:
            problems[f"span_rule.{name}"] = (
                f"Unknown switch {name!r}; the span rule has {', '.join(SPAN_RULE_KEYS)}."
            )
        elif not isinstance(value, bool):
            problems[f"span_rule.{name}"] = f"{name} is true or false, not {_q(value)}."
    return problems


def span_rule_of(schema: dict[str, Any]) -> dict[str, bool]:
    """The project's span rule with every switch filled in (on unless the schema turns it off)."""
    rule = schema.get("span_rule")
    given = rule if isinstance(rule, dict) else {}
    return {name: bool(given.get(name, True)) for name in SPAN_RULE_KEYS}


def flag_reasons_of(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The project's flag reasons ({value, label} items): its own list, else `DEFAULT_FLAG_REASONS`."""
    reasons = _items(schema, "flag_reasons")
    return reasons or [dict(reason) for reason in DEFAULT_FLAG_REASONS]


def _choice_list_problems(name: str, items: Any) -> dict[str, str]:
    if not isinstance(items, list) or not items:
        return {name: f"{name.replace('_', ' ').capitalize()} need at least one item."}
    problems: dict[str, str] = {}
    first_index: dict[str, int] = {}
    allowed_fields = AFFILIATION_FIELDS if name == "affiliations" else ITEM_FIELDS
    for index, item in enumerate(items):
        at = f"{name}[{index}]"
        if not isinstance(item, dict):
            problems[at] = "Each item must be an object with a value and a label."
            continue
        for extra in sorted(set(item) - allowed_fields):
            problems[f"{at}.{extra}"] = f"Unknown field {extra!r}; an item has {_quoted(allowed_fields)}."
        value = item.get("value")
        if not isinstance(value, str) or not SLUG.fullmatch(value):
            problems[f"{at}.value"] = (
                f"{_q(value)} is not a value: use lower-case letters and digits joined by _ or -."
            )
        elif len(value) > VALUE_MAX_LENGTH[name]:
            problems[f"{at}.value"] = f"{_q(value)} is longer than {VALUE_MAX_LENGTH[name]} characters."
        elif value in first_index:
            problems[f"{at}.value"] = f"{_q(value)} is already the value of {name}[{first_index[value]}]."
        else:
            first_index[value] = index
        label = item.get("label")
        if not isinstance(label, str) or not label.strip():
            problems[f"{at}.label"] = "Give a label."
        elif len(label) > LABEL_MAX_LENGTH:
            problems[f"{at}.label"] = f"The label is longer than {LABEL_MAX_LENGTH} characters."
        if item.get("help") not in (None, "") and (
            not isinstance(item["help"], str) or len(item["help"]) > HELP_MAX_LENGTH
        ):
            problems[f"{at}.help"] = f"Help is text of at most {HELP_MAX_LENGTH} characters."
        colour = item.get("colour")
        if colour not in (None, "") and not is_colour(colour):
            problems[f"{at}.colour"] = (
                f"{_q(colour)} is not a colour: use #rgb, #rrggbb or one of {', '.join(NAMED_COLOURS)}."
            )
        key = item.get("key")
        if key not in (None, ""):
            if not isinstance(key, str) or not HOTKEY.fullmatch(key):
                problems[f"{at}.key"] = f"{_q(key)} is not a hotkey: use one lower-case letter or digit."
            elif key in RESERVED_KEYS:
                problems[f"{at}.key"] = (
                    f"{_q(key)} is one of the editor's own keys ({' '.join(sorted(RESERVED_KEYS))})."
                )
    return problems


def _hotkey_clashes(schema: dict[str, Any]) -> dict[str, str]:
    """A key bound twice: across the keyed lists (one key map in the editors), else within a list."""
    problems: dict[str, str] = {}
    owners: dict[tuple[str, str], str] = {}  # (key space, key) → the value it belongs to
    for name in CHOICE_LISTS:
        space = "keyed" if name in KEYED_LISTS else name
        for index, item in enumerate(_items(schema, name)):
            key = item.get("key")
            if not isinstance(key, str) or not key:
                continue
            if (space, key) in owners:
                problems.setdefault(
                    f"{name}[{index}].key", f"{_q(key)} is already the hotkey of {_q(owners[space, key])}."
                )
            else:
                owners[space, key] = str(item.get("value"))
    return problems


def _target_problems(targets: Any, default_target: Any) -> dict[str, str]:
    if not isinstance(targets, list) or not targets:
        return {"targets": "Give at least one stance target."}
    problems: dict[str, str] = {}
    seen: set[str] = set()
    for index, target in enumerate(targets):
        if not isinstance(target, str) or not target.strip():
            problems[f"targets[{index}]"] = "A target needs a name."
        elif len(target) > TARGET_MAX_LENGTH:
            problems[f"targets[{index}]"] = f"A target is at most {TARGET_MAX_LENGTH} characters."
        elif target in seen:
            problems[f"targets[{index}]"] = f"{_q(target)} is already a target."
        else:
            seen.add(target)
    if default_target not in seen:
        problems["default_target"] = "Choose the default target among the targets."
    return problems


def is_colour(colour: Any) -> bool:
    return isinstance(colour, str) and (colour in NAMED_COLOURS or bool(HEX_COLOUR.fullmatch(colour)))


def _items(schema: dict[str, Any], name: str) -> list[dict[str, Any]]:
    items = schema.get(name)
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _q(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def _quoted(names: set[str]) -> str:
    return ", ".join(sorted(names))


def values(schema: dict[str, Any], name: str) -> set[str]:
    """The set of allowed values of one choice list, e.g. values(schema, "stances")."""
    return {item["value"] for item in _items(schema, name) if isinstance(item.get("value"), str)}
