"""(being built)"""

top_urlpatterns: list = []
urlpatterns: list = []
