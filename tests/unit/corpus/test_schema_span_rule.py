"""The schema's optional span rule: validated field by field, every switch on unless turned off."""

import copy

import pytest

from annotator.corpus.schema import load_default_schema, schema_problems, span_rule_of
from annotator.corpus.schema_changes import diff


@pytest.fixture
def schema() -> dict:
    return copy.deepcopy(load_default_schema())


def test_a_schema_without_a_span_rule_gets_every_switch_on(schema):
    schema.pop("span_rule", None)
    assert schema_problems(schema) == {}
    assert span_rule_of(schema) == {"trim_spaces": True, "trim_quotes": True, "trim_final_punctuation": True}


def test_a_switch_left_out_is_on(schema):
    schema["span_rule"] = {"trim_final_punctuation": False}
    assert schema_problems(schema) == {}
    assert span_rule_of(schema) == {"trim_spaces": True, "trim_quotes": True, "trim_final_punctuation": False}


def test_a_span_rule_that_is_not_an_object_is_refused(schema):
    schema["span_rule"] = ["trim_quotes"]
    assert list(schema_problems(schema)) == ["span_rule"]


def test_unknown_switches_and_non_booleans_are_named(schema):
    schema["span_rule"] = {"trim_brackets": True, "trim_quotes": "yes"}
    problems = schema_problems(schema)
    assert set(problems) == {"span_rule.trim_brackets", "span_rule.trim_quotes"}
    assert "true or false" in problems["span_rule.trim_quotes"]


def test_turning_a_switch_off_is_listed_as_a_change(schema):
    changed = copy.deepcopy(schema) | {"span_rule": {"trim_quotes": False}}
    assert diff(schema, changed) == ["span rule: trim_quotes off"]
