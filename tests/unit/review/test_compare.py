"""Alignment, differences, majority gold and the disagreement score on constructed passages."""

from itertools import count

from annotator.review.compare import (
    BOUNDARY_WEIGHT,
    ClaimLabel,
    align,
    difference_counts,
    disagreement,
    disagreements,
    majority_claim,
    place_gold,
)

TEXT = (
    "Blinken said the treaty threatens regional stability. "
    "Sun Weidong said both states have normal needs for exchanges. "
    "Chinese scholars think the bridge matters most."
)
A, B, C = 1, 2, 3
ANNOTATORS = [A, B, C]
_ids = count(1)


def claim(annotator: int, phrase: str, *, stance: str = "against", trim: int = 0, **fields) -> ClaimLabel:
    """A claim on `phrase` of TEXT; `trim` drops that many words from the end (a boundary difference)."""
    start = TEXT.index(phrase)
    if trim:
        phrase = " ".join(phrase.split()[:-trim])
    values = {
        "attribution": "indirect",
        "perspective": "us_western",
        "target": "rapprochement",
        "speaker_id": 7,
    } | fields
    return ClaimLabel(
        id=next(_ids), annotator_id=annotator, start=start, end=start + len(phrase), stance=stance, **values
    )


THREAT = "the treaty threatens regional stability"
NEEDS = "both states have normal needs for exchanges"
BRIDGE = "the bridge matters most"


def three_claims(annotator: int, **changes) -> list[ClaimLabel]:
    return [
        claim(annotator, THREAT, **changes.get("threat", {})),
        claim(
            annotator, NEEDS, stance="favor", perspective="chinese", speaker_id=8, **changes.get("needs", {})
        ),
        claim(
            annotator,
            BRIDGE,
            stance="neutral",
            attribution="authorial",
            speaker_id=None,
            perspective="chinese",
        ),
    ]


def identical() -> dict[int, list[ClaimLabel]]:
    return {a: three_claims(a) for a in ANNOTATORS}


def missing_claim() -> dict[int, list[ClaimLabel]]:
    claims = identical()
    claims[C] = claims[C][:2]
    return claims


def flipped_stance() -> dict[int, list[ClaimLabel]]:
    claims = identical()
    claims[C] = three_claims(C, threat={"stance": "favor"})
    return claims


def one_word_boundary() -> dict[int, list[ClaimLabel]]:
    claims = identical()
    claims[C] = three_claims(C, threat={"trim": 1})
    return claims


def test_identical_annotations_score_zero_and_show_no_differences():
    claims = identical()
    assert disagreement(claims, ANNOTATORS).score == 0
    rows = align(claims, ANNOTATORS)
    assert len(rows) == 3
    assert all(len(row.cells) == 3 and not row.differences for row in rows)
    assert difference_counts(rows) == {}


def test_missing_claim_and_flipped_stance_rank_above_a_one_word_boundary_difference():
    scores = {
        name: disagreement(build(), ANNOTATORS).score
        for name, build in [
            ("identical", identical),
            ("missing", missing_claim),
            ("stance", flipped_stance),
            ("boundary", one_word_boundary),
        ]
    }
    ranked = sorted(scores, key=scores.get, reverse=True)
    assert ranked[-1] == "identical" and scores["identical"] == 0
    assert ranked[-2] == "boundary" and scores["boundary"] > 0
    assert set(ranked[:2]) == {"missing", "stance"}


def test_the_score_parts_say_what_kind_of_disagreement_it_is():
    missing = disagreement(missing_claim(), ANNOTATORS)
    assert missing.span > 0 and missing.attributes == 0 and missing.boundary == 0
    assert missing.kinds == ("missing",)
    stance = disagreement(flipped_stance(), ANNOTATORS)
    assert stance.span == 0 and stance.boundary == 0 and stance.kinds == ("stance",)
    # two of three annotator pairs disagree on one of five attributes of one of three matched claims
    assert stance.attributes == round((2 * 1 / 5) / 9, 6)
    boundary = disagreement(one_word_boundary(), ANNOTATORS)
    assert boundary.span == 0 and boundary.attributes == 0 and boundary.kinds == ("span",)
    assert boundary.score == round(BOUNDARY_WEIGHT * boundary.boundary, 6)


