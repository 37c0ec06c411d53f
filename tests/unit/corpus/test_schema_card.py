"""The Hugging Face dataset card names the label schema version it follows."""

from annotator.exports.formats.hf import hf_dataset_files


def card(**extra) -> str:
    return dict(hf_dataset_files([], schema={}, project_name="Summits", **extra))["README.md"]


def test_the_card_names_the_schema_version_when_given():
    assert "The labels follow version 4 of the project's label schema." in card(schema_version=4)


def test_the_card_says_nothing_of_a_version_it_was_not_given():
    assert "version" not in card().split("## Label schema")[1].split("## Agreement")[0]
