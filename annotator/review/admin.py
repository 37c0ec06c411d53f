from django.contrib import admin

from annotator.history.admin import ReadOnlyAdmin
from annotator.review.models import Adjudication, GoldClaim


class GoldClaimInline(admin.TabularInline):
    model = GoldClaim
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    extra = 0
    raw_id_fields = ["speaker"]
    exclude = ["source_claims"]


# Read-only: gold versions change on the review page and through the API, which record every change.
@admin.register(Adjudication)
class AdjudicationAdmin(ReadOnlyAdmin):
    list_display = ["passage", "reviewer", "version", "updated_at"]
    list_filter = ["passage__document__project", "reviewer"]
    search_fields = ["passage__text", "note"]
    raw_id_fields = ["passage"]
    list_select_related = ["passage", "reviewer"]
    inlines = [GoldClaimInline]


@admin.register(GoldClaim)
class GoldClaimAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "attribution", "perspective", "stance", "speaker"]
    list_filter = ["perspective", "stance", "attribution"]
    search_fields = ["text"]
    raw_id_fields = ["adjudication", "speaker", "source_claims"]
