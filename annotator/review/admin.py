from django.contrib import admin

from annotator.review.models import Adjudication, GoldClaim


class GoldClaimInline(admin.TabularInline):
    model = GoldClaim
    extra = 0
    raw_id_fields = ["speaker"]
    exclude = ["source_claims"]


@admin.register(Adjudication)
class AdjudicationAdmin(admin.ModelAdmin):
    list_display = ["passage", "reviewer", "version", "updated_at"]
    list_filter = ["passage__document__project", "reviewer"]
    search_fields = ["passage__text", "note"]
    raw_id_fields = ["passage"]
    list_select_related = ["passage", "reviewer"]
    inlines = [GoldClaimInline]


@admin.register(GoldClaim)
class GoldClaimAdmin(admin.ModelAdmin):
    list_display = ["__str__", "attribution", "perspective", "stance", "speaker"]
    list_filter = ["perspective", "stance", "attribution"]
    search_fields = ["text"]
    raw_id_fields = ["adjudication", "speaker", "source_claims"]
