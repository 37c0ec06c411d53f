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


# Span edges


def test_closing_quote_after_the_final_stop_goes_with_it():
    text = "Diplomats privately described the new pipeline deal as a “costly gamble.”"
    s = only(text)
    assert content(text, s) == "the new pipeline deal as a “costly gamble"


def test_closing_quote_of_a_fragment_before_the_stop_stays():
    text = (
        "Maria Lopez said that the two ports were “sister cities”, and that trade would grow “for decades”."
    )
    s = only(text)
    assert content(text, s).endswith("would grow “for decades”")


def test_a_sentence_ends_with_the_stop_inside_a_closing_quote():
    text = (
        "Ministers described the accord as meeting “the shared wish for calm waters.” "
        "Fishermen in the bay mostly ignored the ceremony."
    )
    s = only(text)
    assert content(text, s) == "the accord as meeting “the shared wish for calm waters"


def test_a_trailing_source_is_not_part_of_the_claim():
    text = "Lin Jian said that the border talks had gone well, based on a transcript from the ministry."
    assert content(text, only(text)) == "the border talks had gone well"


def test_a_leading_connective_is_not_part_of_a_postposed_claim():
    text = "However, the new railway will open late, Maria Lopez said."
    assert content(text, only(text)) == "the new railway will open late"


# Speakers named by a common noun


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            "Several European economists argued that the tariffs would backfire.",
            "Several European economists",
        ),
        ("Officials in Manila believe the shipping lane will stay open all year.", "Officials in Manila"),
        ("Moreover, many in Brazil think the harvest will break records.", "many in Brazil"),
        ("A Spanish commentary noted that the fleet had never sailed so far.", "A Spanish commentary"),
        ("Reports have indicated that the factory is running double shifts.", "Reports"),
    ],
)
def test_groups_and_publications_are_speakers(text, speaker):
    s = only(text)
    assert (s.attribution, s.speaker) == ("indirect", speaker)


def test_postposed_cue_with_a_lower_case_group():
    text = "The harbour deal may lift freight prices across the region, analysts have opined."
    s = only(text)
    assert content(text, s) == "The harbour deal may lift freight prices across the region"
    assert s.speaker == "analysts"


def test_state_media_with_its_role_words_is_one_mention():
    text = "The state-run Tass news agency hailed the launch as a turning point for the programme."
    s = only(text)
    assert content(text, s) == "the launch as a turning point for the programme"
    assert s.speaker == "The state-run Tass news agency"


def test_a_relative_who_after_a_name_is_not_part_of_the_mention():
    text = (
        "The reply came from Deputy Minister Ana Ruiz, who said in a letter: “We accept the terms in full.”"
    )
    s = only(text)
    assert s.speaker == "Ana Ruiz"


# Cue verbs and phrases


@pytest.mark.parametrize(
    "cue",
    ["highlighted", "indicated", "opined", "expressed the view", "has pointed out", "expressed their hope"],
)
def test_more_cue_verbs_and_phrases_with_that(cue):
    text = f"Kurt Campbell {cue} that the harbour would reopen in spring."
    s = only(text)
    assert content(text, s) == "the harbour would reopen in spring"


def test_continued_after_a_quote_names_the_speaker():
    text = "“The fleet needs new engines before winter comes,” Okafor continued."
    assert only(text).speaker == "Okafor"


def test_highlighted_that_before_a_quote_names_the_speaker():
    text = "A Dutch editorial highlighted that “the dykes have never been this strong.”"
    s = only(text)
    assert (s.attribution, s.speaker) == ("direct", "A Dutch editorial")


def test_a_role_between_the_quote_and_the_name():
    text = "“We will not sign under pressure,” Canada’s chief negotiator Ellen Park said on Monday."
    assert only(text).speaker == "Ellen Park"


# "as" verbs and adjectives of belief


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mayor Ruiz described the barrier as a triumph of engineering.",
            "the barrier as a triumph of engineering",
        ),
        ("Brussels sees the new tariff as a breach of the deal.", "the new tariff as a breach of the deal"),
        (
            "Economists approvingly called the budget a sober plan as wages rose.",
            "the budget a sober plan as wages rose",
        ),
    ],
)
def test_as_verbs_give_the_object_and_its_complement(text, expected):
    assert content(text, only(text)) == expected


