"""Speaker names across scripts: Pinyin of Chinese names, folded Latin spellings, duplicate groups."""

import pytest

from annotator.corpus.name_forms import latin_variant, romanised
from annotator.corpus.speakers import duplicate_groups


@pytest.mark.parametrize(
    ("name", "pinyin"),
    [
        ("王俊生", "wang junsheng"),
        ("王 俊 生", "wang junsheng"),
        ("毛宁", "mao ning"),
        ("吕布", "lu bu"),  # ü folded
        ("曾国藩", "zeng guofan"),  # the surname's reading, not the character's common one
        ("单雄信", "shan xiongxin"),
        ("欧阳修", "ouyang xiu"),  # a two-character surname
    ],
)
def test_a_full_chinese_name_reads_surname_first_with_the_given_name_as_one_word(name, pinyin):
    assert romanised(name) == pinyin


@pytest.mark.parametrize(
    "name", ["王", "Wang Junsheng", "安东尼·布林肯", "中国人民大学国际关系学院", "王Junsheng"]
)
def test_only_a_full_chinese_name_is_romanised(name):
    assert romanised(name) is None


def test_latin_spellings_fold_tone_marks_and_join_hyphenated_parts():
    assert latin_variant("Jun-sheng Wáng") == "junsheng wang"
    assert latin_variant("Lǚ Bù") == "lu bu"


def test_a_chinese_name_groups_with_its_pinyin_in_either_order_hyphenated_or_with_tone_marks():
    names = [
        (1, "王俊生", []),
        (2, "Wang Junsheng", []),
        (3, "Junsheng Wang", []),
        (4, "Jun-sheng Wang", []),
        (5, "Wáng Jùnshēng", []),
        (6, "Wang Yi", []),
        (7, "王毅", []),
    ]
    assert duplicate_groups(names) == [[1, 2, 3, 4, 5], [6, 7]]


def test_a_surname_alone_proposes_nothing():
    names = [(1, "王", []), (2, "Wang Junsheng", []), (3, "王毅", []), (4, "Lin Jian", ["林"])]
    assert duplicate_groups(names) == []


def test_an_alias_in_the_other_script_links_speakers():
    names = [(1, "Junsheng Wang", ["王"]), (2, "Professor 王俊生", ["王俊生"]), (3, "Lin Jian", [])]
    assert duplicate_groups(names) == [[1, 2]]


def test_english_names_group_as_before():
    names = [(1, "Antony Blinken", []), (2, "Blinken", []), (3, "U.S. Secretary of State Antony Blinken", [])]
    assert duplicate_groups(names) == [[1, 2, 3]]
