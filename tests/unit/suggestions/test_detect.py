"""The rule-based quote and speaker detector, on constructed sentences."""

import time

import pytest

from annotator.suggestions.detect import Suggestion, detect

KNOWN = {
    "antony blinken": "Antony Blinken",
    "tony blinken": "Antony Blinken",
    "lin jian": "Lin Jian",
    "wang junsheng": "Wang Junsheng",
}


def only(text: str, **kwargs) -> Suggestion:
    found = detect(text, **kwargs)
    assert len(found) == 1, [text[s.start : s.end] for s in found]
    return found[0]


def content(text: str, s: Suggestion) -> str:
    return text[s.start : s.end]


def mention(text: str, s: Suggestion) -> str | None:
    return None if s.mention_start is None else text[s.mention_start : s.mention_end]


def test_direct_quote_with_speaker_before_and_colon():
    text = "Blinken said: “The alliance will hold firm this winter.”"
    s = only(text)
    assert content(text, s) == "The alliance will hold firm this winter"
    assert (s.attribution, s.speaker, mention(text, s)) == ("direct", "Blinken", "Blinken")


def test_direct_quote_with_speaker_after_inverted():
    text = "“Nobody expected the talks to collapse so quickly,” said Antony Blinken."
    s = only(text)
    assert content(text, s) == "Nobody expected the talks to collapse so quickly"
    assert s.speaker == "Antony Blinken"


def test_direct_quote_with_title_before_name_keeps_only_the_name():
    text = "“Our position has not changed at all,” Foreign Ministry spokesperson Lin Jian told reporters."
    s = only(text)
    assert s.speaker == "Lin Jian"


def test_straight_quotes_and_guillemets():
    text = 'Maria Lopez said, "Prices rose again in March."\nPierre Dubois a dit : «Nous ne céderons pas.»'
    texts = [content(text, s) for s in detect(text)]
    assert texts == ["Prices rose again in March", "Nous ne céderons pas"]


def test_nested_quotes_stay_inside_the_outer_quote():
    text = "“They keep calling it a ‘special operation’ and nothing else,” Kurt Campbell said."
    s = only(text)
    assert content(text, s) == "They keep calling it a ‘special operation’ and nothing else"
    assert s.speaker == "Kurt Campbell"


def test_quote_over_several_paragraphs_is_one_span():
    text = (
        "Blinken said:\n“The first point is about trade.\n“The second point is about security.”\nOther news."
    )
    s = only(text)
    assert content(text, s) == "The first point is about trade.\n“The second point is about security"
    assert s.speaker == "Blinken"


def test_abbreviation_dot_is_kept_and_final_punctuation_dropped():
    text = "“The real decision lies with the U.S.,” Wang Junsheng said. “Will they listen?” he asked."
    first, second = detect(text)
    assert content(text, first) == "The real decision lies with the U.S."
    assert content(text, second) == "Will they listen"


@pytest.mark.parametrize(
    "verb",
    [
        "said",
        "says",
        "noted",
        "added",
        "argued",
        "claimed",
        "warned",
        "stressed",
        "explained",
        "wrote",
        "believes",
        "thinks",
        "remarked",
        "posited",
        "suggested",
        "insisted",
        "acknowledged",
    ],
)
def test_each_reporting_verb_with_that(verb):
    text = f"Kurt Campbell {verb} that the sanctions had failed to change the calculus in Moscow."
    s = only(text)
    assert content(text, s) == "the sanctions had failed to change the calculus in Moscow"
    assert (s.attribution, s.speaker) == ("indirect", "Kurt Campbell")


def test_told_someone_that():
    text = "Blinken told his counterpart by telephone that he condemned the new treaty."
    s = only(text)
    assert content(text, s) == "he condemned the new treaty"
    assert s.speaker == "Blinken"


def test_reported_speech_without_that():
    text = "Lin Jian said Beijing would respond firmly to any provocation."
    s = only(text)
    assert content(text, s) == "Beijing would respond firmly to any provocation"
    assert s.speaker == "Lin Jian"


def test_reported_speech_with_a_postposed_cue():
    text = "The treaty changes little for the region, Wang Junsheng said."
    s = only(text)
    assert content(text, s) == "The treaty changes little for the region"
    assert s.speaker == "Wang Junsheng"


def test_description_after_name_is_not_part_of_the_mention():
    text = "Wang Junsheng, a research fellow at a think tank in Beijing, argued that the bridge matters more."
    s = only(text)
    assert content(text, s) == "the bridge matters more"
    assert mention(text, s) == "Wang Junsheng"


def test_organisation_as_speaker():
    text = "The State Department said that the exercises would go ahead as planned."
    s = only(text)
    assert s.speaker == "State Department"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("According to the State Department, the exercises will go ahead.", "the exercises will go ahead"),
        ("The exercises will go ahead, according to the State Department.", "The exercises will go ahead"),
        ("In the view of Lin Jian, the exercises are a provocation.", "the exercises are a provocation"),
    ],
)
def test_according_to_and_in_the_view_of(text, expected):
    s = only(text)
    assert content(text, s) == expected
    assert s.attribution == "indirect"
    assert s.speaker in {"State Department", "Lin Jian"}


def test_pronoun_takes_the_speaker_from_an_earlier_paragraph():
    text = (
        "Kurt Campbell said that China was anxious about the summit.\n"
        "Markets barely moved on the news.\n"
        "“We will keep watching very closely,” he added."
    )
    first, second = detect(text)
    assert second.attribution == "direct"
    assert second.speaker == "Kurt Campbell"
    assert mention(text, second) == "he"


def test_quote_without_a_speaker_has_none():
    text = "A banner at the rally read “Peace is built by neighbours working together.”"
    s = only(text)
    assert (s.speaker, s.mention_start, s.mention_end, s.speaker_key) == (None, None, None, None)


def test_short_scare_quotes_are_not_suggested():
    assert detect("Critics call the pact a “rogue” alliance between two isolated states.") == []


def test_known_speakers_linked_by_alias_and_by_surname():
    text = "Tony Blinken said that the line was open.\n“We talk often,” Blinken added."
    first, second = detect(text, known_speakers=KNOWN)
    assert first.speaker_key == "tony blinken"
    assert second.speaker == "Blinken"
    assert second.speaker_key == "antony blinken"


def test_ambiguous_surname_is_not_linked():
    known = {"john smith": "John Smith", "jane smith": "Jane Smith"}
    s = only("Smith said that the vote was fair.", known_speakers=known)
    assert s.speaker_key is None


def test_offsets_are_code_points_after_an_astral_character():
    text = "🚀 Launch day. Blinken said: “The rocket is ready for the launch.”"
    s = only(text)
    assert s.start == text.index("The rocket")
    assert content(text, s) == "The rocket is ready for the launch"


def test_ten_thousand_words_take_well_under_a_second():
    paragraph = (
        "Kurt Campbell said that China was anxious about the summit. “We see tension here,” he added. "
        "The bridge matters more, according to the State Department.\n"
    )
    text = paragraph * (10_000 // len(paragraph.split()) + 1)
    started = time.perf_counter()
    found = detect(text)
    assert time.perf_counter() - started < 1.0
    assert len(found) >= 3 * (10_000 // len(paragraph.split()))
