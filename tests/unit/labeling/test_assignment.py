from collections import Counter

from annotator.labeling.assignment import distribute


def test_each_passage_gets_exactly_overlap_distinct_annotators_balanced():
    pairs = distribute(list(range(100)), [1, 2, 3, 4, 5], [], overlap=3)
    per_passage = Counter(p for p, _ in pairs)
    assert set(per_passage.values()) == {3}
    assert len(set(pairs)) == len(pairs)
    loads = Counter(a for _, a in pairs).values()
    assert max(loads) - min(loads) <= 1


def test_running_again_adds_nothing():
    first = distribute([1, 2, 3], [10, 11, 12], [], overlap=2)
    assert distribute([1, 2, 3], [10, 11, 12], first, overlap=2) == []


def test_new_passages_and_annotators_get_only_what_is_new():
    first = distribute([1, 2], [10, 11], [], overlap=2)
    more = distribute([1, 2, 3, 4], [10, 11, 12], first, overlap=2)
    assert {p for p, _ in more} == {3, 4}
    assert Counter(a for _, a in more)[12] == 2, "the newcomer, least loaded, takes the new work first"


def test_fewer_annotators_than_overlap_assigns_everyone():
    assert sorted(distribute([1], [10, 11], [], overlap=3)) == [(1, 10), (1, 11)]


def test_no_annotators_or_no_passages_gives_nothing():
    assert distribute([1, 2], [], [], overlap=3) == []
    assert distribute([], [1, 2], [], overlap=3) == []
