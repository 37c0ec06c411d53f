"""Gold claims follow the project's span rule, like annotators' claims."""

import pytest

from annotator.review.models import GoldClaim
from annotator.review.services import adjudication_save
from tests.integration.review.builders import ANXIOUS, three_way_disagreement

pytestmark = pytest.mark.django_db


def test_a_gold_claim_sent_with_a_quote_and_a_full_stop_is_saved_without_them(project, members, seeded):
    passage, _ = three_way_disagreement(project)
    start = passage.text.index(ANXIOUS)
    end = passage.text.index(".", start + len(ANXIOUS)) + 1  # through the sentence's full stop
    adjudication_save(
        passage=passage,
        reviewer=members["rev"],
        version=0,
        claims=[{"start": start, "end": end, "attribution": "indirect", "perspective": "us_western",
                 "stance": "against", "target": ""}],
    )  # fmt: skip
    (saved,) = GoldClaim.objects.filter(adjudication__passage=passage)
    assert (saved.start, saved.end) == (start, end - 1)
    assert saved.text == passage.text[start : end - 1] and not saved.text.endswith(".")
