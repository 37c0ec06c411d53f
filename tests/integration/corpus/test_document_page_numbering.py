"""The document page numbers passages from 1, as the editor, the review pages and the navigator do."""

import re

import pytest

from annotator.corpus.models import Document
from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import

pytestmark = pytest.mark.django_db


def test_the_document_page_numbers_paragraphs_from_1(client, project, members):
    text = "First paragraph here.\n\nSecond paragraph here.\n\nThird paragraph here."
    documents_import(project=project, records=[ArticleRecord(title="Numbered", text=text)])
    document = Document.objects.get(project=project, title="Numbered")
    client.force_login(members["ann1"])
    page = client.get(f"/projects/summits/documents/{document.pk}/").content.decode()
    numbers = re.findall(r"<td>¶ (\d+)</td>", page)
    assert numbers[0] == "1" and numbers == [str(n) for n in range(1, len(numbers) + 1)]
    assert "<td>0</td>" not in page
