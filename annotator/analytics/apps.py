from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "annotator.analytics"
    default_auto_field = "django.db.models.BigAutoField"
