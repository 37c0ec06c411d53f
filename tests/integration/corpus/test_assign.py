import pytest
from django.core.management import call_command

from annotator.labeling.assignment_services import assignments_distribute
from annotator.labeling.models import Assignment

pytestmark = pytest.mark.django_db


def test_assign_command_is_idempotent_and_covers_every_passage(project, members, seeded, capsys):
    call_command("assign", "--project", project.slug)
    assert "189 new assignments" in capsys.readouterr().out
    assert assignments_distribute(project=project) == 0
    per_annotator = Assignment.objects.values_list("annotator__username", flat=True)
    assert sorted(set(per_annotator)) == ["ann1", "ann2", "ann3"]
    assert Assignment.objects.count() == 63 * 3
