from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "annotator.suggestions"
    default_auto_field = "django.db.models.BigAutoField"
