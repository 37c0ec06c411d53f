import pytest

from annotator.labeling.durations import duration_text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "—"), (0, "0 s"), (59.4, "59 s"), (60, "1 min 00 s"), (200, "3 min 20 s"), (7500, "2 h 05 min")],
)
def test_durations_read_in_the_largest_sensible_units(seconds, text):
    assert duration_text(seconds) == text
