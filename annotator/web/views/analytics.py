"""The who-says-what page."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
