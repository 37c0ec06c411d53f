"""k-overlap distribution of passages to annotators (pure: ids in, pairs out)."""

import heapq
from collections.abc import Iterable, Sequence


def distribute(
    passage_ids: Sequence[int],
    annotator_ids: Sequence[int],
    existing: Iterable[tuple[int, int]],
    overlap: int,
) -> list[tuple[int, int]]:
    """New (passage_id, annotator_id) pairs so each passage reaches `overlap` annotators.

    Existing pairs are kept; the least-loaded annotators are picked first (ties by id), so loads stay
    balanced to within one passage. Passages that already have enough annotators get none, so running
    this again adds nothing. With fewer annotators than `overlap`, each passage gets all of them.
    """
    assigned: dict[int, set[int]] = {}
    load = dict.fromkeys(annotator_ids, 0)
    for passage_id, annotator_id in existing:
        assigned.setdefault(passage_id, set()).add(annotator_id)
        if annotator_id in load:
            load[annotator_id] += 1
    heap = [(count, annotator_id) for annotator_id, count in load.items()]
    heapq.heapify(heap)
    new_pairs = []
    for passage_id in passage_ids:
        have = assigned.get(passage_id, set())
        wanted = overlap - len(have)
        held_back = []
        while wanted > 0 and heap:
            count, annotator_id = heapq.heappop(heap)
            if annotator_id in have:
                held_back.append((count, annotator_id))
                continue
            new_pairs.append((passage_id, annotator_id))
            held_back.append((count + 1, annotator_id))
            wanted -= 1
        for item in held_back:
            heapq.heappush(heap, item)
    return new_pairs
