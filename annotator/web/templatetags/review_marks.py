"""`{{ review|span_extras_by_claim|json_script:"review-span-extras" }}`: which characters of each claim's
span the other versions of that claim lack, for the review page to mark.

Read from the page data `passage_review` already built (offsets in code points, as the server counts).
"""

from typing import Any

from django import template

from annotator.review.compare import span_extras

register = template.Library()


@register.filter
def span_extras_by_claim(review: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    """Claim id -> [{"start", "end", "missing_from": [annotator id, ...]}].

    Claims whose every character the other versions of the claim cover are left out.
    """
    spans = {claim["id"]: (claim["start"], claim["end"]) for claim in review["claims"]}
    result: dict[int, list[dict[str, Any]]] = {}
    for row in review["rows"]:
        versions = {int(annotator): spans[claim_id] for annotator, claim_id in row["cells"].items()}
        for annotator, extras in span_extras(versions).items():
            if extras:
                result[row["cells"][str(annotator)]] = [
                    {"start": e.start, "end": e.end, "missing_from": list(e.missing_from)} for e in extras
                ]
    return result
