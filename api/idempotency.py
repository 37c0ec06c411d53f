"""The `Idempotency-Key` request header: read and checked here, kept by annotator.idempotency."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request

from annotator.idempotency.services import IdempotentRequest, request_fingerprint

HEADER = "Idempotency-Key"
MAX_LENGTH = 200
# Set on a 201 that repeats the answer to an earlier request with the same key (nothing new was made).
REPLAYED_HEADER = "Idempotent-Replayed"

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    location=OpenApiParameter.HEADER,
    description=(
        "Optional; a fresh random value (a UUID) per new create, the same value when repeating it. A "
        f"repeat returns the first result (201, current state, `{REPLAYED_HEADER}: true`) instead of "
        "creating again; the same key with a different body is a 422. Keys are kept at least "
        "IDEMPOTENCY_KEY_HOURS (24 h). 1–200 visible ASCII characters."
    ),
)


def idempotent_request(request: Request, *, scope: str, data: dict[str, Any]) -> IdempotentRequest | None:
    """The request's key with what it asks for (`data`, as validated), or None when it has no key.

    A malformed key is a 400 naming the header.
    """
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_LENGTH or not all("!" <= char <= "~" for char in key):
        raise serializers.ValidationError(
            {HEADER: [f"Give 1 to {MAX_LENGTH} visible ASCII characters (a UUID, say) or no header."]}
        )
    return IdempotentRequest(
        user_id=request.user.pk,
        key=key,
        scope=scope,
        fingerprint=request_fingerprint(scope=scope, data=data),
    )
