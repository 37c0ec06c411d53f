"""Placing document-wide suggestions onto passages: offsets moved exactly, split at passage edges."""

from annotator.suggestions.detect import Suggestion, detect
from annotator.suggestions.placing import PassageSpan, place

TEXT = "Title\n“A quote in the first body line,” he said.\nCredit: AP\nShe said the second line matters.\n"


def passages() -> list[PassageSpan]:
    first = TEXT.index("“A quote")
    second = TEXT.index("She said")
    return [PassageSpan(2, second, TEXT.index("\n", second)), PassageSpan(1, first, TEXT.index("\n", first))]


def test_a_suggestion_inside_a_passage_moves_to_its_offsets_with_its_mention():
    body = passages()[1]
    start = TEXT.index("A quote")
    found = Suggestion(
        start, start + 5, "direct", "Wang", TEXT.index("he said"), TEXT.index("he said") + 2, "w"
    )
    [placed] = place([found], passages(), TEXT)
    assert (placed.passage_id, placed.start, placed.end) == (1, start - body.start, start - body.start + 5)
    line = TEXT[body.start : body.end]
    assert (
        line[placed.start : placed.end] == "A quo" and line[placed.mention_start : placed.mention_end] == "he"
    )
    assert (placed.speaker_name, placed.speaker_key, placed.key) == (
        "Wang",
        "w",
        (1, placed.start, placed.end, "direct"),
    )


def test_suggestions_outside_passages_are_dropped_and_far_mentions_left_out():
    first, second = TEXT.index("A quote"), TEXT.index("the second")
    found = [
        Suggestion(0, 4, "indirect"),  # the title
        Suggestion(TEXT.index("Credit"), TEXT.index("Credit") + 6, "indirect"),  # furniture
        Suggestion(second, second + 10, "indirect", "Wang", first, first + 2),  # mention in another passage
    ]
    [placed] = place(found, passages(), TEXT)
    assert placed.passage_id == 2 and (placed.mention_start, placed.mention_end) == (None, None)
    assert placed.speaker_name == "Wang"


QUOTED = (
    "Talks\n"
    "Xi Jinping said:\n"
    "“China will keep its promises to its neighbours, whatever happens.\n"
    "“We stand ready to deepen cooperation with all parties.”\n"
    "Photo: Reuters\n"
)


def test_a_quotation_over_two_paragraphs_becomes_one_suggestion_in_each_with_the_speaker_in_both():
    lines = [(QUOTED.index(line), QUOTED.index(line) + len(line)) for line in QUOTED.split("\n")[1:4]]
    spans = [PassageSpan(10 + i, start, end) for i, (start, end) in enumerate(lines)]
    found = detect(QUOTED)
    assert [s.attribution for s in found] == ["direct"], "the detector finds one quotation"
    placed = place(found, spans, QUOTED)
    texts = {p.passage_id: QUOTED[lines[p.passage_id - 10][0] :][p.start : p.end] for p in placed}
    assert texts == {
        11: "China will keep its promises to its neighbours, whatever happens",
        12: "We stand ready to deepen cooperation with all parties",
    }
    assert {p.speaker_name for p in placed} == {"Xi Jinping"}
    assert all(p.mention_start is None for p in placed), "the name is in another paragraph"


def test_duplicates_collapse_to_one_per_span_and_attribution():
    at = TEXT.index("A quote")
    found = [
        Suggestion(at, at + 5, "direct", "X"),
        Suggestion(at, at + 5, "direct", "Y"),
        Suggestion(at, at + 5, "indirect"),
    ]
    assert [(p.attribution, p.speaker_name) for p in place(found, passages(), TEXT)] == [
        ("direct", "X"),
        ("indirect", ""),
    ]


def test_the_detectors_own_output_lands_on_the_exact_passage_slices():
    spans = passages()
    for placed in place(detect(TEXT), spans, TEXT):
        passage = next(p for p in spans if p.id == placed.passage_id)
        assert 0 <= placed.start < placed.end <= passage.end - passage.start
    assert place([], spans, TEXT) == [] and place(detect(TEXT), [], TEXT) == []