def test_scoring_many_passages_at_once_gives_each_its_own_score():
    cases = [identical(), missing_claim(), flipped_stance(), one_word_boundary()]
    together = disagreements(dict(enumerate(cases)), dict.fromkeys(range(len(cases)), ANNOTATORS))
    assert together == {i: disagreement(case, ANNOTATORS) for i, case in enumerate(cases)}


def test_an_annotator_who_marked_nothing_disagrees_with_those_who_did():
    claims = identical()
    claims[C] = []
    assert disagreement(claims, ANNOTATORS).span == round(1 - 1 / 3, 6)
    assert disagreement({A: [], B: []}, [A, B]).score == 0


def test_differences_name_the_missing_claim_the_odd_stance_and_the_odd_boundary():
    claims = identical()
    claims[B] = three_claims(B, needs={"trim": 2})
    claims[C] = three_claims(C, threat={"stance": "favor"})[:2]
    rows = align(claims, ANNOTATORS)
    by_start = {min(c.start for c in row.cells.values()): row for row in rows}
    threat, needs, bridge = (by_start[TEXT.index(p)] for p in (THREAT, NEEDS, BRIDGE))
    assert threat.differences == {C: ["stance"]}
    assert needs.differences == {B: ["span"]}
    assert bridge.differences == {C: ["missing"]}
    assert difference_counts(rows) == {"missing": 1, "span": 1, "stance": 1}


def test_without_a_majority_every_differing_value_is_marked():
    claims = {A: [claim(A, THREAT, stance="favor")], B: [claim(B, THREAT, stance="against")]}
    (row,) = align(claims, [A, B])
    assert row.differences == {A: ["stance"], B: ["stance"]}


def test_majority_prefill_takes_claims_most_annotators_marked_with_their_majority_values():
    claims = {
        A: [claim(A, THREAT), claim(A, NEEDS, speaker_id=8), claim(A, BRIDGE)],
        B: [claim(B, THREAT, stance="favor"), claim(B, NEEDS, speaker_id=8, trim=1)],
        C: [claim(C, THREAT, perspective="russian"), claim(C, NEEDS, speaker_id=9)],
    }
    rows = align(claims, ANNOTATORS)
    proposals = [majority_claim(row, len(ANNOTATORS)) for row in rows]
    threat, needs, bridge = proposals
    assert bridge is None  # one annotator of three is no majority
    start = TEXT.index(THREAT)
    assert (threat["start"], threat["end"]) == (start, start + len(THREAT))
    assert threat["stance"] == "against" and threat["perspective"] == "us_western"
    assert threat["source_claim_ids"] == sorted(c.id for c in (claims[A][0], claims[B][0], claims[C][0]))
    start = TEXT.index(NEEDS)
    assert (needs["start"], needs["end"]) == (start, start + len(NEEDS))  # two of three spans agree
    assert needs["speaker_id"] == 8


def test_majority_of_two_annotators_needs_both_and_authorial_claims_lose_their_speaker():
    claims = {
        A: [claim(A, THREAT, attribution="authorial", speaker_id=7)],
        B: [claim(B, THREAT, attribution="authorial", speaker_id=None)],
    }
    (row,) = align(claims, [A, B])
    proposal = majority_claim(row, 2)
    assert proposal["attribution"] == "authorial" and proposal["speaker_id"] is None
    assert majority_claim(align({A: claims[A], B: []}, [A, B])[0], 2) is None


def test_saved_gold_goes_to_the_row_of_its_sources_else_an_overlapping_row_else_a_new_row():
    claims = identical()
    rows = align(claims, ANNOTATORS)
    threat_ids = rows[0].claim_ids
    start = TEXT.index(NEEDS)
    placed = place_gold(
        rows,
        [
            ((TEXT.index(THREAT), TEXT.index(THREAT) + 5), threat_ids[:1]),
            ((start + 3, start + 20), []),
            ((0, 7), []),  # "Blinken": nobody marked it
        ],
    )
    assert placed == [0, 1, 3]
    assert len(rows) == 4 and rows[3].cells == {}
