"""Reading article files (plain text, JSON Lines, CSV) into records, and refusing bad files clearly."""

import codecs
import io
import json
import pickle
from pathlib import Path

import pytest

from annotator.corpus.readers import (
    MAX_FILE_BYTES,
    TITLE_MAX_CHARS,
    ArticleRecord,
    ReadError,
    check_size,
    read_article_file,
    read_articles,
    read_csv,
    read_jsonl,
    read_plain_text,
)
from annotator.corpus.segment import normalise_text, segment_article

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "articles"
SEEDS = ROOT / "seeds"


def read_fixture(name: str) -> list[ArticleRecord]:
    return list(read_articles(FIXTURES / name, (FIXTURES / name).read_bytes()))


def error_of(name: str, data: bytes) -> ReadError:
    with pytest.raises(ReadError) as info:
        list(read_articles(name, data))
    return info.value


# --- ReadError -------------------------------------------------------------------------------------


def test_read_error_names_the_file_and_line_and_survives_pickling():
    error = ReadError("missing field 'text'", file_name="articles.jsonl", line=3)
    assert str(error) == "articles.jsonl, line 3: missing field 'text'"
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, as a Celery result would be
    assert (copy.file_name, copy.line, copy.message, str(copy)) == (
        "articles.jsonl",
        3,
        "missing field 'text'",
        str(error),
    )
    assert str(ReadError("empty file", file_name="a.txt")) == "a.txt: empty file"


# --- plain text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("000_19274ddd54156fa7.txt", "What Did Chinese Analysts Think of the Kim-Putin Summit in Pyongyang?"),
        ("003_5e84ef38828d30a4.txt", "Kim, Putin bromance means headache for Xi"),
    ],
)
def test_seed_articles_read_whole_with_their_headline_as_title(name, title):
    data = (SEEDS / name).read_bytes()
    [record] = read_articles(SEEDS / name, data)
    assert record.title == title
    assert record.text == normalise_text(data.decode("utf-8"))  # title line included: offsets cover it
    assert record.line == 1 and record.published is None and record.meta == {}
    segments = segment_article(record.text, title=record.title)
    assert [record.text[s.start : s.end] for s in segments if s.kind == "title"] == [title]


def test_front_matter_sets_fields_and_the_text_starts_after_it():
    [record] = read_fixture("front_matter.txt")
    assert record.title == "Kim, Putin bromance means headache for Xi"
    assert (record.source, record.url, record.published) == (
        "Maritime Fairtrade",
        "https://example.org/kim-putin",
        "2023-09-20",
    )
    assert record.meta == {}
    assert record.language == "en"  # a known field since documents store their language
    assert record.text.startswith("China Power\nKim, Putin bromance")
    assert record.line == 8


def test_front_matter_without_a_closing_line_is_refused():
    with pytest.raises(ReadError, match="never closed") as info:
        read_plain_text("---\ntitle: A\nText.\n", file_name="a.txt")
    assert info.value.line == 1


def test_a_front_matter_line_that_is_not_key_value_names_its_line():
    with pytest.raises(ReadError) as info:
        read_plain_text("---\ntitle: A\njust words\n---\nText.\n", file_name="a.md")
    assert str(info.value) == "a.md, line 3: expected 'key: value' in the header"


def test_a_header_with_no_article_after_it_is_refused():
    with pytest.raises(ReadError, match="no article text"):
        read_plain_text("---\ntitle: A\n---\n\n", file_name="a.txt")


def test_plain_text_is_normalised_so_offsets_are_stable():
    [record] = read_fixture("astral_crlf.txt")
    assert "\r" not in record.text and not record.text.startswith("\ufeff")
    assert "café" in record.text and "\u0301" not in record.text  # NFC composed
    assert record.title == "Emoji 😀 and café title"
    body = [record.text[s.start : s.end] for s in segment_article(record.text) if s.kind == "body"]
    assert body == ["A body line with 𝒳 and 😀 emoji.", "Last line with é decomposed."]


# --- JSON Lines ------------------------------------------------------------------------------------


