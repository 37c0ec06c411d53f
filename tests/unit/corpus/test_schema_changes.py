"""Human change lines and value moves between two schemas, and reading the editor's form back."""

import copy

import pytest

from annotator.corpus.schema import load_default_schema
from annotator.corpus.schema_changes import diff, dropped_values, follow_moves, move_problems
from annotator.web.schema_form import schema_from_form


@pytest.fixture
def old() -> dict:
    return load_default_schema()


@pytest.fixture
def new(old) -> dict:
    return copy.deepcopy(old)


def test_no_change_gives_no_lines(old, new):
    assert diff(old, new) == []


def test_a_rename_and_its_label_change_read_as_such(old, new):
    new["perspectives"][1] |= {"value": "prc", "label": "PRC"}
    assert diff(old, new, {"perspectives": {"chinese": "prc"}}) == [
        'perspectives: renamed "chinese" to "prc"',
        'perspectives "prc": label "Chinese" → "PRC"',
    ]


def test_a_merge_reads_as_a_merge(old, new):
    new["stances"].pop(2)
    assert diff(old, new, {"stances": {"neutral": "against"}}) == ['stances: merged "neutral" into "against"']


def test_additions_removals_reorders_and_targets(old, new):
    new["stances"].append({"value": "mixed", "label": "Mixed"})
    new["stances"][0], new["stances"][1] = new["stances"][1], new["stances"][0]
    new["speaker_kinds"].pop()
    new["targets"].append("Sanctions")
    new["default_target"] = "Sanctions"
    assert diff(old, new) == [
        'stances: added "mixed" (Mixed)',
        "stances: reordered",
        'speaker_kinds: removed "unnamed_group" (Unnamed group)',
        'targets: added "Sanctions"',
        f'default target: "{old["default_target"]}" → "Sanctions"',
    ]


def test_dropped_values_leave_out_moved_ones(old, new):
    new["stances"].pop(2)
    new["stances"].pop(1)
    assert dropped_values(old, new, {"stances": {"neutral": "favor"}}) == {"stances": ["against"]}


def test_affiliations_follow_a_moved_perspective(old):
    moved = follow_moves(old, {"perspectives": {"chinese": "prc"}})
    assert {a["perspective"] for a in moved["affiliations"] if a["value"].startswith("cn_")} == {"prc"}
    assert old["affiliations"][1]["perspective"] == "chinese"  # the input is left alone


@pytest.mark.parametrize(
    ("moves", "message"),
    [
        ({"stances": {"maybe": "favor"}}, '"maybe" is not one of the stances.'),
        ({"stances": {"favor": "favor"}}, '"favor" would move onto itself.'),
        (
            {"stances": {"favor": "against"}},
            '"favor" is still in the schema, so nothing would move to "against".',
        ),
    ],
)
def test_moves_that_cannot_apply(old, new, moves, message):
    assert move_problems(old, new, moves) == {"stances": message}


def test_the_editor_form_reads_back_into_a_schema_with_its_renames(old):
    fields = {
        "stances-0-original": "favor", "stances-0-value": "pro", "stances-0-label": "Pro",
        "stances-0-order": "2",
        "stances-1-original": "against", "stances-1-value": "against", "stances-1-label": "Against",
        "stances-1-order": "0", "stances-1-key": "g",
        "stances-2-original": "neutral", "stances-2-value": "neutral", "stances-2-label": "Neutral",
        "stances-2-remove": "1",
        "stances-3-original": "", "stances-3-value": "", "stances-3-label": "",
        "targets-0-name": "A", "targets-1-name": " B ", "targets-2-name": "", "default_target": "1",
    }  # fmt: skip
    edited = schema_from_form(list(fields), lambda name: fields.get(name, ""))
    assert edited.schema["stances"] == [
        {"value": "against", "label": "Against", "key": "g"},
        {"value": "pro", "label": "Pro"},
    ]
    assert edited.moves == {"stances": {"favor": "pro"}}
    assert edited.originals["stances"] == ["against", "favor"]
    assert (edited.schema["targets"], edited.schema["default_target"]) == (["A", "B"], "B")
