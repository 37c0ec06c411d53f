"""Request parsers: a body is one JSON object, parsed with the limits of annotator.jsonsafe, or a
well-formed multipart form.

DRF's own parser answers a deeply nested body with a RecursionError (a 500) and lets a NUL or a lone
surrogate through to PostgreSQL; every request body the API takes is an object of fields, so an array,
a string or a number is refused here too, before a view calls `.get` on it.

Django's multipart parser reads a body without a single part (a JSON array sent as multipart/form-data,
say) as an empty form, which a partial update would take as "change nothing" and answer 200; a non-empty
body that holds no part is refused instead.
"""

import codecs
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles, JSONParser, MultiPartParser

from annotator import jsonsafe

_JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean"}
_JSON_KINDS[type(None)] = "null"


class ObjectJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            data = jsonsafe.loads(text)
        except jsonsafe.UnsafeJSON as error:
            raise ParseError(f"JSON refused: {error.msg}.") from None
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from None
        if not isinstance(data, dict):
            raise ParseError(f"Send a JSON object of fields, not {_JSON_KINDS.get(type(data), 'that')}.")
        return data


class StrictMultiPartParser(MultiPartParser):
    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: dict | None = None
    ) -> DataAndFiles:
        parsed = super().parse(stream, media_type, parser_context)
        request = (parser_context or {}).get("request")
        declared = int((request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0)
        if declared > 0 and not parsed.data and not parsed.files:
            raise ParseError("Multipart body holds no form field or file: send fields as parts.")
        return parsed
