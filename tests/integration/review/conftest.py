"""Projects with articles written for the review tests (sentences the constructed claims point at)."""

import pytest

from annotator.corpus.models import Passage
from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import

SENTENCES = (
    "Blinken said the treaty threatens regional stability. "
    "Sun Weidong said both states have normal needs for exchanges. "
    "Chinese scholars think the bridge over the Tumen River matters most."
)


def import_article(project, title: str, paragraphs: int) -> list[Passage]:
    text = "\n\n".join(f"Paragraph {p + 1} of {title}. {SENTENCES}" for p in range(paragraphs))
    documents_import(project=project, records=[ArticleRecord(title=title, text=text, source="test wire")])
    return list(
        Passage.objects.filter(document__project=project, document__title=title)
        .select_related("document__project")
        .order_by("position")
    )


@pytest.fixture
def passages(project, members) -> list[Passage]:
    """Six passages of one article in the project; ann1-ann3 are its annotators."""
    return import_article(project, "Summit report", 6)
