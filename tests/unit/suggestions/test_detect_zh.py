"""The detector on constructed Chinese sentences, its Chinese gold sets, and the script check."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.corpus.schema import load_default_schema
from annotator.suggestions.detect import Suggestion, detect
from annotator.suggestions.detector.evaluation import Scores, evaluate_document
from annotator.suggestions.detector.gold import gold_problems, load_gold
from annotator.suggestions.detector.script import han_share, is_chinese

ROOT = Path(__file__).resolve().parents[3]
GOLD = ROOT / "fixtures" / "gold_zh"


def found(text: str, **kwargs) -> list[tuple[str, str, str | None, str | None]]:
    """(content, attribution, speaker, mention) of every suggestion, in order."""
    return [_row(text, s) for s in detect(text, **kwargs)]


def _row(text: str, s: Suggestion) -> tuple[str, str, str | None, str | None]:
    mention = None if s.mention_start is None else text[s.mention_start : s.mention_end]
    return text[s.start : s.end], s.attribution, s.speaker, mention


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "外交部发言人毛宁1日在例行记者会上表示：“中方始终主张通过对话解决问题。”",
            ("中方始终主张通过对话解决问题", "direct", "毛宁"),
        ),
        ("陈静强调：「任何一方都不应制造紧张。」", ("任何一方都不应制造紧张", "direct", "陈静")),
        ("“两国的条约不针对任何第三方。”普京说。", ("两国的条约不针对任何第三方", "direct", "普京")),
        (
            "“朝鲜不会放弃核武器，”一位不愿透露姓名的韩国官员对记者说。",
            ("朝鲜不会放弃核武器", "direct", "一位不愿透露姓名的韩国官员"),
        ),
        (
            "中国人民大学教授王俊生表示，中美关系已经进入新的阶段。",
            ("中美关系已经进入新的阶段", "indirect", "王俊生"),
        ),
        (
            "研究员认为，美国的同盟体系正在面临新的挑战。",
            ("美国的同盟体系正在面临新的挑战", "indirect", "研究员"),
        ),
        ("林剑在接受本报采访时指出，台湾问题是中国内政。", ("台湾问题是中国内政", "indirect", "林剑")),
        ("张伟坦言，半岛无核化目标短期内难以实现。", ("半岛无核化目标短期内难以实现", "indirect", "张伟")),
        ("朝鲜外务省在声明中称，美韩军演是严重挑衅。", ("美韩军演是严重挑衅", "indirect", "朝鲜外务省")),
        ("中美两国仍有合作空间，王俊生说。", ("中美两国仍有合作空间", "indirect", "王俊生")),
        ("据新华社报道，两国元首将于下月举行会晤。", ("两国元首将于下月举行会晤", "indirect", "新华社")),
        ("据《环球时报》报道，中方已表明立场。", ("中方已表明立场", "indirect", "环球时报")),
        ("在李明看来，朝俄接近是对美国施压的回应。", ("朝俄接近是对美国施压的回应", "indirect", "李明")),
        (
            "美国国家安全委员会发言人柯比说，美方将密切关注事态。",
            ("美方将密切关注事态", "indirect", "柯比"),  # the last title before the name
        ),
        (
            "王俊生表示，“一带一路”倡议为地区合作提供了新平台。",
            ("“一带一路”倡议为地区合作提供了新平台", "indirect", "王俊生"),  # a quoted name stays
        ),
    ],
)
def test_each_pattern_gives_its_claim_speaker_and_mention(text, expected):
    claim, attribution, mention = expected
    assert found(text) == [(claim, attribution, mention, mention)]


def test_a_quote_without_a_cue_continues_the_speaker_of_the_previous_quote():
    text = "“美国应当停止拼凑小圈子，”林剑表示，“这只会加剧阵营对抗。”"
    assert found(text) == [
        ("美国应当停止拼凑小圈子", "direct", "林剑", "林剑"),
        ("这只会加剧阵营对抗", "direct", "林剑", "林剑"),
    ]


def test_a_pronoun_takes_the_speaker_named_in_an_earlier_paragraph():
    text = "孙卫东在北京会见代表团时说，中方支持双方改善关系。\n他表示，中韩关系的基础是相互尊重。"
    assert found(text) == [
        ("中方支持双方改善关系", "indirect", "孙卫东", "孙卫东"),
        ("中韩关系的基础是相互尊重", "indirect", "孙卫东", "他"),
    ]


def test_a_name_is_not_read_out_of_an_adjunct_of_time():
    text = "孙卫东会见代表团时说，中方支持双方改善关系。"
    assert found(text)[0][2] != "团时"


def test_a_mention_links_to_a_known_speaker_by_a_chinese_alias():
    text = "外交部发言人毛宁表示，中方对此持开放态度。"
    (suggestion,) = detect(text, known_speakers={"mao ning": "Mao Ning", "毛宁": "Mao Ning"})
    assert suggestion.speaker_key == "毛宁"


def test_a_mention_links_to_a_known_speaker_written_in_the_other_script():
    text = "教授王俊生表示，中美关系已经进入新的阶段。\n“Our ties are strong,” Junsheng Wang said."
    latin = detect(text, known_speakers={"wang junsheng": "Wang Junsheng"})
    assert [s.speaker_key for s in latin] == ["wang junsheng", "wang junsheng"]
    han = detect(text, known_speakers={"王俊生": "王俊生", "王毅": "王毅"})
    assert [s.speaker_key for s in han] == ["王俊生", "王俊生"]
    assert detect(text, known_speakers={"wang yi": "Wang Yi"})[0].speaker_key is None


@pytest.mark.parametrize(
    "text",
    [
        "“一带一路”倡议已经实施了十余年。",  # a quoted name running on
        "所谓“新冷战”的说法在西方十分流行。",  # 说法 is a noun
        "两国签署的文件被称为“全面战略伙伴关系条约”。",  # 称为 names; the quote is a title
        "这份报告的标题是《中国如何看待朝俄关系》。",
        "据说两国将在年底前签署新的协议。",
        "这说明两国关系已经发生了深刻变化。",
        "他被认为是最有影响力的学者之一。",
        "普遍认为，半岛局势在短期内不会缓和。",  # no one who says it
        "中方对此表示欢迎。",  # a stance, not a clause
        "他在会上强调了双边合作的重要性。",  # 强调了 takes a noun phrase
        "可以说，这是冷战结束以来最重要的会晤。",
        "这部小说讲述了一个家庭的故事。",
        "这一结果堪称近年来最大的外交突破。",
        "一份名为「东北亚安全展望」的报告长达百页。",
    ],
)
def test_words_that_do_not_report_here_give_nothing(text):
    assert found(text) == []


def test_english_paragraphs_beside_chinese_ones_are_read_by_the_english_rules():
    english = "Blinken said: “The alliance will hold firm this winter.”"
    text = f"{english}\n王俊生表示，中美关系已经进入新的阶段。"
    assert found(text) == [
        ("The alliance will hold firm this winter", "direct", "Blinken", "Blinken"),
        ("中美关系已经进入新的阶段", "indirect", "王俊生", "王俊生"),
    ]
    assert found(english) == found(text)[:1]


def test_the_script_check_counts_han_among_letters():
    assert is_chinese("外交部发言人毛宁表示，中方坚决反对。")
    assert is_chinese("美国国务卿Antony Blinken表示，美方将与盟友协调。")
    assert not is_chinese("Wang Junsheng (王俊生), a research fellow, said the ties are changing.")
    assert han_share("1234。") == 0.0


def _gold_sets() -> list[tuple[str, dict]]:
    return [(path.name, load_gold(path)) for path in sorted(GOLD.glob("*.json"))]


def test_the_chinese_gold_is_sound_and_up_to_date():
    names = [name for name, _ in _gold_sets()]
    assert names == ["zh_constructed.json", "zh_second.json", "zh_unseen.json"]
    schema = load_default_schema()
    for _, gold in _gold_sets():
        text = (GOLD / gold["document"]).read_text(encoding="utf-8")
        assert gold_problems(gold, text, schema) == []
    # The JSON is what build.py writes from the sentences in it.
    built = subprocess.run(
        [
            sys.executable,
            "-c",
            "import build; print(build.json.dumps([build.build(*s)[1] for s in build.SETS]))",
        ],
        cwd=GOLD,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(built.stdout) == [gold for _, gold in _gold_sets()]


def test_the_detector_meets_its_targets_on_the_chinese_gold():
    """The regression guard behind the README's Chinese table."""
    per_set = {}
    for _, gold in _gold_sets():
        per_set[gold["document"]] = evaluate_document(
            (GOLD / gold["document"]).read_text(encoding="utf-8"), gold
        )
    total = sum(per_set.values(), Scores())
    assert total.gold >= 60
    assert total.precision("exact") >= 0.95, total
    assert total.recall("exact") >= 0.9, total
    unseen = per_set["zh_unseen.txt"]
    assert unseen.precision("overlap") >= 0.9 and unseen.recall("overlap") >= 0.8, unseen
