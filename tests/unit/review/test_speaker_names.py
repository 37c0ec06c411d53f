"""Spotting likely duplicate speakers by name, and merging alias lists (pure helpers of curation)."""

from annotator.corpus.speakers import duplicate_groups, merged_aliases


def test_the_three_blinkens_are_one_group_and_unrelated_names_stay_apart():
    names = [
        (1, "Blinken", []),
        (2, "Antony Blinken", []),
        (3, "U.S. Secretary of State Antony Blinken", []),
        (4, "Kurt Campbell", []),
        (5, "Chinese analysts", []),
        (6, "Western analysts", []),
        (7, "Wang Junsheng", []),
    ]
    assert duplicate_groups(names) == [[1, 2, 3]]


def test_aliases_link_names_that_share_no_words():
    names = [
        (1, "KCNA", ["Korean Central News Agency"]),
        (2, "Korean Central News Agency", []),
        (3, "Xinhua", []),
    ]
    assert duplicate_groups(names) == [[1, 2]]


def test_titles_alone_never_make_a_match():
    assert duplicate_groups([(1, "the spokesperson", []), (2, "Foreign Ministry spokesperson", [])]) == []


def test_merged_aliases_keep_first_spelling_drop_repeats_and_the_name_itself():
    assert merged_aliases(
        "Antony Blinken",
        [["Sec. Blinken"], ["blinken", "Blinken "], ["ANTONY  BLINKEN", "Secretary Blinken", "sec. blinken"]],
    ) == ["Sec. Blinken", "blinken", "Secretary Blinken"]
