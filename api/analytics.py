"""Who says what over the API: cross-tabulations of claims by speaker, perspective, stance and outlet."""

from rest_framework.routers import BaseRouter


def register(router: BaseRouter) -> None:
    """No routes yet."""
