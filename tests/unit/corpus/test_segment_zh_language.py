"""A document's language: the guess from scripts and common words, and the tags files give (pure)."""

import json

import pytest

from annotator.corpus.language import detect_language, normalise_language
from annotator.corpus.readers import ReadError, read_articles

CHINESE = "2023年9月13日，金正恩与普京（Vladimir Putin）在东方航天发射场举行会晤。"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (CHINESE, "zh"),
        # Chinese with long English names is still Chinese: each Han character counts against a word.
        ("美国国务卿布林肯（Antony Blinken）和坎贝尔（Kurt Campbell）表示关切。", "zh"),
        ("𠀀𠀁", "zh"),
        ("Kim met Putin in Pyongyang, and the two leaders said that ties were at a high point.", "en"),
        ("The phrase 一带一路 is the Belt and Road Initiative of the Chinese government.", "en"),
        ("北朝鮮の金正恩総書記はプーチン大統領と会談した。", "ja"),
        ("김정은 위원장은 푸틴 대통령과 회담했다.", "ko"),
        ("Le président russe a rencontré le dirigeant nord-coréen à Pyongyang.", ""),
        ("2024-06-19 12:00", ""),
        ("", ""),
    ],
)
def test_detect_language_tells_chinese_by_script_and_english_by_its_commonest_words(text, language):
    assert detect_language(text) == language


def test_language_tags_are_checked_and_written_in_their_usual_case():
    assert normalise_language("ZH-hans") == "zh-Hans"
    assert normalise_language(" zh_cn ") == "zh-CN"
    assert normalise_language("en") == "en"
    assert normalise_language("") == ""
    for bad in ("Chinese!", "z", "zh--CN", "x" * 40, "中文"):
        with pytest.raises(ValueError, match="not a language tag"):
            normalise_language(bad)


def test_files_give_a_language_in_jsonl_csv_and_front_matter_else_it_is_guessed():
    english = "Kim met Putin. He said it was a good day."
    rows = [{"text": CHINESE, "lang": "zh-Hant"}, {"text": CHINESE}, {"text": english, "language": "EN"}]
    jsonl = "\n".join(json.dumps(row, ensure_ascii=False) for row in rows)
    assert [r.language for r in read_articles("a.jsonl", jsonl.encode())] == ["zh-Hant", "zh", "en"]
    csv = f"Text,Lang\n{CHINESE},zh\nx,\n"
    assert [(r.language, r.meta) for r in read_articles("a.csv", csv.encode())] == [("zh", {}), ("", {})]
    front = f"---\ntitle: 会晤\nlanguage: zh-CN\nconstructed: true\n---\n{CHINESE}\n"
    (record,) = read_articles("a.txt", front.encode())
    assert (record.language, record.meta, record.text) == ("zh-CN", {"constructed": "true"}, f"{CHINESE}\n")


def test_a_language_that_is_no_tag_names_the_line():
    with pytest.raises(ReadError, match=r"a.jsonl, line 2: language 'Chinese!' is not a language tag"):
        list(
            read_articles(
                "a.jsonl", f'{{"text": "x"}}\n{{"text": "{CHINESE}", "language": "Chinese!"}}'.encode()
            )
        )
