"""The span rule: where a claim's edges may sit, applied to every claim that is written.

Pure (no Django). `normalise_span` moves the edges of [start, end) (Python code points) inwards; the
editor previews the same rule in static/annotator/text.js (`normaliseSpan`), and a browser test runs both
over one table of cases (tests/fixtures/span_rule_cases.json) so they cannot drift apart.

The rule, each step switched by a key of the project schema's `span_rule` (all on by default), repeated
until nothing moves:

- `trim_spaces`: white space at either edge goes.
- `trim_quotes`: a quotation mark at either edge goes when it is unmatched inside the span or pairs with
  the mark at the other edge (the span is quoted as a whole). A mark that opens or closes a quotation
  inside the span stays (`He called it “a paper tiger”`). A mark opens when it follows the start of the
  text, white space, a bracket or another opening mark and comes before a non-space; otherwise it closes —
  so „…“ and »…« pair as well as “…”. An apostrophe between two letters or digits ("Putin’s") is part of
  the word, not a quotation mark. Chinese text has no space before its marks: “ and ‘ also open after a
  Han character or full-width punctuation (表示：“…”, 的“一带一路”); the corner quotes 「『, the title
  marks 《 and the full-width bracket （ always open, and 」』》） always close.
- `trim_final_punctuation`: one of `. ! ? ; : ,` (or the full-width `。！？；：，、`) at the end goes,
  except the full stop of an abbreviation:
  an initialism of two or more single letters each followed by a full stop ("U.S.", "e.g."), or a word in
  `ABBREVIATIONS` ("Mr.", "Inc."). Such a stop stays even at the end of a sentence.

A selection that the rule would empty (only quotes and punctuation) is returned unchanged: the rule never
removes a claim, it only tidies its edges.
"""

from collections.abc import Mapping

from annotator.corpus.schema import SPAN_RULE_KEYS

QUOTES = frozenset("\"'“”„‟«»‹›‘’‚‛「」『』《》（）")
OPENING_CONTEXT = frozenset("([{")
ALWAYS_OPENS = frozenset("「『《（")
ALWAYS_CLOSES = frozenset("」』》）")
# Marks that open after Chinese text with no space between ("表示：“", "的“"); ” and ’ there close.
OPENS_AFTER_CHINESE = frozenset("“‘")
CHINESE_PUNCTUATION = frozenset("，。！？；：、（【《「『“‘—…")
FINAL_PUNCTUATION = frozenset(".!?;:,。！？；：，、")
# Words written with a full stop that does not end a sentence (case-sensitive; kept in step with text.js).
ABBREVIATIONS = frozenset({
    "Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Jr", "Sr", "Gen", "Sen", "Rep", "Gov", "Lt", "Col", "Capt", "Sgt",
    "Inc", "Ltd", "Co", "Corp", "Jan", "Feb", "Mar", "Apr", "Aug", "Sept", "Oct", "Nov", "Dec", "etc", "vs",
})  # fmt: skip
DEFAULT_RULE: Mapping[str, bool] = dict.fromkeys(SPAN_RULE_KEYS, True)


def normalise_span(
    text: str, start: int, end: int, rule: Mapping[str, bool] = DEFAULT_RULE
) -> tuple[int, int]:
    """The span [start, end) of `text`, edges moved in by `rule`; unchanged if nothing would remain."""
    new_start, new_end = start, end
    while True:
        before = (new_start, new_end)
        if rule.get("trim_spaces", True):
            while new_start < new_end and text[new_start].isspace():
                new_start += 1
            while new_end > new_start and text[new_end - 1].isspace():
                new_end -= 1
        if rule.get("trim_quotes", True):
            new_start, new_end = _trim_quotes(text, new_start, new_end)
        if (
            rule.get("trim_final_punctuation", True)
            and new_end > new_start
            and text[new_end - 1] in FINAL_PUNCTUATION
            and not _is_abbreviation_stop(text, new_end - 1)
        ):
            new_end -= 1
        if (new_start, new_end) == before:
            break
    return (new_start, new_end) if new_start < new_end else (start, end)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _is_quote(text: str, i: int) -> bool:
    """A quotation mark, not an apostrophe inside a word."""
    if text[i] not in QUOTES:
        return False
    inside_word = 0 < i < len(text) - 1 and _is_word_char(text[i - 1]) and _is_word_char(text[i + 1])
    return not (text[i] in "'’" and inside_word)


def is_han(char: str) -> bool:
    """A Han character (the CJK Unified Ideographs and their extensions)."""
    code = ord(char)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2EBEF


def _opens(text: str, i: int) -> bool:
    if text[i] in ALWAYS_OPENS or text[i] in ALWAYS_CLOSES:
        return text[i] in ALWAYS_OPENS
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    # A mark after another opening mark opens too: the inner one of “‘nested’” quotes.
    follows_opening = before.isspace() or before in OPENING_CONTEXT
    follows_opening = follows_opening or (before in QUOTES and _opens(text, i - 1))
    follows_chinese = text[i] in OPENS_AFTER_CHINESE and (is_han(before) or before in CHINESE_PUNCTUATION)
    return (follows_opening or follows_chinese) and not after.isspace()


def _partners(text: str, start: int, end: int) -> dict[int, int]:
    """Quotation mark index → the index of the mark it pairs with, for the marks in [start, end)."""
    partners: dict[int, int] = {}
    open_marks: list[int] = []
    for i in range(start, end):
        if not _is_quote(text, i):
            continue
        if _opens(text, i):
            open_marks.append(i)
        elif open_marks:
            j = open_marks.pop()
            partners[i], partners[j] = j, i
    return partners


def _trim_quotes(text: str, start: int, end: int) -> tuple[int, int]:
    if start >= end:
        return start, end
    partners = _partners(text, start, end)
    first, last = start, end - 1
    trim_first = _is_quote(text, first) and partners.get(first, last) == last
    trim_last = last > first and _is_quote(text, last) and partners.get(last, first) == first
    return start + trim_first, end - trim_last


def _is_abbreviation_stop(text: str, i: int) -> bool:
    """The full stop at `i` ends an initialism ("U.S.") or a word of ABBREVIATIONS ("Mr.")."""
    if text[i] != ".":
        return False
    letters, j = 0, i
    while j >= 1 and text[j] == "." and text[j - 1].isalpha() and (j < 2 or not text[j - 2].isalpha()):
        letters += 1
        j -= 2
    if letters >= 2:
        return True
    word_start = i
    while word_start > 0 and text[word_start - 1].isalpha():
        word_start -= 1
    return text[word_start:i] in ABBREVIATIONS


def span_adjustment(before: tuple[int, int], after: tuple[int, int]) -> dict[str, list[int]] | None:
    """How the rule moved a span, as the API reports it: {"start": [old, new], "end": [old, new]}, or None."""
    if before == after:
        return None
    return {"start": [before[0], after[0]], "end": [before[1], after[1]]}
