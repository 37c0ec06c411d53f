"""The bytes of an uploaded article file as text (no Django).

UTF-8 is read as it is. Files saved by other software come in other encodings: Excel on a Chinese Windows
saves CSV in GBK, Taiwanese and Hong Kong sites and archives use Big5, Excel on a Western Windows saves
CSV in Windows-1252, and Excel's "Unicode text" is UTF-16 with a byte-order mark. A byte-order mark says
its encoding outright; bytes that are not UTF-8 are decoded in whichever of GB18030 (which contains GBK
and GB2312), Big5 and Windows-1252 charset-normalizer finds coherent, and refused when none is: a
guess that reads as noise would store garbled articles that no later step can mend.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

# (mark, codec of the bytes after it, name); the longest mark first: UTF-32's little-endian mark begins
# with UTF-16's.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
LEGACY_ENCODINGS = {"gb18030": "GB18030", "big5": "Big5", "cp1252": "Windows-1252"}
# A Big5 file decoded as GB18030 (or the reverse) lands in the private use area, which real text avoids.
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # its name as people know it, and a name Python's codecs accept: "UTF-8", "GB18030", …


class UndecodableText(ValueError):
    """Bytes that no encoding read here decodes coherently; `offset` is the first byte that is not UTF-8."""

    def __init__(self, offset: int, encoding: str = "UTF-8") -> None:
        super().__init__(f"not {encoding} text (byte offset {offset})")
        self.offset = offset
        self.encoding = encoding


def decode_text(data: bytes) -> DecodedText:
    """The text of `data`, by its byte-order mark, as UTF-8, or in the legacy encoding it reads coherently
    in; raises UndecodableText."""
    for mark, codec, encoding in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                return DecodedText(data[len(mark) :].decode(codec), encoding)
            except UnicodeDecodeError as error:
                raise UndecodableText(len(mark) + error.start, encoding) from None
    try:
        return DecodedText(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError as error:
        not_utf8 = UndecodableText(error.start)
    guess = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)).best()
    if guess is None or guess.encoding not in LEGACY_ENCODINGS:
        raise not_utf8
    try:
        text = data.decode(guess.encoding)
    except UnicodeDecodeError:  # charset-normalizer can pass a file with a few undecodable bytes
        raise not_utf8 from None
    if _PRIVATE_USE.search(text):
        raise not_utf8
    return DecodedText(text, LEGACY_ENCODINGS[guess.encoding])
