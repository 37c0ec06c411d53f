"""`{{ project.guidelines|guidelines_html|safe }}`: a project's Markdown guidelines as sanitised HTML."""

from django import template

from annotator.corpus.guidelines import render_guidelines

register = template.Library()


@register.filter
def guidelines_html(text: str) -> str:
    """The sanitiser's output; deliberately not marked safe here, so each template that trusts it says so."""
    return render_guidelines(text or "")
