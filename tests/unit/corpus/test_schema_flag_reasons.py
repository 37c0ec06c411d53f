"""The schema's optional `flag_reasons`: validated like the other lists, defaults when left out."""

import copy

import pytest

from annotator.corpus.schema import (
    DEFAULT_FLAG_REASONS,
    flag_reasons_of,
    load_default_schema,
    schema_problems,
)


@pytest.fixture
def schema() -> dict:
    return copy.deepcopy(load_default_schema())


def test_the_default_schema_lists_the_default_flag_reasons(schema):
    assert [item["value"] for item in schema["flag_reasons"]] == [r["value"] for r in DEFAULT_FLAG_REASONS]


def test_a_schema_without_flag_reasons_is_valid_and_gets_the_defaults(schema):
    del schema["flag_reasons"]
    assert schema_problems(schema) == {}
    assert [item["value"] for item in flag_reasons_of(schema)] == [
        "unclear",
        "off_topic",
        "bad_segmentation",
        "other",
    ]


def test_a_projects_own_flag_reasons_replace_the_defaults(schema):
    schema["flag_reasons"] = [{"value": "needs_context", "label": "Needs context"}]
    assert schema_problems(schema) == {}
    assert flag_reasons_of(schema) == [{"value": "needs_context", "label": "Needs context"}]


def test_an_empty_list_of_flag_reasons_is_refused(schema):
    schema["flag_reasons"] = []
    assert "flag_reasons" in schema_problems(schema)


@pytest.mark.parametrize("value", ["", "Not a slug", 3])
def test_a_flag_reason_value_must_be_a_slug(schema, value):
    schema["flag_reasons"][1]["value"] = value
    assert "flag_reasons[1].value" in schema_problems(schema)


def test_a_repeated_flag_reason_names_the_first(schema):
    schema["flag_reasons"][2]["value"] = "unclear"
    assert "flag_reasons[0]" in schema_problems(schema)["flag_reasons[2].value"]


def test_a_flag_reason_needs_a_label(schema):
    schema["flag_reasons"][0]["label"] = " "
    assert "flag_reasons[0].label" in schema_problems(schema)
