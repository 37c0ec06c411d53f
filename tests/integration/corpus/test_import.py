"""Importing articles into PostgreSQL: exact offsets, idempotence, all-or-nothing files, limits."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.corpus.importing import ImportRefused, import_path
from annotator.corpus.models import Document, Passage
from annotator.corpus.readers import MAX_FILE_BYTES

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[3]
SEEDS = sorted((REPO / "seeds").glob("*.txt"))
ARTICLES = REPO / "tests" / "fixtures" / "articles"


def assert_offsets_exact(document: Document) -> None:
    passages = list(document.passages.order_by("position"))
    assert passages, "a document with body text has passages"
    assert [p.position for p in passages] == list(range(len(passages)))
    for before, after in zip(passages, passages[1:], strict=False):
        assert before.end <= after.start
    for passage in passages:
        assert passage.text == document.text[passage.start : passage.end]
        assert passage.text == passage.text.strip()


def test_seed_articles_are_cut_into_passages_with_exact_offsets(project, seeded):
    counts = {doc.title: doc.passages.count() for doc in Document.objects.filter(project=project)}
    assert counts == {
        "What Did Chinese Analysts Think of the Kim-Putin Summit in Pyongyang?": 26,
        "Kim, Putin bromance means headache for Xi": 37,
    }
    for document in Document.objects.filter(project=project):
        assert_offsets_exact(document)
    texts = set(Passage.objects.values_list("text", flat=True))
    assert "Credit: Russian Presidential Press and Information Office" not in texts
    assert not any("maritime news" in text for text in texts), "the newsletter box is not article text"
    assert any(text.startswith("Voices from the United States, South Korea, and Japan") for text in texts)


def test_reimporting_the_same_article_is_a_no_op(project, seeded):
    before = (Document.objects.count(), Passage.objects.count())
    again = import_path(project=project, path=SEEDS[0])
    assert (again.documents, again.passages, again.skipped_duplicates) == (0, 0, 1)
    assert (Document.objects.count(), Passage.objects.count()) == before


def test_jsonl_import_reads_every_line_in_one_batch_of_queries(project, tmp_path):
    def write(count: int) -> Path:
        path = tmp_path / f"articles_{count}.jsonl"
        lines = [
            json.dumps(
                {"title": f"A{count}-{i}", "text": f"Title {count}-{i}\nBody paragraph {i} says a thing."}
            )
            for i in range(count)
        ]
        path.write_text("\n".join(lines), encoding="utf-8")
        return path

    with CaptureQueriesContext(connection) as small:
        import_path(project=project, path=write(3))
    with CaptureQueriesContext(connection) as large:
        summary = import_path(project=project, path=write(300))
    assert summary.documents == 300
    assert len(large) == len(small), "bulk inserts: the query count does not grow with the file"


@pytest.mark.parametrize(
    ("name", "problem"),
    [("bad_json_line3.jsonl", "line 3"), ("bad_date.jsonl", "line"), ("no_text_column.csv", "text")],
)
def test_a_malformed_file_is_rejected_whole_naming_file_and_line(project, name, problem):
    with pytest.raises(ValidationError) as error:
        import_path(project=project, path=ARTICLES / name)
    message = " ".join(error.value.messages)
    assert name in message and problem in message
    assert Document.objects.count() == 0, "nothing from a malformed file is half-imported"


def test_astral_characters_and_combining_marks_keep_exact_offsets(project):
    summary = import_path(project=project, path=ARTICLES / "astral_crlf.txt")
    document = Document.objects.get()
    assert summary.documents == 1 and "\r" not in document.text
    assert_offsets_exact(document)
    emoji_passage = document.passages.get(text__contains="𝒳")
    start = emoji_passage.text.index("😀")
    assert emoji_passage.text[start : start + 1] == "😀", "offsets count code points, as Python does"


def test_an_empty_file_is_refused_with_a_message(project):
    with pytest.raises(ValidationError, match="empty"):
        import_path(project=project, path=ARTICLES / "empty.txt")


def test_a_file_over_50_mb_is_refused_before_it_is_read(project, tmp_path):
    big = tmp_path / "huge.jsonl"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(ImportRefused, match="50 MB"):
        import_path(project=project, path=big)
    assert Document.objects.count() == 0


def test_import_command_prints_a_summary_and_fails_on_a_bad_file(project, capsys):
    call_command("import_articles", *map(str, SEEDS), "--project", project.slug)
    assert "2 documents, 63 passages imported; 0 skipped duplicates" in capsys.readouterr().out
    with pytest.raises(CommandError, match="1 of 2 files failed"):
        call_command(
            "import_articles",
            str(SEEDS[0]),
            str(ARTICLES / "bad_json_line3.jsonl"),
            "--project",
            project.slug,
        )
    output = capsys.readouterr()
    assert "1 skipped duplicates" in output.out
    assert "bad_json_line3.jsonl, line 3" in output.err


def test_import_command_names_an_unknown_project(db):
    with pytest.raises(CommandError, match="No project with slug 'nope'"):
        call_command("import_articles", str(SEEDS[0]), "--project", "nope")


def test_import_command_names_a_file_read_in_another_encoding(project, tmp_path, capsys):
    big5 = tmp_path / "taipei.jsonl"
    line = '{"title": "峰會", "text": "朝俄峰會在平壤舉行。分析人士認為，這次會晤意義重大。"}\n'
    big5.write_bytes(line.encode("big5"))
    call_command("import_articles", str(big5), str(SEEDS[0]), "--project", project.slug)
    output = capsys.readouterr().out
    assert "taipei.jsonl: read as Big5" in output and SEEDS[0].name not in output
    assert Document.objects.get(title="峰會").text == "朝俄峰會在平壤舉行。分析人士認為，這次會晤意義重大。"
