"""The upgrade gives documents imported before languages were stored the language of their text."""

import importlib

import pytest
from django.apps import apps

from annotator.corpus.models import Document

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("annotator.corpus.migrations.0009_backfill_document_language").backfill


def test_documents_without_a_language_get_the_one_their_text_shows(project):
    texts = {
        "en": "The summit in Pyongyang was watched closely by officials in Washington and by analysts.",
        "zh": "外交部发言人毛宁表示，中方注意到有关报道。王俊生认为，俄朝关系进入新阶段。",
        "": "12345 67890",
    }
    made = {
        language: Document.objects.create(
            project=project, title=language or "digits", text=text, sha256=f"{n:064x}"
        )
        for n, (language, text) in enumerate(texts.items())
    }
    given = Document.objects.create(
        project=project, title="given", text=texts["zh"], sha256=f"{9:064x}", language="en"
    )
    backfill(apps, None)
    for language, document in made.items():
        document.refresh_from_db()
        assert document.language == language
    given.refresh_from_db()
    assert given.language == "en"  # a language already stored is left as it is
