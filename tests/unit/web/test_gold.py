"""Reading the demo's gold files and placing their claims in the passages the importer makes."""

import json

import pytest

from annotator.labeling.span_rule import normalise_span
from annotator.web.demo.gold import GoldError, gold_place, gold_read

TEXT = "Title\n\nFirst paragraph says “we will win.” Loudly.\n\nSecond paragraph, Wang said it."
PASSAGES = [(7, 50), (52, 83)]  # the two body lines


def gold_json(claims, speakers=None) -> str:
    return json.dumps({
        "document": "a.txt",
        "description": "test",
        "speakers": [{"name": "Wang", "kind": "person", "affiliation": "cn_scholar", "aliases": []}]
        if speakers is None
        else speakers,
        "claims": claims,
    })  # fmt: skip


def claim(snippet: str, **extra):
    start = TEXT.index(snippet)
    return {
        "start": start,
        "end": start + len(snippet),
        "text": snippet,
        "attribution": "direct",
        "speaker": None,
        "mention_start": None,
        "mention_end": None,
        "perspective": "chinese",
        "stance": "favor",
        "target": "Russia–North Korea rapprochement",
        **extra,
    }


def test_claims_move_into_their_passage_with_their_mention():
    mention = TEXT.index("Wang")
    gold = gold_read(
        gold_json(
            [
                claim("we will win"),
                claim("said it", speaker="Wang", mention_start=mention, mention_end=mention + 4),
            ]
        ),  # fmt: skip
        file_name="a.json",
    )
    first, second = gold_place(gold, text=TEXT, passages=PASSAGES)
    passage = TEXT[7:50]
    assert [(c.start, c.end, c.text) for c in first] == [(22, 33, "we will win")]
    assert passage[22:33] == "we will win"
    passage = TEXT[52:83]
    (said,) = second
    assert passage[said.start : said.end] == "said it"
    assert said.speaker == "Wang" and passage[said.mention[0] : said.mention[1]] == "Wang"


def test_a_mention_outside_the_claims_passage_is_dropped():
    mention = TEXT.index("First")
    gold = gold_read(
        gold_json([claim("Wang said it", speaker="Wang", mention_start=mention, mention_end=mention + 5)]),
        file_name="a.json",
    )
    (_, (only,)) = gold_place(gold, text=TEXT, passages=PASSAGES)
    assert only.mention is None and only.speaker == "Wang"


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        (claim("Title"), "not inside one passage"),
        (claim("Loudly.\n\nSecond"), "not inside one passage"),
        ({**claim("we will win"), "text": "we will lose"}, "claims[0].text: the article has 'we will win'"),
        ({**claim("we will win"), "end": 500}, "is not a span of the article text"),
    ],
)
def test_a_claim_that_does_not_fit_the_article_names_file_and_claim(item, problem):
    gold = gold_read(gold_json([item]), file_name="a.json")
    with pytest.raises(GoldError, match="a.json: claims\\[0\\]") as error:
        gold_place(gold, text=TEXT, passages=PASSAGES)
    assert problem in str(error.value)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ("{not json", "a.json: not valid JSON"),
        ("[]", "a.json: expected a JSON object"),
        (json.dumps({"speakers": [], "claims": []}), "a.json: document: name the seed article file"),
        (gold_json([claim("we will win", speaker="Li")]), "claims[0].speaker: 'Li' is not among"),
        (gold_json([{**claim("we will win"), "start": "21"}]), "claims[0].start: expected a whole number"),
        (gold_json([{**claim("we will win"), "stance": None}]), "claims[0].stance: expected a string"),
        (gold_json([claim("we will win", mention_start=3)]), "claims[0].mention_start: give both ends"),
        (
            gold_json([], speakers=[{"name": " "}]),
            "speakers[0]: a speaker is an object with a non-empty name",
        ),
    ],
)
def test_a_malformed_gold_file_is_refused_naming_the_problem(data, problem):
    with pytest.raises(GoldError) as error:
        gold_read(data, file_name="a.json")
    assert problem in str(error.value)


def test_every_gold_file_fits_its_seed_article_and_the_span_rule(gold_files, placed):
    for gold in gold_files:
        passages = placed(gold)
        assert sum(len(claims) for _, claims in passages) == len(gold.claims), gold.file_name
        for text, claims in passages:
            for found in claims:
                assert text[found.start : found.end] == found.text
                # As the reviewer would save it: the span rule leaves a gold claim's edges where they are.
                assert normalise_span(text, found.start, found.end) == (found.start, found.end), found.text
