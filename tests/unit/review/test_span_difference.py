"""Which characters two versions of one claim share, and which only one of them covers, edge by edge."""

from annotator.review.compare import SpanDifference, SpanExtra, span_difference, span_extras

TEXT = "Blinken said the treaty threatens regional stability, according to officials."


def span(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def words(pieces) -> list[str]:
    return [TEXT[start:end] for start, end in pieces]


def test_identical_spans_share_everything_and_have_no_extra_characters():
    claim = span("the treaty threatens")
    assert span_difference(claim, claim) == SpanDifference(shared=claim, only_a=(), only_b=())


def test_a_span_inside_the_other_leaves_the_outer_one_extra_characters_at_both_edges():
    inner, outer = span("treaty threatens"), span("the treaty threatens regional")
    difference = span_difference(inner, outer)
    assert difference.shared == inner
    assert difference.only_a == ()
    assert words(difference.only_b) == ["the ", " regional"]
    assert span_difference(outer, inner) == SpanDifference(inner, difference.only_b, ())


def test_nested_spans_sharing_one_edge_differ_at_the_other_edge_only():
    short, long = span("the treaty"), span("the treaty threatens regional stability")
    difference = span_difference(short, long)
    assert words([difference.shared]) == ["the treaty"]
    assert difference.only_a == ()
    assert words(difference.only_b) == [" threatens regional stability"]


def test_overlapping_spans_each_have_the_words_at_their_own_edge():
    a, b = span("Blinken said the treaty"), span("the treaty threatens")
    difference = span_difference(a, b)
    assert words([difference.shared]) == ["the treaty"]
    assert words(difference.only_a) == ["Blinken said "]
    assert words(difference.only_b) == [" threatens"]


def test_disjoint_spans_share_nothing():
    a, b = span("Blinken said"), span("regional stability")
    assert span_difference(a, b) == SpanDifference(shared=None, only_a=(a,), only_b=(b,))


def test_touching_spans_share_nothing_and_an_empty_span_has_no_extra_characters():
    a, b = span("Blinken said"), span(" the treaty")
    assert span_difference(a, b) == SpanDifference(None, (a,), (b,))
    assert span_difference((5, 5), b) == SpanDifference(None, (), (b,))


def test_offsets_count_code_points_so_an_astral_character_is_one_character():
    text = "Officials 🇺🇸 said 𝒜 treaty threatens 😀 stability"
    a = (text.index("said"), text.index(" stability"))  # "said 𝒜 treaty threatens 😀"
    b = (text.index("𝒜"), text.index(" threatens"))  # "𝒜 treaty"
    difference = span_difference(a, b)
    assert [text[s:e] for s, e in difference.only_a] == ["said ", " threatens 😀"]
    assert text[slice(*difference.shared)] == "𝒜 treaty"
    assert difference.only_b == ()
    assert len(text[slice(*difference.only_a[1])]) == 12  # 😀 is one code point, two UTF-16 units


def test_with_two_versions_each_extra_piece_is_missing_from_the_other():
    extras = span_extras({1: span("Blinken said the treaty"), 2: span("the treaty threatens")})
    assert extras == {
        1: [SpanExtra(*span("Blinken said "), missing_from=(2,))],
        2: [SpanExtra(*span(" threatens"), missing_from=(1,))],
    }


def test_with_three_versions_a_piece_names_every_version_that_lacks_it():
    extras = span_extras(
        {
            1: span("the treaty"),
            2: span("the treaty threatens"),
            3: span("the treaty threatens regional stability"),
        }
    )
    assert extras[1] == []
    assert extras[2] == [SpanExtra(*span(" threatens"), missing_from=(1,))]
    assert extras[3] == [
        SpanExtra(*span(" threatens"), missing_from=(1,)),
        SpanExtra(*span(" regional stability"), missing_from=(1, 2)),
    ]


def test_versions_that_agree_have_no_extra_characters():
    claim = span("the treaty threatens")
    assert span_extras({1: claim, 2: claim}) == {1: [], 2: []}
