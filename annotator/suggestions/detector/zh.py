"""Quotations and reported speech in Chinese passages (pure).

Direct quotes are “…”, 「…」 and 『…』 (same-kind nesting honoured; 《…》 names a title and is never a
quote). A quote is attributed by a cue before it (外交部发言人毛宁表示：“…” / 他说，“…”) or after it
(“…，”王俊生说。 / “…。”他表示。); a quote without a cue of its own continues the previous quote's speaker
in the same paragraph. A quote is a phrase, not a claim, when it does not end a statement (。！？ inside
the marks) and the sentence runs on after it (“一带一路”倡议); a quote with no speaker is suggested only
when it is a statement (five characters or more, its own 。！？ inside the marks), not a name or a scare
quote (被称为“全面战略伙伴关系条约”).

Reported speech is a cue verb (表示, 称, 说, 指出, 认为, 强调, 坦言 …) with a subject before it, and the
clause after it up to the sentence end (。！？); a postposed cue (…，王俊生说。) takes the clause before
its comma; 据X报道，… and 在X看来，… take the clause after the comma, X being the source. Senses that
do not report are left out: 据说, 可以说, 说明, 称为, 堪称, 被认为, 普遍认为 (no subject), 这表示, 表示欢迎
and other stance nouns, a verb with an aspect marker (强调了 …).

The subject is what stands between the previous clause boundary (，；：。！？ or a closing quote) and the
cue, trimmed of connectives (但, 此外 …) at its start and of adjuncts at its end: dates (1日, 3月5日),
times (当天, 日前), settings (在记者会上, 在接受本报采访时), addressees (向记者), topics (就此事, 对此) and
adverbs (也, 再次, 坚定地). As in English, a mention is the name only: a title before a name is left
out (外交部发言人毛宁 → 毛宁, 中国人民大学教授王俊生 → 王俊生); a title alone is the mention (研究员,
外交部发言人). 他/她/他们/她们 are pronoun mentions.
"""

import re
from dataclasses import dataclass
from typing import Literal

from .speakers import Mention
from .text import trim_claim

PAIRS = {"“": "”", "「": "」", "『": "』"}
_OPENING = re.compile("[“「『]")
_CLOSING = "”」』"
_STATEMENT_END = "。！？!?…"
_HAN_CHAR = re.compile(r"[\u3400-\u9fff\w]")
_MIN_QUOTE = 5  # Han characters; a shorter speakerless quote is a scare quote
_MIN_CLAUSE = 4

_VERBS = [
    "表示",
    "指出",
    "认为",
    "强调",
    "坦言",
    "坦承",
    "直言",
    "声称",
    "宣称",
    "坚称",
    "透露",
    "介绍",
    "写道",
    "说道",
    "警告",
    "呼吁",
    "回应",
    "承认",
    "担心",
    "相信",
    "预计",
    "补充说",
    "告诉记者",
    "对记者说",
    "称",
    "说",
]
# A two-character verb may take 说, 道 or 称 after it: 警告说, 补充道, 回应称.
VERB = re.compile(
    "|".join(f"{v}(?:说|道|称)?" if len(v) > 1 else v for v in sorted(_VERBS, key=len, reverse=True))
)
# Characters before or after a verb that make it another word or a sense that reports nothing.
_NOT_AFTER = {
    "说": re.compile(
        r"(?:据|听|小|可以|也就是|换句话|换言之|虽|演|传|游|劝|解|学|再|不用|难|好|没|来|就是|这么|那么|怎么|所)$"
    ),
    "称": re.compile(r"(?:名|简|号|自|堪|俗|通|统|职|对|人|昵|尊|谦|爱|别|总|所)$"),
    "认为": re.compile(r"(?:被|公|所)$"),  # 普遍认为 has no subject: left out by the subject rule
}
_NOT_BEFORE = {
    "说": re.compile(r"明|服|法|辞|教|书|话|不定|起"),
    "称": re.compile(r"为|之|号|赞|霸|呼|谓|心|职|颂|道|作|得上"),
    "表示": re.compile(
        r"(?:感谢|欢迎|祝贺|哀悼|同情|关切|遗憾|赞赏|慰问|敬意|支持|反对|谴责|抗议|不满|愤慨|满意)"
    ),
}
_ASPECT = re.compile(r"[了过着的]")
_BOUNDARY = "，,；;：:。！？!?\n" + _CLOSING
_CLAUSE_LEAD = " \t：:，,"

