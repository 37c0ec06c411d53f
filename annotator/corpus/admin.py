from django.contrib import admin

from annotator.corpus.models import Document, Membership, Passage, Project, Speaker


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "overlap", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
    actions = ["distribute_passages"]

    @admin.action(description="Assign passages to annotators (k-overlap)")
    def distribute_passages(self, request, queryset):
        from annotator.labeling.services import assignments_distribute

        for project in queryset:
            added = assignments_distribute(project=project)
            self.message_user(request, f"{project}: {added} new assignments.")


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
