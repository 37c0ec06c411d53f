"""Which rules a passage needs: a script check on its letters (pure).

A passage is Chinese when at least `CHINESE_SHARE` of its letters are Han characters; names written in
Latin script inside a Chinese sentence ("美国国务卿Antony Blinken") do not tip it over, nor does a Chinese
name inside an English one.
"""

import re

CHINESE_SHARE = 0.3
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")


def han_share(text: str) -> float:
    """Han characters over all letters of `text` (0.0 when it has no letters)."""
    letters = sum(ch.isalpha() for ch in text)
    return len(HAN.findall(text)) / letters if letters else 0.0


def is_chinese(text: str) -> bool:
    return han_share(text) >= CHINESE_SHARE
