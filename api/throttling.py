"""API throttles whose rates are read when a request is checked, not when the class is imported, so a change
of REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (a deployment's environment, a test) takes effect."""

from rest_framework import throttling
from rest_framework.settings import api_settings


class CurrentRateMixin:
    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonymousRateThrottle(CurrentRateMixin, throttling.AnonRateThrottle):
    """Requests without a logged-in user, counted per client address."""


class UserRateThrottle(CurrentRateMixin, throttling.UserRateThrottle):
    """Requests of a logged-in user (session or token), counted per user."""
