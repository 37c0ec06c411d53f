"""`{{ seconds|duration }}`: time on task as people read it ("3 min 20 s"), see labeling.durations."""

from django import template

from annotator.labeling.durations import duration_text

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    return duration_text(seconds)
