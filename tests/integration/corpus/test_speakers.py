import pytest
from django.core.exceptions import ValidationError

from annotator.corpus.models import Speaker
from annotator.corpus.services import speaker_create

pytestmark = pytest.mark.django_db


def test_speaker_names_are_normalised_and_unique_ignoring_case(project):
    speaker = speaker_create(project=project, name="  Antony   Blinken ", kind="person", affiliation="us_gov")
    assert speaker.name == "Antony Blinken"
    with pytest.raises(ValidationError, match="already the speaker 'Antony Blinken'"):
        speaker_create(project=project, name="antony blinken", kind="person")


def test_an_alias_of_a_merged_speaker_cannot_come_back_as_a_new_speaker(project):
    Speaker.objects.create(
        project=project, name="Antony Blinken", aliases=["Blinken", "U.S. Secretary of State"]
    )
    with pytest.raises(ValidationError, match="already the speaker 'Antony Blinken'"):
        speaker_create(project=project, name="BLINKEN", kind="person")
    assert speaker_create(project=project, name="Blink", kind="person").name == "Blink"


def test_unknown_affiliation_and_empty_name_are_field_errors(project):
    with pytest.raises(ValidationError) as error:
        speaker_create(project=project, name="Wang Junsheng", kind="person", affiliation="martian")
    assert "affiliation" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        speaker_create(project=project, name="   ", kind="person")
    assert "name" in error.value.message_dict
    assert Speaker.objects.count() == 0
