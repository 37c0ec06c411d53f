"""A document's language: tags given by a file, checked, and a script-ratio guess when none is given (pure).

Languages are BCP 47 tags kept short: "en", "zh", "zh-Hant", "pt-BR"; blank means unknown. The guess
tells Chinese, Japanese and Korean apart from other languages by the scripts the text is written in, and
English from other Latin-script languages by its commonest words; anything else is left blank, for a
file to state. Language-identification libraries (langdetect, lingua, fastText's model) were not used: a
model of a hundred languages to tell the two this project segments differently (Chinese, and the rest)
costs tens to hundreds of MB and, for langdetect, answers differently from run to run on short texts.
"""

from __future__ import annotations

import re

from annotator.corpus.segment import HAN

__all__ = ["LANGUAGE_MAX_CHARS", "detect_language", "normalise_language"]

LANGUAGE_MAX_CHARS = 35  # Document.language's max_length; the longest common BCP 47 tags are far shorter
SAMPLE_CHARS = 2000  # the guess reads an article's opening: ~300 words tell as well as the whole, faster
_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_HAN_CHARS = re.compile(f"[{HAN}]")
_KANA = re.compile(r"[\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+(?:['’][A-Za-z]+)?")
# The commonest English words: a third or more of running English text, rare in other languages' text.
_ENGLISH = frozenset(
    (
        "the", "of", "and", "to", "a", "in", "is", "that", "for", "on", "with", "as", "was", "by",
        "it", "he", "said", "are", "be", "at", "from", "has", "have", "his", "this", "not", "which",
        "but", "an", "or", "its", "were", "they", "their", "will", "would", "been", "who", "had",
        "also", "we", "our", "more", "than",
    )
)  # fmt: skip
ENGLISH_SHARE = 0.15  # at least this share of the Latin words are in _ENGLISH: English


def normalise_language(value: str) -> str:
    """A given language tag in its usual case ("ZH-hans" → "zh-Hans", "en_GB" → "en-GB"); "" stays "".

    Raises ValueError for anything that is not a BCP 47-shaped tag.
    """
    tag = value.strip().replace("_", "-")
    if not tag:
        return ""
    if len(tag) > LANGUAGE_MAX_CHARS or not _TAG.fullmatch(tag):
        raise ValueError(f"language {value[:40]!r} is not a language tag such as 'en' or 'zh'")
    primary, *rest = tag.split("-")
    parts = [primary.lower()]
    for part in rest:
        if len(part) == 4 and part.isalpha():
            parts.append(part.title())  # script: Hans
        elif len(part) == 2 and part.isalpha():
            parts.append(part.upper())  # region: CN
        else:
            parts.append(part.lower())
    return "-".join(parts)


def detect_language(text: str) -> str:
    """Guess a text's language: "zh", "ja", "ko", "en", or "" when the scripts and words do not tell.

    Chinese with English names stays Chinese: a Han character is counted against a whole Latin word,
    since a Chinese word is one or two characters.
    """
    sample = text[:SAMPLE_CHARS]
    latin = _LATIN_WORD.findall(sample)
    if sample.isascii():  # most articles: no script to count
        han = kana = hangul = 0
    else:
        han = len(_HAN_CHARS.findall(sample))
        kana = len(_KANA.findall(sample))
        hangul = len(_HANGUL.findall(sample))
    if kana and kana + han >= len(latin) and kana * 10 >= han:
        return "ja"
    if hangul and hangul >= len(latin) and hangul >= han:
        return "ko"
    if han and han >= len(latin):
        return "zh"
    if latin:
        english = sum(1 for word in latin if word.lower() in _ENGLISH)
        if english >= 2 and english >= ENGLISH_SHARE * len(latin):
            return "en"
    return ""
