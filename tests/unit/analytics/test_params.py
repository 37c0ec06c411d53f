"""Query parameters of the who-says-what page and API."""

import pytest

from annotator.analytics.params import ParamError, Scope, parse_claim_filter, parse_scope


def test_defaults_and_a_blank_outlet_meaning_none():
    assert parse_scope({}) == Scope(by="outlet")
    assert parse_scope({"outlet": ["", "Wire"], "document": "4"}) == Scope(
        outlets=("", "Wire"), documents=(4,)
    )


def test_every_bad_parameter_is_named():
    with pytest.raises(ParamError) as caught:
        parse_scope({"by": "speaker", "document": ["x"], "after": "-1"})
    assert set(caught.value.errors) == {"by", "document", "after"}
    with pytest.raises(ParamError) as caught:
        parse_claim_filter({"voice": "loud", "basis": "vote", "after": "12", "document": "y"})
    assert set(caught.value.errors) == {"voice", "basis", "after", "document"}


def test_a_claim_filter_round_trips_through_its_query():
    claim_filter = parse_claim_filter({"outlet": "", "voice": "author", "perspective": "cn", "after": "3-9"})
    assert claim_filter.after == (3, 9)
    assert claim_filter.as_query() == {"outlet": "", "voice": "author", "perspective": "cn"}
    assert parse_claim_filter(claim_filter.as_query()).scope == claim_filter.scope