def test_jsonl_records_take_known_fields_and_keep_the_rest_as_meta():
    first, second = read_fixture("good.jsonl")
    assert first == ArticleRecord(
        title="Summit in Pyongyang",
        text="Summit in Pyongyang\nKim met Putin.\nAnalysts in Beijing were wary.",
        source="The Diplomat",
        url="https://example.org/a",
        published="2024-06-19",
        meta={"section": "China Power"},
        line=1,
        language="en",  # guessed from the English words of the text
    )
    assert second.title == "Xi said ties are “unswerving”."  # defaults to the first line of the text
    assert second.line == 3  # the blank line 2 is skipped
    assert read_articles("x.ndjson", (FIXTURES / "good.jsonl").read_bytes()) is not None


def test_malformed_json_on_line_3_names_line_3_after_yielding_the_lines_before_it():
    lines = (FIXTURES / "bad_json_line3.jsonl").read_text(encoding="utf-8").splitlines()
    records = read_jsonl(lines, file_name="bad.jsonl")
    assert next(records).text == "First article."
    assert next(records).text == "Second article."
    with pytest.raises(ReadError) as info:
        next(records)
    assert info.value.line == 3
    assert str(info.value).startswith("bad.jsonl, line 3: not valid JSON")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("[1, 2]", "expected a JSON object, got list"),
        ('{"title": "No text"}', "missing field 'text'"),
        ('{"text": "   \\n "}', "field 'text' is empty"),
        ('{"text": 42}', "field 'text' must be a string, not int"),
        ('{"text": "A.", "published": "2024-02-30"}', "published '2024-02-30' is not a date (YYYY-MM-DD)"),
        ('{"text": "A.", "published": "2024-06-19T10:00"}', "is not a date (YYYY-MM-DD)"),
        ('{"text": "A.", "url": "javascript:alert(1)"}', "must start with http:// or https://"),
        (
            '{"text": "A.", "url": "https://x.org/' + "a" * 987 + '"}',
            "url is 1001 characters; the limit is 1000",
        ),
        ('{"text": "A\\u0000B"}', "contains a NUL character"),
    ],
)
def test_bad_jsonl_records_are_refused_with_their_line_number(line, message):
    with pytest.raises(ReadError) as info:
        list(read_jsonl(["", line], file_name="articles.jsonl"))
    assert info.value.line == 2
    assert message in str(info.value)


def test_a_bad_date_in_a_file_names_the_file_and_line():
    error = error_of("bad_date.jsonl", (FIXTURES / "bad_date.jsonl").read_bytes())
    assert str(error) == "bad_date.jsonl, line 1: published '19 June 2024' is not a date (YYYY-MM-DD)"


def test_a_long_first_line_is_cut_to_the_title_limit():
    text = "word " * 100
    [record] = read_jsonl([json.dumps({"text": text})], file_name="a.jsonl")
    assert len(record.title) == TITLE_MAX_CHARS
    assert record.text == text


# --- CSV -------------------------------------------------------------------------------------------


def test_csv_headers_are_case_insensitive_and_quoted_fields_may_span_lines():
    first, second = read_fixture("good.csv")
    assert first.title == "Kim, Putin bromance"
    assert first.text == 'Kim, Putin bromance\nThe Western media has been awash.\n"No limits," he said.'
    assert (first.source, first.published, first.meta, first.line) == (
        "Maritime Fairtrade",
        "2023-09-20",
        {"desk": "Asia"},
        2,
    )
    assert (second.title, second.text, second.source, second.published, second.meta, second.line) == (
        "Second",
        "Just one paragraph.",
        "",
        None,
        {},
        5,  # the first row spans lines 2-4
    )


def test_csv_without_a_text_column_is_refused_naming_its_columns():
    error = error_of("no_text_column.csv", (FIXTURES / "no_text_column.csv").read_bytes())
    assert str(error) == "no_text_column.csv, line 1: no 'text' column (columns: title, body)"


def test_a_csv_row_error_names_the_line_where_the_row_starts():
    data = 'title,text\nA,"multi\nline"\nB,\n'
    with pytest.raises(ReadError) as info:
        list(read_csv(io.StringIO(data, newline=""), file_name="a.csv"))
    assert str(info.value) == "a.csv, line 4: field 'text' is empty"


def test_a_csv_row_with_more_fields_than_the_header_is_refused():
    with pytest.raises(ReadError, match="row has 3 fields, the header has 2") as info:
        list(read_csv(["title,text\n", "A,B,C\n"], file_name="a.csv"))
    assert info.value.line == 2


