"""Projects and their members.

Members list and read their projects; a user with Django's `corpus.add_project` permission creates one and
becomes its manager; the project's managers change its settings and its members. A project the caller may
not manage answers 404 like one they cannot see. The label schema is read-only here (edited in api/schema.py).
"""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from annotator import limits
from annotator.corpus.guidelines import render_guidelines
from annotator.corpus.models import Membership, Project, Role
from annotator.corpus.project_selectors import can_create_projects, members_with_work
from annotator.corpus.project_services import (
    account_create_with_link,
    member_add,
    member_remove,
    member_role_set,
    project_create_by,
    project_update,
)
from annotator.corpus.selectors import projects_for_user, roles_by_project
from api.permissions import project_or_404

MANAGERS = frozenset({Role.MANAGER})


class ProjectSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField(help_text="The caller's role in the project.")
    guidelines_html = serializers.SerializerMethodField(help_text="The guidelines rendered and sanitised.")

    class Meta:
        model = Project
        fields = [
            "id", "name", "slug", "overlap", "blind", "suggestions", "guidelines", "guidelines_html",
            "guidelines_updated_at", "schema", "schema_version", "created_at", "role",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Role.choices, allow_null=True))
    def get_role(self, project: Project) -> str | None:
        return self.context["roles"].get(project.pk)

    def get_guidelines_html(self, project: Project) -> str:
        return render_guidelines(project.guidelines)


class ProjectWriteSerializer(serializers.Serializer):
    """What POST takes (name required; an empty slug is made from the name) and PATCH changes."""

    name = serializers.CharField(max_length=limits.PROJECT_NAME)
    slug = serializers.CharField(max_length=80, required=False, allow_blank=True)
    overlap = serializers.IntegerField(required=False, help_text="Annotators per passage, 1 to 50.")
    blind = serializers.BooleanField(required=False, help_text="Annotators see only their own work.")
    suggestions = serializers.BooleanField(
        required=False, help_text="The editor shows the detector's suggested quotes and speakers (default)."
    )
    guidelines = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=limits.GUIDELINES
    )


class MemberSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.CharField(source="user.email", read_only=True)
    assigned = serializers.IntegerField(read_only=True, help_text="Assignments in this project.")
    submitted = serializers.IntegerField(read_only=True)
    claims = serializers.IntegerField(read_only=True)

    class Meta:
        model = Membership
        fields = [
            "user",
            "username",
            "email",
            "role",
            "guidelines_read_at",
            "assigned",
            "submitted",
            "claims",
        ]
        read_only_fields = fields


class MemberAddSerializer(serializers.Serializer):
    user = serializers.CharField(max_length=254, help_text="Username or e-mail of an existing account.")
    role = serializers.ChoiceField(choices=Role.choices)


class MemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class AccountCreateSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=limits.USERNAME)
    email = serializers.EmailField(required=False, allow_blank=True)
    role = serializers.ChoiceField(choices=Role.choices)


class NewAccountSerializer(serializers.Serializer):
    member = MemberSerializer()
    set_password_url = serializers.URLField(help_text="Sets the new account's password; works once.")


USER_ID = OpenApiParameter(
    "user_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The member's user id."
)


class ProjectViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Projects the user is a member of; create (with `corpus.add_project`), settings and members."""

    serializer_class = ProjectSerializer

    def get_queryset(self) -> QuerySet[Project]:
        return projects_for_user(user=self.request.user).order_by("name")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "roles": roles_by_project(user=self.request.user)}

    def _project_managed(self) -> Project:
        return project_or_404(self.request, self.kwargs["pk"], roles=MANAGERS)

    @extend_schema(request=ProjectWriteSerializer, responses={201: ProjectSerializer})
    def create(self, request: Request) -> Response:
        if not can_create_projects(user=request.user):
            raise PermissionDenied("You may not create projects.")
        form = ProjectWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        project = project_create_by(user=request.user, **form.validated_data)
        return Response(self.get_serializer(project).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProjectWriteSerializer, responses=ProjectSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        project = self._project_managed()
        form = ProjectWriteSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        project_update(project=project, **form.validated_data)
        return Response(self.get_serializer(project).data)

    def _member_with_work(self, project: Project, user_id: int) -> Membership:
        return members_with_work(project=project).get(user_id=user_id)

    def _member_or_404(self, project: Project, user_id: str) -> Membership:
        return get_object_or_404(project.memberships.select_related("user"), user_id=int(user_id))

    @extend_schema(request=None, responses=MemberSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="members", pagination_class=None)
    def members(self, request: Request, pk: str) -> Response:
        """The members with the work they have done here (managers only)."""
        project = self._project_managed()
        return Response(MemberSerializer(members_with_work(project=project), many=True).data)

    @extend_schema(request=MemberAddSerializer, responses={201: MemberSerializer})
    @members.mapping.post
    def member_add(self, request: Request, pk: str) -> Response:
        """Add an existing account by username or e-mail with a role."""
        project = self._project_managed()
        form = MemberAddSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        membership = member_add(
            project=project, identifier=form.validated_data["user"], role=form.validated_data["role"]
        )
        body = MemberSerializer(self._member_with_work(project, membership.user_id)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=MemberRoleSerializer, responses=MemberSerializer, parameters=[USER_ID])
    @action(detail=True, methods=["patch"], url_path=r"members/(?P<user_id>[0-9]+)")
    def member(self, request: Request, pk: str, user_id: str) -> Response:
        """Change a member's role; demoting the last manager is a 400."""
        project = self._project_managed()
        form = MemberRoleSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        membership = self._member_or_404(project, user_id)
        member_role_set(membership=membership, role=form.validated_data["role"])
        return Response(MemberSerializer(self._member_with_work(project, membership.user_id)).data)

    @extend_schema(request=None, responses={204: None}, parameters=[USER_ID])
    @member.mapping.delete
    def member_remove(self, request: Request, pk: str, user_id: str) -> Response:
        """End a membership; the person's assignments and claims stay, attributed to them."""
        project = self._project_managed()
        member_remove(membership=self._member_or_404(project, user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=AccountCreateSerializer, responses={201: NewAccountSerializer})
    @action(detail=True, methods=["post"], url_path="accounts")
    def account_create(self, request: Request, pk: str) -> Response:
        """Create an account made a member, with a one-time set-password link (no e-mail is sent)."""
        project = self._project_managed()
        form = AccountCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        account = account_create_with_link(project=project, **form.validated_data)
        body = {
            "member": MemberSerializer(self._member_with_work(project, account.membership.user_id)).data,
            "set_password_url": request.build_absolute_uri(account.set_password_path),
        }
        return Response(body, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})


def register(router: DefaultRouter) -> None:
    router.register("projects", ProjectViewSet, basename="project")