_LEADING = re.compile(
    r"(?:但是|但|而且|而|不过|此外|另外|然而|同时|与此同时|对此|因此|其中|并且|此前|随后|另一方面|"
    r"\d{1,4}年\d{1,2}月\d{1,2}[日号]|\d{1,2}月\d{1,2}[日号]|\d{1,2}[日号]|今天|昨天|当天|当日|日前|近日)"
)
_TRAILING = re.compile(
    r"(?:在[^，。；：“”「」]{1,24}?(?:上|中|里|时|期间|之际|之前|以前|之后|以后|前|后)"
    r"|(?:在|于)?(?:接受|回答)[^，。；：“”「」]{0,24}?(?:采访|专访|提问|询问)时"
    r"|(?:向|对|跟|告诉)(?:本报记者|本报|记者|媒体)"
    r"|(?:发表|刊发|刊登)(?:评论文章|评论|社论|文章|声明|讲话|演讲)|发文|撰文|刊文"
    r"|就(?:此|[^，。；：“”「」]{1,24}?(?:问题|一事|事宜|此事|议题|话题))"
    r"|对此|对[^，。；：“”「」]{1,16}?(?:问题|一事|此事)"
    r"|\d{1,4}年\d{1,2}月\d{1,2}[日号]|\d{1,2}月\d{1,2}[日号]|\d{1,2}[日号]"
    r"|今天|昨天|前天|今日|昨日|日前|近日|近期|此前|当天|当日|本周[一二三四五六日]?|上周[一二三四五六日]?"
    r"|周[一二三四五六日]|稍早|早些时候|随后|最近|目前|同时|当时"
    r"|也|还|则|更|曾|曾经|再次|多次|一再|一直|反复|进一步|明确|公开|私下|已|已经|亦|都|均|并|又"
    r"|普遍|一般|通常|广泛|[\u4e00-\u9fff]{1,3}地)"
)
_TITLES = (
    "发言人|副教授|教授|高级研究员|副研究员|助理研究员|研究员|研究人员|副主任|主任|副部长|部长|外长|大使|"
    "副总统|总统|副主席|主席|副总理|总理|副院长|院长|副所长|所长|局长|司长|处长|校长|专家|学者|分析师|分析人士|"
    "记者|总书记|书记|委员|秘书长|国务卿|首相|参议员|众议员|议员|会长|理事长|董事长|总裁|经理|博士|官员|代表|"
    "顾问|主编|评论员|负责人|长官|领导人|外相|防长|特使|参赞|外交官|议长|市长|省长|州长"
)
# The last title before the name: 国家安全委员会发言人柯比 → 柯比, not 会发言人柯比.
# A name is two to six Han characters (斯托尔滕贝格), or longer with a foreign name's dot (安东尼·布林肯);
# it does not end an adjunct of time or place (会见代表团时 is no title 代表 and name 团时).
_TITLE_THEN_NAME = re.compile(
    rf".*(?:{_TITLES})(?P<name>[\u4e00-\u9fff]{{2,6}}|[\u4e00-\u9fff]+·[\u4e00-\u9fff·]+)(?<![时后前中上里])$"
)
_TITLE_END = re.compile(rf"(?:{_TITLES})$")
_PRONOUNS = frozenset(["他", "她", "他们", "她们"])
_NOT_A_SPEAKER = re.compile(
    r"(?:这|那|此|该|它|其|我|我们|你|你们|这些|那些|这一|有人|人们常)$|[“”「」『』《》]"
)
_MAX_MENTION = 20
# 据新华社报道，… / 在王俊生看来，…: the source, then the clause after the comma.
_ACCORDING = re.compile(
    r"(?:据(?P<source>[^，。；：“”「」]{1,30}?)(?:报道|报导|消息|介绍|透露|援引[^，。]{1,30}?称|称)"
    r"|在(?P<viewer>[^，。；：“”「」]{1,20}?)看来)[，,]"
)

Attribution = Literal["direct", "indirect"]


@dataclass(frozen=True, slots=True)
class Found:
    """A claim found in a Chinese passage: its span, how it is attributed, the mention, whether the cue is
    its own (False when it continues the previous quote's speaker)."""

    start: int
    end: int
    attribution: Attribution
    mention: Mention | None
    own_cue: bool = True


@dataclass(frozen=True, slots=True)
class _Quote:
    open_at: int
    close_at: int


def _closing_index(text: str, i: int, end: int) -> int | None:
    opening, closing = text[i], PAIRS[text[i]]
    depth = 0
    for j in range(i + 1, end):
        if text[j] == opening:
            depth += 1
        elif text[j] == closing:
            if depth == 0:
                return j
            depth -= 1
    return None


