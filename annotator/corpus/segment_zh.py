"""Chinese forms of the article segmentation rules of ``annotator.corpus.segment`` (pure; no Django).

Chinese articles (``language`` "zh" or "zh-…") follow the same rules as English ones with Chinese forms:
sentences end at 。！？； (and at ! ? … or …… followed by a Chinese character), closing quotes and
brackets ”’」』）》 staying in the sentence; a heading is at most 30 characters long (a Chinese line has no
spaces, so words cannot be counted; each Han character and each other word counts one) without
sentence-final punctuation; the page furniture of Chinese news sites is furniture wherever it stands: credit
and editor lines (来源：, 责任编辑：, 原标题：, 图片来源：, …), captions ending in a photographer's credit
(…摄), a whole-line 【…】 heading, breadcrumbs (首页 > 国际) and promotion lines (扫码关注…, 点击…, (更多…),
版权声明…).

Offsets, segments and reasons are those of ``annotator.corpus.segment``, whose shared helpers this module
uses; ``segment_article`` there calls ``zh_segments`` for a Chinese language.
"""

from __future__ import annotations

import re

from annotator.corpus.segment import (
    _BODY,
    _CAPTION_BEFORE_CREDIT,
    _CAPTION_WITH_CREDIT,
    _CLOSERS,
    _CREDIT,
    _HAN_CHAR,
    _HEADING,
    _NO_WORDS,
    _OPENERS,
    _REPEATED_TITLE,
    _SECTION_PATH,
    _TITLE,
    _TRAILING_CREDIT,
    _WORD,
    HAN,
    _ends_with,
    _is_credit,
    _is_section_path,
    _key,
    _split_long,
    guess_title,
)

__all__ = ["ZH_CAPTION_MAX_CHARS", "ZH_HEADING_MAX_CHARS", "ZH_PROMOTION_MAX_CHARS", "zh_segments"]

ZH_HEADING_MAX_CHARS = 30  # a Chinese line this short (``_zh_length``) without sentence-final punctuation
ZH_CAPTION_MAX_CHARS = 80  # a one-sentence line this short right before a picture credit is its caption
ZH_PROMOTION_MAX_CHARS = 60  # a promotion line (扫码关注…, 点击…) is no longer than this
_ZH_CLOSER_CHARS = "”’\"'»)]」』）》】〕〉"
_ZH_CLOSERS = re.escape(_ZH_CLOSER_CHARS)
_ZH_OPENERS = re.escape("“‘「『《（(【〔〈")
_ZH_SENTENCE_BREAK = re.compile(
    # English sentences inside a Chinese text (a Latin capital or digit after the space), then the Chinese
    # stops, then ! ? … that end a sentence only where a Chinese character or opening quote follows.
    rf"[.!?…][{_CLOSERS}]*\s+(?=[{_OPENERS}]?[A-Z0-9])"
    rf"|[。！？；][{_ZH_CLOSERS}]*\s*(?=\S)"
    rf"|(?:[!?]|…+)[{_ZH_CLOSERS}]*(?=[{_ZH_OPENERS}{HAN}])"
)
_ZH_CLAUSE_ENDS = "，、：,:"  # a Chinese sentence too long for a passage is cut after one of these
_NON_HAN_WORD = re.compile(rf"[^\W{HAN}]+")
_ZH_CREDIT_WORDS = (
    r"(?:消息|新闻|稿件|本文|文章|图片|视频|题图|封面|配图)?来源|原标题|原文标题|(?:责任|实习|值班)?编辑|责编"
    r"|校对|审核|审校|监制|出品|制作|策划|作者|撰文|文字|翻译|编译|编审"
)
_ZH_PICTURE_CREDIT_WORDS = r"图片来源|图片|图|摄影|视频来源|题图|封面(?:图片)?|配图"
# Credit and editor lines: "来源：新华社", "责任编辑：王某", "（图片来源：视觉中国）", "图/新华社".
_ZH_CREDIT = re.compile(
    rf"^[（(【\[]?\s*(?:{_ZH_CREDIT_WORDS}|{_ZH_PICTURE_CREDIT_WORDS})\s*[：:]|^图\s*[/／]"
)
_ZH_PICTURE_CREDIT = re.compile(rf"^[（(【\[]?\s*(?:{_ZH_PICTURE_CREDIT_WORDS})\s*[：:]|^图\s*[/／]")
# A caption that ends with its photographer or its picture's source: "……会晤。新华社记者 李某 摄".
_ZH_TRAILING_CREDIT = re.compile(
    rf"摄\s*[)）]?$|[（(]\s*(?:{_ZH_PICTURE_CREDIT_WORDS}|来源)\s*[：:/／][^（）()]*[)）]$"
)
# Promotion and navigation lines of Chinese news pages, checked from the line start; only short lines that
# do not end a sentence ("相关报道称，……。" is body).
_ZH_PROMOTION = re.compile(
    r"^[（(【\[]?\s*(?:扫码|扫一扫|扫描二维码|长按(?:识别|扫描)|微信扫|点击|戳(?:这里|此处|链接)|关注(?:我们|公众号|微信|微博)"
    r"|下载(?:客户端|APP)|打开(?:客户端|APP)|分享到|分享至|更多(?:精彩|内容|新闻|资讯|报道)|(?<=[（(])更多|相关(?:阅读|新闻|报道|链接)"
    r"|延伸阅读|推荐阅读|热门推荐|往期回顾|返回(?:搜狐|首页|顶部)|查看(?:更多|原文)|阅读原文|欢迎(?:关注|订阅))",
    re.IGNORECASE,
)
# Copyright notices, of any length, wherever they stand.
_ZH_NOTICE = re.compile(
    r"^[（(【\[]?\s*(?:版权声明|版权所有|免责声明|特别声明|声明\s*[：:]|转载请注明|未经\S{0,10}(?:授权|许可)"
    r"|本文(?:系|为|来自)\S{0,20}(?:原创|独家|授权|转载)|Copyright|©)",
    re.IGNORECASE,
)
_ZH_BRACKETED = re.compile(r"^【[^【】]+】$")
_ZH_BREADCRUMB = re.compile(r"\s*(?:>|＞|»|›|->)\s*")

