"""Every rule of the label schema, checked without a database."""

import copy

import pytest

from annotator.corpus.schema import (
    RESERVED_KEYS,
    SchemaError,
    load_default_schema,
    schema_problems,
    validate_schema,
)


@pytest.fixture
def schema() -> dict:
    return copy.deepcopy(load_default_schema())


def test_the_default_schema_is_valid(schema):
    assert schema_problems(schema) == {}


def test_a_schema_that_is_not_an_object_is_refused():
    assert schema_problems([]) == {"schema": "The schema must be a JSON object."}


@pytest.mark.parametrize("name", ["perspectives", "stances", "attributions"])
def test_an_empty_list_is_refused(schema, name):
    schema[name] = []
    assert name in schema_problems(schema)


def test_validate_schema_raises_with_the_errors_by_field(schema):
    schema["perspectives"] = []
    with pytest.raises(SchemaError) as error:
        validate_schema(schema)
    assert "perspectives" in error.value.errors
    assert str(error.value).startswith("perspectives: ")


def test_a_repeated_value_names_the_first_item(schema):
    schema["stances"].append({"value": "favor", "label": "Favour again"})
    assert schema_problems(schema) == {"stances[3].value": '"favor" is already the value of stances[0].'}


def test_a_repeated_hotkey_names_the_value_that_has_it(schema):
    schema["perspectives"][3]["key"] = "1"
    assert schema_problems(schema) == {"perspectives[3].key": '"1" is already the hotkey of "us_western".'}


def test_a_hotkey_may_not_be_shared_between_perspectives_and_stances(schema):
    schema["stances"][0]["key"] = "1"
    assert schema_problems(schema) == {"stances[0].key": '"1" is already the hotkey of "us_western".'}


def test_speaker_kinds_keep_their_hotkeys_to_themselves(schema):
    schema["speaker_kinds"][0]["key"] = "1"  # not bound by the editors: no clash with perspectives
    assert schema_problems(schema) == {}
    schema["speaker_kinds"][1]["key"] = "1"
    assert schema_problems(schema) == {"speaker_kinds[1].key": '"1" is already the hotkey of "person".'}


@pytest.mark.parametrize("key", sorted(RESERVED_KEYS))
def test_the_editors_own_keys_cannot_be_hotkeys(schema, key):
    schema["stances"][0]["key"] = key
    assert "is one of the editor's own keys" in schema_problems(schema)["stances[0].key"]


@pytest.mark.parametrize("key", ["?", "F", "ab", "/", " ", 1])
def test_a_hotkey_is_one_lower_case_letter_or_digit(schema, key):
    schema["stances"][0]["key"] = key
    assert "is not a hotkey" in schema_problems(schema)["stances[0].key"]


@pytest.mark.parametrize("colour", ["red", "teal", "#abc", "#A0B1C2", "", None])
def test_named_and_hex_colours_are_allowed(schema, colour):
    schema["stances"][0]["colour"] = colour
    assert schema_problems(schema) == {}


@pytest.mark.parametrize("colour", ["blurple", "#abcd", "rgb(0,0,0)", "red; background: url(x)", 3])
def test_other_colours_are_refused(schema, colour):
    schema["stances"][0]["colour"] = colour
    assert "is not a colour" in schema_problems(schema)["stances[0].colour"]


@pytest.mark.parametrize("label", ["", "   ", None, 5])
def test_a_label_cannot_be_empty(schema, label):
    schema["perspectives"][2]["label"] = label
    assert schema_problems(schema) == {"perspectives[2].label": "Give a label."}


@pytest.mark.parametrize("value", ["Chinese", "chinese view", "chinese__x", "_x", "x-", "", None, "中国"])
def test_a_value_must_be_a_slug(schema, value):
    schema["stances"][2]["value"] = value
    assert "is not a value" in schema_problems(schema)["stances[2].value"]


def test_a_value_fits_its_database_column(schema):
    schema["stances"][2]["value"] = "x" * 21
    assert schema_problems(schema) == {"stances[2].value": f'"{"x" * 21}" is longer than 20 characters.'}


def test_an_unknown_item_field_is_refused(schema):
    schema["stances"][0]["colour_name"] = "red"
    assert list(schema_problems(schema)) == ["stances[0].colour_name"]


def test_an_unknown_part_of_the_schema_is_refused(schema):
    schema["stance"] = []
    assert list(schema_problems(schema)) == ["stance"]


def test_attributions_are_exactly_the_three_claims_store(schema):
    schema["attributions"].pop()
    assert "attributions" in schema_problems(schema)


def test_speaker_kinds_come_from_the_known_kinds(schema):
    schema["speaker_kinds"].append({"value": "robot", "label": "Robot"})
    assert list(schema_problems(schema)) == ["speaker_kinds[5].value"]


def test_an_affiliation_names_a_known_perspective(schema):
    schema["affiliations"][0]["perspective"] = "martian"
    assert schema_problems(schema) == {
        "affiliations[0].perspective": '"martian" is not one of the perspectives.'
    }


def test_targets_are_distinct_and_the_default_is_one_of_them(schema):
    schema["targets"].append(schema["targets"][0])
    schema["default_target"] = "elsewhere"
    assert schema_problems(schema) == {
        "targets[3]": f'"{schema["targets"][0]}" is already a target.',
        "default_target": "Choose the default target among the targets.",
    }
