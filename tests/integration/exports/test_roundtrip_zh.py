"""Every export format carries Chinese text, astral characters and English names with exact offsets; the
formats that come back in (doccano, Label Studio, brat) give the same claims and Chinese documents again."""

import csv
import io
import json
import zipfile

import pytest
import yaml

from annotator.corpus.models import Document, Membership, Passage
from annotator.corpus.readers import ArticleRecord
from annotator.corpus.services import documents_import, project_create, speaker_create
from annotator.exports.formats import spans_from_bio
from annotator.exports.formats.tokens import word_tokens
from annotator.exports.importing import annotations_import
from annotator.exports.selectors import ExportFilters
from annotator.exports.services import FORMATS, export_stream
from annotator.labeling.assignment_services import assignment_submit, assignments_distribute
from annotator.labeling.models import Assignment
from annotator.labeling.services import claim_create
from annotator.review.services import adjudication_save
from tests.integration.exports.test_round_trip import exported_claims
from tests.integration.follow_ups import follow_ups_held

pytestmark = pytest.mark.django_db

# 𠀀 (U+20000) and 𪛖 (U+2A6D6) are astral: one code point, two UTF-16 units (doccano counts those).
ARTICLE = (
    "𠀀朝俄走近\n"
    "来源：示例通讯社\n"
    "𠀀朝鲜领导人金正恩（Kim Jong Un）与俄罗斯总统普京（Vladimir Putin）在东方航天发射场举行会晤。\n"
    "中国社会科学院研究员王俊生表示，𪛖图们江大桥将便利三国往来。他认为，“中国被边缘化”的说法不符合事实。\n"
)
CLAIMS = {  # annotator -> (words the claim covers, its fields)
    "ann1": [
        ("金正恩（Kim Jong Un）与俄罗斯总统普京", dict(perspective="russian", stance="favor")),
        ("𪛖图们江大桥将便利三国往来", dict(perspective="chinese", stance="favor", speaker=True)),
    ],
    "ann2": [
        (
            "普京（Vladimir Putin）在东方航天发射场举行会晤",
            dict(perspective="neutral_mixed", stance="neutral"),
        ),
        (
            "他认为，“中国被边缘化”的说法不符合事实",
            dict(perspective="chinese", stance="against", speaker=True),
        ),
    ],
}


@pytest.fixture
def chinese(project, members):
    documents_import(
        project=project, records=[ArticleRecord(title="𠀀朝俄走近", text=ARTICLE, language="zh")]
    )
    assignments_distribute(project=project)
    speaker = speaker_create(project=project, name="王俊生", kind="person", affiliation="cn_scholar")
    passages = list(Passage.objects.filter(document__project=project).order_by("position"))
    assert len(passages) == 2
    with follow_ups_held():
        for username, claims in CLAIMS.items():
            for passage in passages:
                assignment = Assignment.objects.select_related("passage__document__project").get(
                    passage=passage, annotator=members[username]
                )
                for words, fields in claims:
                    if words not in passage.text:
                        continue
                    start = passage.text.index(words)
                    fields = dict(fields)
                    speaker_id = speaker.pk if fields.pop("speaker", False) else None
                    claim_create(
                        assignment=assignment,
                        start=start,
                        end=start + len(words),
                        attribution="indirect" if speaker_id else "authorial",
                        speaker_id=speaker_id,
                        **fields,
                    )
                assignment_submit(assignment=assignment)
        first = passages[0]
        start = first.text.index("金正恩（Kim Jong Un）")
        adjudication_save(
            passage=Passage.objects.select_related("document__project").get(pk=first.pk),
            reviewer=members["rev"],
            version=0,
            claims=[
                dict(
                    start=start,
                    end=start + len("金正恩（Kim Jong Un）"),
                    attribution="authorial",
                    perspective="russian",
                    stance="favor",
                    target="",
                    source_claim_ids=[],
                )
            ],
        )
    return project


def export(project, format: str) -> bytes:
    chunks, _, _ = export_stream(project=project, format=format, filters=ExportFilters())
    return b"".join(chunks)


def passages_by_id(project) -> dict[int, str]:
    return dict(Passage.objects.filter(document__project=project).values_list("pk", "text"))


