"""JSON from users with limits: depth, NUL characters and lone surrogates refused; the rest as json.loads."""

import json

import pytest

from annotator import jsonsafe
from annotator.numbers import LARGEST_ID, parse_whole_number


@pytest.mark.parametrize(
    "text",
    ['{"a": [1, 2, {"b": "c"}]}', '"\\ud83d\\ude00"', '"\\\\u0000"', "[" * 64 + "]" * 64, '{"x": "[[[[[["}'],
    ids=["object", "paired-surrogates", "escaped-backslash", "64-levels", "brackets-in-a-string"],
)
def test_ordinary_json_reads_as_json_loads_reads_it(text):
    assert jsonsafe.loads(text) == json.loads(text)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[" * 65 + "]" * 65, "nested deeper than 64"),
        ("[" * 100_000 + "]" * 100_000, "nested deeper than 64"),
        ('{"a": "x\\u0000y"}', "NUL"),
        ('{"a\\u0000": 1}', "NUL"),
        ('["\\ud800"]', "lone surrogate (\\ud800)"),
        ('{"\\udfff": 1}', "lone surrogate (\\udfff)"),
    ],
    ids=["65-levels", "recursion", "nul-in-value", "nul-in-key", "high-surrogate", "low-surrogate-key"],
)
def test_unsafe_json_is_refused_as_a_decode_error(text, problem):
    with pytest.raises(json.JSONDecodeError) as refused:
        jsonsafe.loads(text)
    assert isinstance(refused.value, jsonsafe.UnsafeJSON)
    assert problem in refused.value.msg


def test_raw_decode_applies_the_limits_to_one_element_of_a_stream():
    text = '[{"a": 1}, ' + "[" * 70 + "]" * 70 + "]"
    decoder = json.JSONDecoder()
    first, end = jsonsafe.raw_decode(decoder, text, 1)
    assert first == {"a": 1}
    with pytest.raises(jsonsafe.UnsafeJSON):
        jsonsafe.raw_decode(decoder, text, end + 2)


def test_an_ordinary_record_is_not_walked_so_checks_cost_little(monkeypatch):
    walked = []
    real_walk = jsonsafe._walk
    monkeypatch.setattr(
        jsonsafe, "_walk", lambda value, **options: walked.append(value) or real_walk(value, **options)
    )
    record = json.dumps({"text": "A long article. " * 20_000, "title": "T", "meta": {"tags": ["a", "b"]}})
    assert jsonsafe.loads(record)["title"] == "T"
    assert walked == []  # parsed once, and the text rules out every problem: no walk
    # the same shape with an escape that could hide a NUL is walked, and one that hides it is refused
    assert jsonsafe.loads(record.replace("T", "\\u00e9"))["title"] == "\u00e9" and walked == []
    with pytest.raises(jsonsafe.UnsafeJSON):
        jsonsafe.loads(record.replace("T", "\\u0000"))
    assert len(walked) == 1


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("0", 0),
        ("42", 42),
        (str(LARGEST_ID), LARGEST_ID),
        ("²", None),
        ("٣", None),
        ("1_0", None),
        (" 1", None),
        ("-1", None),
        ("", None),
        (str(LARGEST_ID + 1), None),
        ("1" * 40, None),
    ],
)
def test_whole_numbers_are_ascii_digits_within_bigint(raw, number):
    assert parse_whole_number(raw) == number
