from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    """Viewsets of this concern are added here."""