def test_jsonl_csv_and_hf_keep_chinese_text_and_code_point_offsets(chinese):
    passages = passages_by_id(chinese)
    documents = {d.pk: d.text for d in Document.objects.filter(project=chinese)}
    lines = [json.loads(line) for line in export(chinese, "jsonl").decode().splitlines()]
    claims = [(line, claim) for line in lines for claim in line["claims"]]
    assert len(claims) == 4
    for line, claim in claims:
        assert (
            line["text"]
            == passages[line["passage_id"]]
            == documents[line["document_id"]][line["start"] : line["end"]]
        )
        assert line["text"][claim["start"] : claim["end"]] == claim["text"]
    assert {claim["text"] for _, claim in claims} == {words for c in CLAIMS.values() for words, _ in c}
    assert {line["document"]["language"] for line in lines} == {"zh"}

    rows = list(csv.DictReader(io.StringIO(export(chinese, "csv").decode(), newline="")))
    assert sorted(r["annotator"] for r in rows) == ["ann1", "ann1", "ann2", "ann2"]
    assert {r["document_language"] for r in rows} == {"zh"}
    for row in rows:
        assert passages[int(row["passage_id"])][int(row["start"]) : int(row["end"])] == row["text"]

    with zipfile.ZipFile(io.BytesIO(export(chinese, "hf"))) as folder:
        names = folder.namelist()
        card = folder.read(next(n for n in names if n.endswith("README.md"))).decode()
        hf_rows = [
            json.loads(line)
            for name in names
            if name.endswith(".jsonl")
            for line in folder.read(name).decode().splitlines()
        ]
    assert yaml.safe_load(card.split("---")[1])["language"] == ["zh"]  # the card's metadata
    assert "Document languages: `zh`." in card
    assert {row["document_language"] for row in hf_rows} == {"zh"}
    for row in hf_rows:
        assert row["text"] == passages[row["passage_id"]]
        assert all(row["text"][c["start"] : c["end"]] == c["text"] for c in row["claims"])


def test_conll_tokens_are_chinese_words_and_its_tags_give_back_the_claims(chinese):
    passages = passages_by_id(chinese)
    blocks = [b for b in export(chinese, "conll").decode().split("\n\n") if b.strip()]
    found = set()
    for block in blocks:
        lines = block.splitlines()
        comments = dict(line[2:].split(" = ", 1) for line in lines if line.startswith("# ") and " = " in line)
        if "passage_id" not in comments:
            continue  # the file's header: labels and counts
        text = passages[int(comments["passage_id"])]
        tokens = word_tokens(text)
        rows = [line.split("\t") for line in lines if not line.startswith("#")]
        assert [token for token, _ in rows] == [text[s:e] for s, e in tokens]
        for start, end, label in spans_from_bio(tokens, [tag for _, tag in rows]):
            found.add((text[start:end], label))
    assert ("金正恩（Kim Jong Un）与俄罗斯总统普京", "russian") in found
    assert ("他认为，“中国被边缘化”的说法不符合事实", "chinese") in found
    # The plain CoNLL files (one per annotator, no comments) hold the same tokens, a passage a block.
    tokenised = {tuple(text[s:e] for s, e in word_tokens(text)) for text in passages.values()}
    with zipfile.ZipFile(io.BytesIO(export(chinese, "conll_plain"))) as folder:
        files = [folder.read(name).decode() for name in folder.namelist() if name.endswith(".conll")]
    plain_blocks = [b for text in files for b in text.split("\n\n") if b.strip()]
    assert len(plain_blocks) == 4  # two annotators, two passages
    assert {tuple(line.split("\t")[0] for line in b.splitlines()) for b in plain_blocks} == tokenised
    # jieba's words, not characters; the astral character is a token of its own.
    first = next(text for text in passages.values() if text.startswith("𠀀"))
    words = [first[s:e] for s, e in word_tokens(first)]
    assert words[:5] == ["𠀀", "朝鲜", "领导人", "金正恩", "（"]
    assert "普京" in words and "Vladimir" in words


@pytest.mark.parametrize("tool", [t for t in ("doccano", "label_studio", "brat") if t in FORMATS])
def test_tool_exports_import_back_with_the_same_chinese_claims_and_documents(chinese, tool):
    # A tag the text alone would not give: doccano's and Label Studio's files carry it across.
    Document.objects.filter(project=chinese).update(language="zh-Hant")
    chunks, _, name = export_stream(project=chinese, format=tool, filters=ExportFilters())
    copy = project_create(name="Copy", slug=f"copy-{tool}")
    for membership in Membership.objects.filter(project=chinese):
        Membership.objects.create(project=copy, user=membership.user, role=membership.role)
    summary = annotations_import(project=copy, files=[(name, b"".join(chunks))])
    assert summary.written and summary.errors == [], summary.errors
    assert summary.claims == 4
    assert exported_claims(copy) == exported_claims(chinese)
    copied = Document.objects.filter(project=copy)
    assert sorted(d.text for d in copied) == sorted(passages_by_id(chinese).values())
    carried = "zh" if tool == "brat" else "zh-Hant"  # brat's files have no place for it: guessed again
    assert set(copied.values_list("language", flat=True)) == {carried}
