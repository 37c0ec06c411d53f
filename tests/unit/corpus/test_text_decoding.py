"""Article bytes in the encodings other software saves them in: decoded exactly, or refused, never guessed
into noise."""

import codecs

import pytest

from annotator.corpus.text_decoding import UndecodableText, decode_text

SIMPLIFIED = (
    "朝俄峰会在平壤举行。分析人士认为，这次会晤意义重大。中国外交部发言人表示，中方一贯主张通过对话解决问题。"
)
TRADITIONAL = (
    "朝俄峰會在平壤舉行。分析人士認為，這次會晤意義重大。中國外交部發言人表示，中方一貫主張通過對話解決問題。"
)
WESTERN = "Officials said “the partnership threatens the region” — a café résumé, naïve or not.\n"


def test_utf8_is_read_as_it_is_and_its_byte_order_mark_dropped():
    assert decode_text(SIMPLIFIED.encode()) == decode_text(codecs.BOM_UTF8 + SIMPLIFIED.encode())
    assert decode_text(SIMPLIFIED.encode()).encoding == "UTF-8"
    assert decode_text(codecs.BOM_UTF8 + SIMPLIFIED.encode()).text == SIMPLIFIED


@pytest.mark.parametrize(
    ("text", "codec", "named"),
    [
        (SIMPLIFIED, "gbk", "GB18030"),
        (SIMPLIFIED, "gb2312", "GB18030"),
        (SIMPLIFIED + " 𠀀 astral", "gb18030", "GB18030"),
        (TRADITIONAL, "big5", "Big5"),
        (WESTERN * 3, "cp1252", "Windows-1252"),
    ],
)
def test_legacy_encodings_are_recognised_and_decoded_exactly(text, codec, named):
    decoded = decode_text(text.encode(codec))
    assert (decoded.text, decoded.encoding) == (text, named)


@pytest.mark.parametrize(("codec", "named"), [("utf-16", "UTF-16"), ("utf-32", "UTF-32")])
def test_a_byte_order_mark_names_the_encoding(codec, named):
    decoded = decode_text((TRADITIONAL + WESTERN).encode(codec))  # Python writes the mark
    assert (decoded.text, decoded.encoding) == (TRADITIONAL + WESTERN, named)
    big_endian = codecs.BOM_UTF16_BE + "Text".encode("utf-16-be")
    assert decode_text(big_endian).text == "Text"


def test_noise_is_refused_at_the_first_byte_that_is_not_utf8():
    with pytest.raises(UndecodableText) as info:
        decode_text(b"Plain start \x81\x8d\x8f\x90\x9d")
    assert (info.value.offset, info.value.encoding, str(info.value)) == (
        12,
        "UTF-8",
        "not UTF-8 text (byte offset 12)",
    )


def test_big5_is_not_read_as_gb18030_through_the_private_use_area():
    """Big5 bytes often decode as GB18030 too, into private-use characters: those never pass."""
    decoded = decode_text(TRADITIONAL.encode("big5"))
    assert decoded.encoding == "Big5" and not any("\ue000" <= c <= "\uf8ff" for c in decoded.text)


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text.encode()[:600] + b"\xff" + text.encode()[600:],  # a stray byte
        lambda text: text.encode() + "中".encode()[:2],  # cut in the middle of a character
        lambda text: text.encode()[:300] + b" caf\xe9 " + text.encode()[300:],  # one Latin-1 word
    ],
)
def test_a_utf8_file_with_one_bad_byte_is_refused_not_read_as_mojibake(damage):
    for text in (SIMPLIFIED * 20, WESTERN * 20):
        with pytest.raises(UndecodableText) as info:
            decode_text(damage(text))
        assert info.value.encoding == "UTF-8"
