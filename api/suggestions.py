"""Suggested claims over the API: list a passage's suggestions, dismiss one."""

from rest_framework.routers import BaseRouter


def register(router: BaseRouter) -> None:
    """No routes yet."""
