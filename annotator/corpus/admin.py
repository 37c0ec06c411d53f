from django import forms
from django.contrib import admin
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from annotator.corpus.models import Document, Membership, Passage, Project, SchemaVersion, Speaker
from annotator.corpus.schema import schema_problems
from annotator.corpus.schema_services import schema_check, schema_update
from annotator.history import services as history
from annotator.history.models import Action, Entity
from annotator.history.snapshots import speaker_snapshot
from annotator.history.states import changed_fields


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class SchemaVersionInline(admin.TabularInline):
    """The schema's history, read-only: versions are written by schema_update only."""

    model = SchemaVersion
    extra = 0
    can_delete = False
    fields = ["version", "changes", "changed_by", "created_at"]
    readonly_fields = fields
    ordering = ["-version"]

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


class ProjectAdminForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = "__all__"  # noqa: DJ007 -- the admin lists every field unless told otherwise; it decides

    def clean_schema(self) -> dict:
        """The schema editor's rules (corpus.schema), and no value dropped while claims still use it."""
        schema = self.cleaned_data["schema"]
        # The instance still holds the stored schema here (the form's values go into it after cleaning).
        if self.instance.pk:
            problems = schema_check(project=self.instance, schema=schema)
        else:
            problems = schema_problems(schema)
        if problems:
            raise forms.ValidationError([f"{field}: {message}" for field, message in problems.items()])
        return schema


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    form = ProjectAdminForm
    list_display = ["name", "slug", "overlap", "blind", "suggestions", "schema_version", "created_at"]
    list_filter = ["blind", "suggestions"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["schema_version"]
    inlines = [MembershipInline, SchemaVersionInline]
    actions = ["distribute_passages"]

    def save_model(self, request, obj: Project, form: ProjectAdminForm, change: bool) -> None:  # noqa: ANN001
        """A changed schema becomes a new SchemaVersion through schema_update, like the editor's."""
        if change and "schema" in form.changed_data:
            edited = obj.schema
            obj.schema = Project.objects.values_list("schema", flat=True).get(pk=obj.pk)
            super().save_model(request, obj, form, change)
            schema_update(project=obj, schema=edited, changed_by=_user(request))
        else:
            super().save_model(request, obj, form, change)
            if not change:
                SchemaVersion.objects.create(
                    project=obj, version=1, schema=obj.schema, changes=["the schema as first set"],
                    changed_by=_user(request),
                )  # fmt: skip

    @admin.action(description="Assign passages to annotators (k-overlap)")
    def distribute_passages(self, request, queryset):
        from annotator.labeling.assignment_services import assignments_distribute

        for project in queryset:
            added = assignments_distribute(project=project)
            self.message_user(request, f"{project}: {added} new assignments.")


def _user(request) -> AbstractBaseUser | None:  # noqa: ANN001
    return request.user if request.user.is_authenticated else None


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role"]
    list_filter = ["role", "project"]
    search_fields = ["user__username", "project__name"]
    autocomplete_fields = ["user", "project"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "source", "published", "created_at"]
    list_filter = ["project", "source"]
    search_fields = ["title", "url", "sha256"]
    readonly_fields = ["sha256", "created_at"]
    list_select_related = ["project"]


@admin.register(Passage)
class PassageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "document", "position", "start", "end"]
    list_filter = ["document__project"]
    search_fields = ["text", "document__title"]
    list_select_related = ["document"]
    raw_id_fields = ["document"]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "affiliation", "project"]
    list_filter = ["project", "kind", "affiliation"]
    search_fields = ["name", "aliases"]
    list_select_related = ["project"]

    # Edits here bypass the speaker services, so they are recorded here, in the admin's transaction.
    def save_model(self, request, obj: Speaker, form, change: bool) -> None:  # noqa: ANN001
        stored = Speaker.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        before, after = (
            changed_fields(speaker_snapshot(stored), speaker_snapshot(obj))
            if stored
            else (None, speaker_snapshot(obj))
        )
        history.record(
            project_id=obj.project_id,
            entity=Entity.SPEAKER,
            entity_id=obj.pk,
            action=Action.UPDATE if stored else Action.CREATE,
            actor=_user(request),
            before=before,
            after=after,
            detail={"through": "admin"},
        )

    def delete_model(self, request, obj: Speaker) -> None:  # noqa: ANN001
        self.delete_queryset(request, Speaker.objects.filter(pk=obj.pk))

    @transaction.atomic
    def delete_queryset(self, request, queryset) -> None:  # noqa: ANN001
        for project_id in {s.project_id for s in queryset}:
            history.record_many(
                project_id=project_id,
                entity=Entity.SPEAKER,
                action=Action.DELETE,
                actor=_user(request),
                detail={"through": "admin"},
                rows=[
                    (s.pk, None, speaker_snapshot(s), None) for s in queryset if s.project_id == project_id
                ],
            )
        queryset.delete()