def test_as_verbs_without_an_object_or_without_as_are_not_cues():
    assert detect("The mayor was hailed as a hero by the crowd outside.") == []
    assert detect("Mayor Ruiz described the flood barrier in great detail to the visitors.") == []


def test_a_short_quote_after_hailed_as_keeps_its_speaker():
    text = "The prize went to Olsen, whom Okafor had earlier hailed as “a true pioneer.”"
    s = only(text)
    assert (content(text, s), s.speaker) == ("a true pioneer", "Okafor")


def test_adjective_of_belief_with_that():
    text = "There are many engineers who are convinced that the bridge will need new cables soon."
    s = only(text)
    assert content(text, s) == "the bridge will need new cables soon"
    assert s.speaker == "many engineers" or s.speaker is None  # an unlisted noun is no source
    assert detect("The engineers were worried about the cables.") == []


def test_adjective_of_belief_after_a_group():
    text = "Quite a few scholars are apprehensive that the canal will silt up again."
    s = only(text)
    assert (content(text, s), s.speaker) == ("the canal will silt up again", "Quite a few scholars")


# Cue phrases before the clause, passives, parenthetical cues


@pytest.mark.parametrize(
    ("text", "expected", "speaker"),
    [
        (
            "As noted in a Kenyan newspaper, the dam is behind schedule.",
            "the dam is behind schedule",
            "a Kenyan newspaper",
        ),
        (
            "Hence, as the report cited earlier argued, the fund will run dry.",
            "the fund will run dry",
            "report",
        ),
        (
            "The odd thing, as observed in Polish reports, is that nobody objected.",
            "nobody objected",
            "Polish reports",
        ),
    ],
)
def test_as_noted_in_phrases(text, expected, speaker):
    s = only(text)
    assert (content(text, s), s.speaker) == (expected, speaker)


def test_passive_cue_gives_the_complement_and_the_agent():
    text = "The pact is being viewed by many in Chile as a safeguard for the copper trade."
    s = only(text)
    assert (content(text, s), s.speaker) == ("a safeguard for the copper trade", "many in Chile")


def test_parenthetical_cue_gives_the_whole_sentence():
    text = "Rather, the two mayors, Okafor said, want a larger share of the port fees."
    s = only(text)
    assert content(text, s) == "the two mayors, Okafor said, want a larger share of the port fees"
    assert mention(text, s) == "Okafor"


# Words that look like cues but are not


@pytest.mark.parametrize(
    "text",
    [
        "Having said that, there are limits to how far the new ferry can sail.",
        "The Brookings Institution think tank in Washington publishes a yearly survey of ports.",
        "The grant went to schools across EU states, most of whom spend it on books.",
        "The deal could give Lisbon added weight in its talks, the fact that stands out most.",
    ],
)
def test_no_reported_claim(text):
    assert detect(text) == []


def test_said_this_plus_a_noun_is_reported_speech_but_said_this_week_is_not():
    text = "Ellen Park said this plan would cut emissions by half."
    assert content(text, only(text)) == "this plan would cut emissions by half"
    assert detect("Ellen Park said this week in Oslo that talks went well.")[0].start == len(
        "Ellen Park said this week in Oslo that "
    )


def test_the_cue_of_a_quote_is_not_also_reported_speech():
    text = "“Talks will resume in March,” the envoy Ellen Park said, based on notes from the meeting."
    s = only(text)
    assert (s.attribution, s.speaker) == ("direct", "Ellen Park")


def test_a_quoted_phrase_inside_a_reported_clause_is_not_a_claim_of_its_own():
    text = (
        "“The port is ready,” said Okafor. Rather, the crews, Okafor said, are “the best on the coast,” "
        "by far."
    )
    # The second quote has no cue of its own: it lies inside the reported clause and is part of it.
    found = detect(text)
    assert [f.attribution for f in found] == ["direct", "indirect"]


def test_a_speakerless_quoted_phrase_running_on_is_not_suggested():
    assert (
        detect("Praising “the largest harvest in living memory” across the region, farmers celebrated.") == []
    )