def find_quotes(text: str, start: int, end: int) -> list[_Quote]:
    """The outer quotations of text[start:end] in order; an unclosed mark is ignored."""
    quotes = []
    pos = start
    while (match := _OPENING.search(text, pos, end)) is not None:
        close = _closing_index(text, match.start(), end)
        if close is None:
            pos = match.end()
            continue
        quotes.append(_Quote(match.start(), close))
        pos = close + 1
    return quotes


def sentences(text: str, start: int, end: int, quotes: list[_Quote]) -> list[tuple[int, int]]:
    """Split at 。！？ (with closing marks after them), never inside a quote unless at its last character."""
    cuts = [start]
    for match in re.finditer(r"[。！？!?]+[”」』’）)]*", text[start:end]):
        at, cut = start + match.start(), start + match.end()
        if any(q.open_at < at < q.close_at - 1 for q in quotes):
            continue
        cuts.append(cut)
    cuts.append(end)
    spans = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            spans.append((a, b))
    return spans


def _inside(pos: int, quotes: list[_Quote]) -> bool:
    return any(q.open_at <= pos <= q.close_at for q in quotes)


def is_cue(text: str, verb: re.Match[str], start: int) -> bool:
    """Whether the verb at `verb` reports speech here (see the module docstring for the senses left out)."""
    word = verb.group()
    before = text[max(start, verb.start() - 4) : verb.start()]
    after = text[verb.end() : verb.end() + 4]
    not_after, not_before = _NOT_AFTER.get(word), _NOT_BEFORE.get(word)
    if not_after is not None and not_after.search(before):
        return False
    if not_before is not None and not_before.match(after):
        return False
    if before.endswith(("被", "所", "的")):
        return False
    return not _ASPECT.match(after)


