"""Creating and changing projects through the services and the create_project command."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from annotator.corpus.models import Membership, Project, Role, SchemaVersion
from annotator.corpus.project_services import project_create_by, project_update

pytestmark = pytest.mark.django_db


def test_the_creator_becomes_manager_and_the_slug_comes_from_the_name(make_user):
    alice = make_user("alice")
    project = project_create_by(user=alice, name="Kim–Putin Summits 2024", overlap=2, blind=False)
    assert project.slug == "kimputin-summits-2024"
    assert (project.overlap, project.blind) == (2, False)
    assert Membership.objects.get(project=project).role == Role.MANAGER
    assert SchemaVersion.objects.filter(project=project, version=1).exists()


def test_guidelines_given_at_creation_are_time_stamped(make_user):
    with_text = project_create_by(user=make_user("a"), name="A", guidelines="Read **this**.")
    without = project_create_by(user=make_user("b"), name="B")
    assert with_text.guidelines_updated_at is not None
    assert without.guidelines_updated_at is None


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"name": "", "slug": "x"}, "name"),
        ({"name": "Other", "slug": "summits"}, "slug"),
        ({"name": "Other", "slug": "not a slug!"}, "slug"),
        ({"name": "Other", "overlap": 0}, "overlap"),
        ({"name": "Other", "overlap": 51}, "overlap"),
    ],
)
def test_invalid_settings_are_errors_naming_the_field_and_write_nothing(
    project, make_user, fields, bad_field
):
    with pytest.raises(ValidationError) as caught:
        project_create_by(user=make_user("alice"), **fields)
    assert bad_field in caught.value.message_dict
    assert Project.objects.count() == 1
    assert not Membership.objects.exists()


def test_update_stamps_guidelines_only_when_their_text_changes(project):
    project_update(project=project, guidelines="v1")
    first = project.guidelines_updated_at
    assert first is not None
    project_update(project=project, guidelines="v1", name="Renamed", overlap=5, blind=False)
    project.refresh_from_db()
    assert project.guidelines_updated_at == first
    assert (project.name, project.overlap, project.blind) == ("Renamed", 5, False)
    project_update(project=project, guidelines="v2")
    assert project.guidelines_updated_at > first


def test_a_refused_update_leaves_the_object_and_the_row_as_they_were(project, make_user):
    project_create_by(user=make_user("alice"), name="Other", slug="other")
    with pytest.raises(ValidationError) as caught:
        project_update(project=project, slug="other", name="Changed")
    assert "slug" in caught.value.message_dict
    assert (project.slug, project.name) == ("summits", "Summits")
    project.refresh_from_db()
    assert (project.slug, project.name) == ("summits", "Summits")
    with pytest.raises(ValidationError) as caught:
        project_update(project=project, overlap=99)
    assert "overlap" in caught.value.message_dict


def test_the_command_creates_a_project_with_its_files_and_manager(make_user, tmp_path, capsys):
    make_user("boss")
    guidelines = tmp_path / "guidelines.md"
    guidelines.write_text("# How to annotate\n", encoding="utf-8")
    call_command(
        "create_project", "study", "--name", "Study", "--overlap", "2",
        "--guidelines", str(guidelines), "--manager", "boss",
    )  # fmt: skip
    project = Project.objects.get(slug="study")
    assert project.guidelines == "# How to annotate\n" and project.overlap == 2 and project.blind
    assert project.memberships.get().user.username == "boss"
    assert "Created project 'study'" in capsys.readouterr().out


def test_the_command_takes_a_schema_file(tmp_path):
    from annotator.corpus.schema import load_default_schema

    schema = load_default_schema()
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    call_command("create_project", "study", "--name", "Study", "--schema", str(path))
    assert Project.objects.get(slug="study").schema == schema


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["summits", "--name", "Again"], "slug"),
        (["fresh", "--name", "Fresh", "--overlap", "0"], "overlap"),
        (["fresh", "--name", "Fresh", "--manager", "nobody"], "--manager"),
        (["fresh", "--name", "Fresh", "--schema", "/does/not/exist.json"], "--schema"),
        (["fresh", "--name", "Fresh", "--guidelines", "/does/not/exist.md"], "--guidelines"),
        (["fresh", "--name", ""], "name"),
    ],
)
def test_the_command_reports_what_is_wrong_as_a_command_error(project, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_project", *arguments)
    assert Project.objects.count() == 1


def test_the_command_refuses_a_schema_that_is_not_json_or_not_a_schema(project, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    with pytest.raises(CommandError, match="not JSON"):
        call_command("create_project", "fresh", "--name", "Fresh", "--schema", str(bad))
    bad.write_text('{"perspectives": 3}', encoding="utf-8")
    with pytest.raises(CommandError, match="schema"):
        call_command("create_project", "fresh", "--name", "Fresh", "--schema", str(bad))
