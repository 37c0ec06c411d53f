"""The ways one person's name is written, as sets of words to compare across scripts (pure; no Django).

A name in Han characters (王俊生) is romanised in Hanyu Pinyin by `pypinyin`, surname first and the given
name as one word, tones dropped: "wang junsheng". A name in Latin script is compared with its diacritics
folded ("Wáng" → "wang") and its hyphenated parts joined ("Jun-sheng" → "junsheng"), and since the forms
are sets of words, "Junsheng Wang" (given name first) is the same set as "Wang Junsheng". Only a full
Chinese name is romanised, surname and given name of two to four Han characters: a surname alone (王)
matches every Wang and says nothing about who is meant; a transliterated foreign name (安东尼·布林肯) does
not romanise back to its original.
"""

import re
import unicodedata

# Two-character surnames: the given name starts after them.
_COMPOUND_SURNAMES = frozenset(
    (  # noqa: SIM905 - a word list reads better as words
        "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 令狐 司徒 夏侯 长孙 宇文 澹台 万俟 端木 申屠 轩辕 呼延 "
        "独孤 南宫 西门"
    ).split()
)
# Surnames read otherwise than the character's common reading (曾 is Zeng as a surname, not ceng).
_SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "区": "ou",
    "盖": "ge",
    "乐": "yue",
    "缪": "miao",
    "覃": "qin",
    "翟": "zhai",
    "种": "chong",
    "冼": "xian",
    "长孙": "zhangsun",
    "尉迟": "yuchi",
    "万俟": "moqi",
}
_FULL_HAN_NAME = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,4}")


def _syllables(han: str) -> str:
    # Imported here: pypinyin loads its dictionaries on import (~0.3 s), which only Chinese names need.
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(han, style=Style.NORMAL, v_to_u=True))


def fold(text: str) -> str:
    """Lower case without diacritics: "Wáng Jùnshēng" → "wang junsheng", "Lǚ" → "lu"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def romanised(name: str) -> str | None:
    """The Pinyin of a full Chinese name, surname first: 王俊生 → "wang junsheng"; None for anything
    else (a surname alone, a longer text, a name with Latin letters or a foreign name's dot)."""
    name = "".join(name.split())
    if not _FULL_HAN_NAME.fullmatch(name):
        return None
    cut = 2 if name[:2] in _COMPOUND_SURNAMES and len(name) > 2 else 1
    surname, given = name[:cut], name[cut:]
    return fold(f"{_SURNAME_READINGS.get(surname) or _syllables(surname)} {_syllables(given)}")


def latin_variant(name: str) -> str:
    """A Latin-script name with diacritics folded and hyphenated parts joined: "Jun-sheng Wáng" →
    "junsheng wang"."""
    return re.sub(r"(?<=\w)[-‐‑]+(?=\w)", "", fold(name))