def _trim_subject(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading connectives and trailing adjuncts (dates, settings, adverbs) from a subject."""
    while True:
        before = (start, end)
        while start < end and text[start] in " \t，,":
            start += 1
        while end > start and text[end - 1] in " \t，,":
            end -= 1
        lead = _LEADING.match(text, start, end)
        if lead is not None and lead.end() < end:
            start = lead.end()
        # The longest adjunct that leaves a subject ("他坦率地" → 他); all adjunct ("普遍") leaves none.
        cut = next((k for k in range(start + 1, end) if _TRAILING.fullmatch(text, k, end)), None)
        if cut is not None:
            end = cut
        elif _TRAILING.fullmatch(text, start, end):
            end = start
        if (start, end) == before:
            return start, end


def mention_of(text: str, start: int, end: int) -> Mention | None:
    """The speaker mention in a subject text[start:end] (see the module docstring), or None."""
    start, end = _trim_subject(text, start, end)
    if (
        end - start > 2 and text[end - 1] == "》" and "《" in text[start:end]
    ):  # a publication: 韩国《中央日报》
        start, end = text.rindex("《", start, end) + 1, end - 1
    subject = text[start:end]
    if not subject or _NOT_A_SPEAKER.search(subject):
        return None
    if subject in _PRONOUNS:
        return Mention(start, end, pronoun=True)
    titled = _TITLE_THEN_NAME.match(subject)
    if titled is not None and not _TITLE_END.search(titled.group("name")):
        return Mention(start + titled.start("name"), end)
    if len(subject) > _MAX_MENTION:  # a clause, not a name
        return None
    return Mention(start, end)


def _subject_start(text: str, lower: int, verb_start: int) -> int:
    """Where the clause holding the cue's subject starts: after the last boundary before the verb."""
    i = verb_start
    while i > lower and text[i - 1] not in _BOUNDARY:
        i -= 1
    return i


def speaker_before(text: str, para_start: int, open_at: int) -> Mention | None:
    """X表示：“…” / X说，“…”: the cue ends right before the opening mark."""
    end = open_at
    while end > para_start and text[end - 1] in _CLAUSE_LEAD:
        end -= 1
    verb = None
    for match in VERB.finditer(text, max(para_start, end - 6), end):
        if match.end() == end:
            verb = match
            break
    if verb is None or not is_cue(text, verb, para_start):
        return None
    return mention_of(text, _subject_start(text, para_start, verb.start()), verb.start())


_CUE_CLAUSE = re.compile(r"[，,\s]*(?P<clause>[^，。；：“”「」『』！？!?\n]{1,40})")
_ENDS_CUE = "。，,！？!?；;：:“「"  # what may follow the verb of a cue after a quote


def speaker_after(text: str, close_at: int, para_end: int) -> Mention | None:
    """“…，”王俊生说。 / “…。”他表示。: a subject and a cue verb that ends its clause (一位不愿透露姓名的
    官员对记者说: 说, not 透露)."""
    clause = _CUE_CLAUSE.match(text, close_at + 1, para_end)
    if clause is None:
        return None
    subject_at = clause.start("clause")
    for verb in VERB.finditer(text, subject_at, clause.end("clause")):
        after = text[verb.end() : verb.end() + 1]
        ends_clause = not after or after in _ENDS_CUE
        if verb.start() > subject_at and ends_clause and is_cue(text, verb, subject_at):
            return mention_of(text, subject_at, verb.start())
    return None


def _phrase(text: str, quote: _Quote, para_end: int) -> bool:
    """A quoted phrase running on in its sentence (“一带一路”倡议), not a quoted statement."""
    ends_statement = text[quote.close_at - 1] in _STATEMENT_END + "，,"
    runs_on = quote.close_at + 1 < para_end and _HAN_CHAR.match(text, quote.close_at + 1) is not None
    return not ends_statement and runs_on


def _direct(text: str, para: tuple[int, int], quotes: list[_Quote]) -> list[Found]:
    found: list[Found] = []
    previous: Found | None = None
    for quote in quotes:
        mention = speaker_before(text, para[0], quote.open_at) or speaker_after(text, quote.close_at, para[1])
        own_cue = mention is not None
        if _phrase(text, quote, para[1]):
            continue
        start, end = trim_claim(text, quote.open_at + 1, quote.close_at)
        if start >= end:
            continue
        if mention is None and previous is not None and previous.mention is not None:
            mention = previous.mention
        elif mention is None and (end - start < _MIN_QUOTE or text[quote.close_at - 1] not in _STATEMENT_END):
            continue  # a scare quote or a name: “全面战略伙伴关系条约”
        previous = Found(start, end, "direct", mention, own_cue)
        found.append(previous)
    return found


def _wholly_quoted(start: int, end: int, quotes: list[_Quote]) -> bool:
    return any(q.open_at <= start and end <= q.close_at + 1 for q in quotes)


def _according(text: str, s: int, e: int, quotes: list[_Quote]) -> Found | None:
    match = _ACCORDING.match(text, s, e)
    if match is None:
        return None
    start, end = trim_claim(text, match.end(), e)
    group = "source" if match.group("source") is not None else "viewer"
    source = mention_of(text, match.start(group), match.end(group))
    return Found(start, end, "indirect", source) if start < end else None


def _cue_of_a_quote(text: str, s: int, verb: re.Match[str], quotes: list[_Quote]) -> bool:
    """True when the sentence opens with a quoted statement and the verb is its cue: “…，”X对记者说。"""
    opening = next((q for q in quotes if q.open_at == s), None)
    return (
        opening is not None
        and opening.close_at < verb.start()
        and text[opening.close_at - 1] in _STATEMENT_END + "，,"
    )


def reported(text: str, s: int, e: int, quotes: list[_Quote]) -> Found | None:
    """The first reported-speech claim in the sentence text[s:e], if any."""
    lead = _LEADING.match(text, s, e)
    according = _according(text, lead.end() if lead else s, e, quotes)
    if according is not None:
        return according
    for verb in VERB.finditer(text, s, e):
        if (
            _inside(verb.start(), quotes)
            or not is_cue(text, verb, s)
            or _cue_of_a_quote(text, s, verb, quotes)
        ):
            continue
        subject_from = _subject_start(text, s, verb.start())
        mention = mention_of(text, subject_from, verb.start())
        if mention is None:
            continue
        clause = verb.end()
        while clause < e and text[clause] in _CLAUSE_LEAD:
            clause += 1
        if not text[clause:e].strip("。！？!? \t"):  # postposed: "…，王俊生说。"
            head_end = subject_from
            if head_end > s and text[head_end - 1] in "，,":
                start, end = trim_claim(text, s, head_end - 1)
                if end - start >= _MIN_CLAUSE and not _wholly_quoted(start, end, quotes):
                    return Found(start, end, "indirect", mention)
            continue
        start, end = trim_claim(text, clause, e)
        if end - start < _MIN_CLAUSE or _wholly_quoted(start, end, quotes):
            continue
        return Found(start, end, "indirect", mention)
    return None


def find(text: str, para: tuple[int, int]) -> tuple[list[Found], list[Found]]:
    """Direct and reported claims of one Chinese paragraph."""
    quotes = find_quotes(text, *para)
    direct = _direct(text, para, quotes)
    indirect = []
    for s, e in sentences(text, *para, quotes):
        claim = reported(text, s, e, quotes)
        if claim is not None:
            indirect.append(claim)
    return direct, indirect
