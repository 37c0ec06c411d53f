import pytest
from django.contrib.auth.models import Permission


@pytest.fixture
def creator(make_user):
    """A user who holds Django's corpus.add_project permission and no project."""
    user = make_user("creator")
    may_add = Permission.objects.get(codename="add_project", content_type__app_label="corpus")
    user.user_permissions.add(may_add)
    return user
