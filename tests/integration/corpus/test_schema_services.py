"""Schema saves, renames, merges and deletes against PostgreSQL: the uses move in the same transaction."""

import copy
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from annotator.corpus.models import Project, SchemaVersion, Speaker
from annotator.corpus.schema_selectors import schema_usage
from annotator.corpus.schema_services import (
    schema_update,
    schema_value_delete,
    schema_value_merge,
    schema_value_rename,
)
from annotator.errors import Conflict
from annotator.labeling.models import Claim
from annotator.review.models import Adjudication, GoldClaim
from tests.integration.exports.conftest import annotate_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def annotated(project, members, seeded):
    return annotate_project(project, members)


def fresh(project: Project) -> Project:
    return Project.objects.get(pk=project.pk)


def perspectives_of_claims(project: Project) -> dict[int, str]:
    return dict(
        Claim.objects.filter(assignment__passage__document__project=project).values_list("id", "perspective")
    )


def test_rename_moves_claims_and_gold_claims_and_bumps_their_versions(annotated, members):
    project = annotated.project
    chinese = list(Claim.objects.filter(perspective="chinese").values_list("id", "version"))
    adjudication_version = Adjudication.objects.get().version
    assert chinese and GoldClaim.objects.filter(perspective="chinese").exists()

    saved = schema_value_rename(
        project=project,
        field="perspectives",
        old="chinese",
        new="prc",
        label="PRC",
        changed_by=members["man"],
    )

    assert saved.version == 2 and fresh(project).schema_version == 2
    assert saved.changes[:2] == [
        'perspectives: renamed "chinese" to "prc"',
        'perspectives "prc": label "Chinese" → "PRC"',
    ]
    assert saved.changed_by == members["man"]
    assert not Claim.objects.filter(perspective="chinese").exists()
    for claim_id, version in chinese:
        claim = Claim.objects.get(pk=claim_id)
        assert (claim.perspective, claim.version) == ("prc", version + 1)
    assert set(GoldClaim.objects.values_list("perspective", flat=True)) == {"prc"}
    assert Adjudication.objects.get().version == adjudication_version + 1
    affiliations = {a["value"]: a.get("perspective") for a in fresh(project).schema["affiliations"]}
    assert affiliations["cn_gov"] == "prc"  # affiliations follow the renamed perspective


def test_merge_moves_every_use_into_the_target_and_removes_the_source(annotated, members):
    project = annotated.project
    russian = Claim.objects.filter(perspective="russian").count()
    chinese = Claim.objects.filter(perspective="chinese").count()
    assert russian

    saved = schema_value_merge(
        project=project, field="perspectives", source="russian", target="chinese", changed_by=members["man"]
    )

    assert 'perspectives: merged "russian" into "chinese"' in saved.changes
    assert Claim.objects.filter(perspective="chinese").count() == chinese + russian
    assert "russian" not in {p["value"] for p in fresh(project).schema["perspectives"]}


def test_merging_speaker_affiliations_moves_the_speakers(annotated, members):
    project = annotated.project
    schema_value_merge(
        project=project, field="affiliations", source="cn_scholar", target="cn_gov", changed_by=members["man"]
    )
    assert Speaker.objects.get(pk=annotated.speaker.pk).affiliation == "cn_gov"


def test_deleting_a_value_in_use_is_refused_with_its_count(annotated, members):
    project = annotated.project
    count = Claim.objects.filter(perspective="russian").count()
    with pytest.raises(ValidationError) as error:
        schema_value_delete(project=project, field="perspectives", value="russian", changed_by=members["man"])
    assert f'"russian" is used by {count} claims' in error.value.message_dict["perspectives"][0]
    assert fresh(project).schema_version == 1 and SchemaVersion.objects.filter(project=project).count() == 1


def test_deleting_an_unused_value_writes_a_version(annotated, members):
    saved = schema_value_delete(
        project=annotated.project, field="speaker_kinds", value="unnamed_group", changed_by=members["man"]
    )
    assert saved.changes == ['speaker_kinds: removed "unnamed_group" (Unnamed group)']
    assert "unnamed_group" not in {kind["value"] for kind in fresh(annotated.project).schema["speaker_kinds"]}


