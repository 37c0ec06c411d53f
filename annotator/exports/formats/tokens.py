"""Word tokens for the CoNLL/BIO exports: ``word_spans``, with Chinese segmented into words (pure; no Django).

Chinese is written without spaces, so ``annotator.corpus.segment.word_spans`` makes each Han character a
token. For the exports, each run of Han characters is segmented into words by jieba (a dictionary and HMM
word segmenter, pure Python, MIT licence): "金正恩与普京会晤" → 金正恩 / 与 / 普京 / 会晤. Everything else —
Latin words, digits, punctuation, emoji, the full-width punctuation between Chinese words — is tokenised
by ``word_spans`` as before, so a text with no Han character gets exactly ``word_spans(text)``.

jieba is imported, and its dictionary loaded (about 0.8 s and 65 MB the first time in a process; the
prefix dictionary is cached on disk after that), only when a text with a Han character is tokenised: an
English-only export never loads it. Offsets are code points, like every offset in the project; jieba
works on Python strings, so an astral character such as 𠀀 (U+20000) is one position there too.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from typing import Any

from annotator.corpus.segment import HAN, word_spans

__all__ = ["chinese_words", "word_tokens"]

_HAN_RUN = re.compile(f"[{HAN}]+")
_lock = threading.Lock()


@functools.cache
def _segmenter() -> Any:
    with _lock:  # two export threads must not both build the dictionary
        import jieba  # imported here: only exports of Chinese text pay for it

        jieba.setLogLevel(logging.WARNING)  # it logs the dictionary loading at INFO on stderr
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        return tokenizer


def chinese_words(run: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` code-point spans of the words jieba finds in ``run`` (which they cover)."""
    return [(start, end) for _word, start, end in _segmenter().tokenize(run)]


def word_tokens(text: str) -> list[tuple[int, int]]:
    """``word_spans(text)`` with each run of Han characters split into words instead of characters.

    The spans are sorted, do not overlap and cover every non-space character of ``text`` once.
    """
    spans = word_spans(text)
    runs = [m.span() for m in _HAN_RUN.finditer(text)]
    if not runs:
        return spans
    out: list[tuple[int, int]] = []
    i = 0
    for run_start, run_end in runs:
        while i < len(spans) and spans[i][0] < run_start:
            out.append(spans[i])
            i += 1
        out.extend((run_start + a, run_start + b) for a, b in chinese_words(text[run_start:run_end]))
        # word_spans keeps combining marks with the Han character before them: so does the run's last word.
        while i < len(spans) and spans[i][0] < run_end:
            if spans[i][1] > run_end:
                out[-1] = (out[-1][0], spans[i][1])
            i += 1
    out.extend(spans[i:])
    return out
