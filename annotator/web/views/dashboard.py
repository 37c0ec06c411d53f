"""Pages of this concern; mounted under projects/<slug>/."""

urlpatterns: list = []
