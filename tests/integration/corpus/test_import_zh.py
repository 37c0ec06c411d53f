"""Chinese articles through the real importer (COPY into PostgreSQL): language stored, passages by the Chinese
rules with exact offsets, and the language shown on the project page, in the documents API and the editor."""

import json
from pathlib import Path

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from annotator.corpus.importing import import_path, import_uploaded_file
from annotator.corpus.models import Document
from annotator.corpus.segment import passage_spans
from annotator.labeling.assignment_services import assignments_distribute
from annotator.labeling.models import Assignment

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[3]
SEED = REPO / "seeds" / "zh" / "100_kim_putin_summits_zh.txt"
# Astral Han (𠀀 U+20000, 𪛖 U+2A6D6), an emoji, a decomposed accent and English names inside Chinese text.
MIXED = (
    "𠀀朝俄走近\n"
    "来源：示例通讯社\n"
    "😀 普京（Vladimir Putin）说：“𪛖合作是长期的！”金正恩（Kim Jong Un）表示同意e\u0301。\n"
    "布林肯（Antony Blinken）称，美方对此“深感关切”。\n"
    "扫码关注我们\n"
)
RECORDS = [
    {"title": "朝俄走近", "text": MIXED},  # language guessed
    {"text": "北京的回应\n外交部发言人表示：“中方的立场是一贯的。”\n责任编辑：王某", "lang": "zh-Hans"},
    {"text": "Kim met Putin.\nThe two leaders signed a treaty that their aides said was historic."},
]


def import_records(project) -> list[Document]:
    data = "\n".join(json.dumps(record, ensure_ascii=False) for record in RECORDS).encode()
    import_uploaded_file(project=project, file_name="zh.jsonl", size=len(data), chunks=[data])
    return list(Document.objects.filter(project=project).order_by("pk"))


def test_chinese_documents_store_their_language_and_passages_with_exact_offsets(project):
    mixed, given, english = import_records(project)
    assert [d.language for d in (mixed, given, english)] == ["zh", "zh-Hans", "en"]
    for document in (mixed, given, english):
        passages = list(document.passages.order_by("position"))
        assert all(p.text == document.text[p.start : p.end] for p in passages)
        spans, _ = passage_spans(document.text, title=document.title, language=document.language)
        assert [(p.start, p.end) for p in passages] == spans
    texts = [p.text for p in mixed.passages.order_by("position")]
    assert texts == [  # stored NFC-normalised: e + U+0301 is é
        "😀 普京（Vladimir Putin）说：“𪛖合作是长期的！”金正恩（Kim Jong Un）表示同意\u00e9。",
        "布林肯（Antony Blinken）称，美方对此“深感关切”。",
    ]
    # Code points, not UTF-16 units: the astral 𠀀 before it counts one.
    assert mixed.passages.get(position=0).start == len("𠀀朝俄走近\n来源：示例通讯社\n") == 15
    assert [p.text for p in given.passages.all()] == ["外交部发言人表示：“中方的立场是一贯的。”"]


def test_the_constructed_seed_imports_as_a_chinese_document_of_nine_passages(project):
    summary = import_path(project=project, path=SEED)
    assert (summary.documents, summary.passages, summary.furniture) == (1, 9, 12)
    document = Document.objects.get(project=project)
    assert document.language == "zh" and document.meta["constructed"] == "true"
    assert document.title == "从东方航天发射场到平壤：中国学者如何看待金正恩与普京的两次会晤"


def test_the_language_shows_on_the_project_page_in_the_api_and_on_the_editors_passage(
    client, project, members
):
    mixed, _given, english = import_records(project)
    client.force_login(members["ann1"])
    page = client.get(f"/projects/{project.slug}/").content.decode()
    assert "<th>Language</th>" in page and "<td>zh</td>" in page and "<td>en</td>" in page

    api = APIClient()
    api.force_authenticate(members["rev"])
    response = api.get("/api/v1/documents/", {"project": project.pk})
    assert response.status_code == 200
    results = response.json()
    rows = results["results"] if isinstance(results, dict) else results
    assert {row["id"]: row["language"] for row in rows} == {
        mixed.pk: "zh",
        _given.pk: "zh-Hans",
        english.pk: "en",
    }

    assignments_distribute(project=project)
    for document, lang in ((mixed, "zh"), (english, "en")):
        assignment = Assignment.objects.filter(annotator=members["ann1"], passage__document=document).first()
        url = reverse("annotate", kwargs={"slug": project.slug, "assignment_id": assignment.pk})
        html = client.get(url).content.decode()
        assert f'<p id="passage" class="passage" lang="{lang}">' in html