def test_a_csv_with_only_a_header_is_refused():
    with pytest.raises(ReadError, match="no articles after the header row"):
        list(read_csv(["text\n"], file_name="a.csv"))


def test_a_long_csv_field_is_accepted():
    text = "A long paragraph. " * 20_000  # over the csv module's default 128 KiB field limit
    [record] = read_csv(io.StringIO(f"text\n{text}\n", newline=""), file_name="big.csv")
    assert record.text == text


# --- whole files -----------------------------------------------------------------------------------


def test_an_unsupported_extension_names_the_supported_formats():
    error = error_of("/uploads/article.pdf", b"%PDF-1.4")
    assert str(error) == "article.pdf: unsupported file type; use one of .txt, .md, .jsonl, .ndjson, .csv"


def test_a_latin_1_file_is_read_as_windows_1252():
    records, encoding = read_article_file("not_utf8.txt", (FIXTURES / "not_utf8.txt").read_bytes())
    assert encoding == "Windows-1252"
    assert [r.text for r in records] == ["Café society\nLine two.\n"]


def test_bytes_that_no_encoding_reads_are_refused_with_the_byte_offset():
    error = error_of("noise.txt", b"Line one.\nText \x81\x8d\x9d\nmore")
    assert str(error) == (
        "noise.txt, line 2: not UTF-8 text (byte offset 15); GB18030, Big5 and Windows-1252 did not read it "
        "either: save it as UTF-8"
    )


def test_a_utf16_file_with_an_odd_byte_is_refused_as_utf16():
    error = error_of("odd.txt", "Text".encode("utf-16") + b"\x00")
    assert "not UTF-16 text (byte offset 10): save it as UTF-8" in str(error)


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "big5", "utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_chinese_csv_in_another_encoding_gives_the_records_of_its_utf8_copy(encoding):
    text = (
        "title,text,language\r\n"
        '朝俄峰會,"朝俄峰會在平壤舉行。分析人士認為，這次會晤意義重大。\n\n外交部發言人表示：「中方一貫主張對話。」",\r\n'
        'Summit,"Kim Jong Un與普京會晤。US officials said the partnership threatens the region.",\r\n'
    )
    mark = codecs.BOM_UTF16_BE if encoding == "utf-16-be" else b""  # Python writes the others' marks
    data = mark + text.encode(encoding)
    records, read_as = read_article_file("articles.csv", data)
    expected = list(read_articles("articles.csv", text.encode("utf-8")))
    assert list(records) == expected and len(expected) == 2
    assert read_as == {"gb18030": "GB18030", "gbk": "GB18030", "big5": "Big5", "utf-8-sig": "UTF-8"}.get(
        encoding, encoding.upper().removesuffix("-BE")
    )


def test_a_nul_in_a_utf16_file_is_named_by_its_character():
    error = error_of("nul.txt", "Text\x00more".encode("utf-16"))
    assert "line 1: contains a NUL byte (character 5)" in str(error)


def test_an_empty_file_is_refused():
    assert str(error_of("empty.txt", (FIXTURES / "empty.txt").read_bytes())) == "empty.txt: empty file"
    assert str(error_of("blank.jsonl", b"\xef\xbb\xbf\n \n")) == "blank.jsonl: empty file"


def test_a_nul_byte_is_refused():
    assert "contains a NUL byte (byte offset 4)" in str(error_of("a.txt", b"Text\x00more"))


def test_a_utf8_bom_is_accepted():
    [record] = read_articles("a.md", "\ufeffTitle\nBody.".encode())
    assert record.text == "Title\nBody."


def test_check_size_states_the_size_and_the_limit():
    check_size("ok.csv", MAX_FILE_BYTES)
    with pytest.raises(ReadError) as info:
        check_size("big.csv", int(52.4 * 1024 * 1024))
    assert str(info.value) == "big.csv: file is 52.4 MB; the limit is 50 MB"
    with pytest.raises(ReadError, match=r"file is 50\.1 MB; the limit is 50 MB"):
        check_size("big.csv", MAX_FILE_BYTES + 1)


def test_a_file_one_byte_over_the_limit_is_refused_before_it_is_decoded():
    data = b"\xff" * (MAX_FILE_BYTES + 1)  # not UTF-8 either: the size check must come first
    assert "the limit is 50 MB" in str(error_of("huge.txt", data))