_ZH_PROMOTION_LINE = ("furniture", "promotion line")
_ZH_NOTICE_LINE = ("furniture", "copyright notice")


def _zh_length(line: str) -> int:
    """A Chinese line's length for the heading and caption rules: Han characters plus other words."""
    return len(_HAN_CHAR.findall(line)) + len(_NON_HAN_WORD.findall(line))


def _zh_ends_sentence(line: str) -> bool:
    return _ends_with(line, ".!?…:;。！？；：", _ZH_CLOSER_CHARS)


def _zh_ends_full_stop(line: str) -> bool:
    return _ends_with(line, ".!?。！？", _ZH_CLOSER_CHARS)


def _zh_is_breadcrumb(line: str) -> bool:
    parts = _ZH_BREADCRUMB.split(line)
    return len(parts) >= 2 and all(p and _zh_length(p) <= 8 for p in parts)


def _zh_sentence_count(text: str) -> int:
    return 1 + sum(1 for _ in _ZH_SENTENCE_BREAK.finditer(text.rstrip()))


def _zh_classify_line(line: str) -> tuple[str, str] | None:
    """The Chinese rules 2–5 for one line (title aside): its (kind, reason), or None if none decides it."""
    if not _WORD.search(line):
        return _NO_WORDS
    if _ZH_CREDIT.search(line) or _is_credit(line, may_have_credit=True):
        return _CREDIT
    if _ZH_TRAILING_CREDIT.search(line) or (line.startswith("(") and _TRAILING_CREDIT.search(line)):
        return _CAPTION_WITH_CREDIT
    if _ZH_NOTICE.search(line):
        return _ZH_NOTICE_LINE
    length = _zh_length(line)
    if length <= ZH_PROMOTION_MAX_CHARS and _ZH_PROMOTION.search(line) and not _zh_ends_full_stop(line):
        return _ZH_PROMOTION_LINE
    if _is_section_path(line) or _zh_is_breadcrumb(line):
        return _SECTION_PATH
    if _ZH_BRACKETED.match(line) or (length <= ZH_HEADING_MAX_CHARS and not _zh_ends_sentence(line)):
        return _HEADING
    return None


def _zh_classify(text: str, spans: list[tuple[int, int]], title: str | None) -> list[tuple[str, str]]:
    """``segment._classify`` with the Chinese forms of the rules; promotion lines are furniture anywhere."""
    lines = [text[s:e] for s, e in spans]
    title_key = _key(title) if title else None
    decided: list[tuple[str, str] | None] = [None] * len(lines)
    seen_title = False
    for i, line in enumerate(lines):
        if title_key is not None and _key(line) == title_key:
            decided[i] = _REPEATED_TITLE if seen_title else _TITLE
            seen_title = True
        else:
            decided[i] = _zh_classify_line(line)
    # A short single sentence right before a picture credit ("图片来源：…", "图/…") is that picture's caption;
    # a source line ("来源：新华社") follows the article, not a picture.
    for i in range(1, len(lines)):
        if decided[i - 1] is None and decided[i] == _CREDIT and _ZH_PICTURE_CREDIT.search(lines[i]):
            prev = lines[i - 1]
            if _zh_length(prev) <= ZH_CAPTION_MAX_CHARS and _zh_sentence_count(prev) == 1:
                decided[i - 1] = _CAPTION_BEFORE_CREDIT
    return [d if d is not None else _BODY for d in decided]


def zh_segments(
    text: str, spans: list[tuple[int, int]], title: str | None, max_chars: int
) -> list[tuple[int, int, str, str]]:
    """The (start, end, kind, reason) segments of a Chinese article's trimmed line ``spans``.

    ``annotator.corpus.segment.segment_article`` for a Chinese language: the title guessed as for English
    when not given, and a body line longer than ``max_chars`` split at Chinese sentence ends, then clauses.
    """
    if title is None:
        title = guess_title(text)
    segments = []
    for (s, e), (kind, reason) in zip(spans, _zh_classify(text, spans, title), strict=True):
        if kind == "body" and e - s > max_chars:
            pieces = _split_long(text, s, e, max_chars, _ZH_SENTENCE_BREAK, _ZH_CLAUSE_ENDS)
            segments.extend((ps, pe, kind, "long paragraph split") for ps, pe in pieces)
        else:
            segments.append((s, e, kind, reason))
    return segments