def test_deleting_a_perspective_an_affiliation_names_is_refused(project, members):
    with pytest.raises(ValidationError) as error:
        schema_value_delete(project=project, field="perspectives", value="russian", changed_by=members["man"])
    assert error.value.message_dict == {
        "affiliations[5].perspective": ['"russian" is not one of the perspectives.']
    }


def test_a_save_that_drops_a_value_in_use_is_refused_naming_value_and_count(annotated, members):
    project = annotated.project
    schema = copy.deepcopy(project.schema)
    schema["stances"] = [s for s in schema["stances"] if s["value"] != "favor"]
    count = Claim.objects.filter(stance="favor").count()
    with pytest.raises(ValidationError) as error:
        schema_update(project=project, schema=schema, changed_by=members["man"])
    assert error.value.message_dict["stances"] == [
        f'"favor" is used by {count} claims: rename it or merge it into another value.'
    ]


def test_a_failed_move_writes_nothing(annotated, members):
    project = annotated.project
    before = perspectives_of_claims(project)
    with (
        mock.patch("annotator.corpus.schema_services.SchemaVersion.objects.create", side_effect=RuntimeError),
        pytest.raises(RuntimeError),
    ):
        schema_value_rename(
            project=project, field="perspectives", old="chinese", new="prc", changed_by=members["man"]
        )
    assert perspectives_of_claims(project) == before
    assert fresh(project).schema_version == 1
    assert GoldClaim.objects.filter(perspective="chinese").exists()


def test_saving_over_a_newer_version_is_a_conflict(annotated, members):
    project = annotated.project
    stale = fresh(project)
    schema = copy.deepcopy(project.schema)
    schema["stances"][0]["label"] = "For"
    schema_update(project=project, schema=schema, changed_by=members["man"], version=1)
    with pytest.raises(Conflict):
        schema_value_rename(project=stale, field="stances", old="favor", new="pro", changed_by=members["man"])
    assert Claim.objects.filter(stance="favor").exists()


def test_a_save_without_changes_writes_no_version(project, members):
    assert (
        schema_update(project=project, schema=copy.deepcopy(project.schema), changed_by=members["man"])
        is None
    )
    assert SchemaVersion.objects.filter(project=project).count() == 1


def test_a_plain_save_records_human_changes(project, members):
    schema = copy.deepcopy(project.schema)
    schema["stances"].append({"value": "mixed", "label": "Mixed", "key": "x", "colour": "teal"})
    schema["perspectives"][0]["label"] = "Western"
    saved = schema_update(project=project, schema=schema, changed_by=members["man"])
    assert saved.changes == [
        'perspectives "us_western": label "US / Western" → "Western"',
        'stances: added "mixed" (Mixed)',
    ]
    assert SchemaVersion.objects.get(project=project, version=2).schema == schema


def test_an_invalid_schema_is_refused_with_field_names(project, members):
    schema = copy.deepcopy(project.schema)
    schema["stances"][1]["key"] = "f"
    with pytest.raises(ValidationError) as error:
        schema_update(project=project, schema=schema, changed_by=members["man"])
    assert error.value.message_dict == {"stances[1].key": ['"f" is already the hotkey of "favor".']}


def test_renaming_onto_an_existing_value_asks_for_a_merge(project, members):
    with pytest.raises(ValidationError) as error:
        schema_value_rename(
            project=project, field="stances", old="favor", new="against", changed_by=members["man"]
        )
    assert "merge" in error.value.message_dict["new"][0]


def test_usage_counts_claims_gold_claims_and_speakers(annotated):
    usage = schema_usage(project=annotated.project)
    assert usage["perspectives"]["chinese"].claims == Claim.objects.filter(perspective="chinese").count()
    assert usage["perspectives"]["chinese"].gold_claims == 1
    assert usage["affiliations"]["cn_scholar"].speakers == 1
