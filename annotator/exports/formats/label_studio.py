"""Label Studio JSON: the export writer and a matching labeling config (pure; no Django).

What Label Studio 1.23 accepts on import (HumanSignal/label-studio, ``label_studio/tasks/serializers.py``,
``BaseTaskSerializerBulk._insert_valid_completed_by`` and ``add_annotations``): an annotation's
``completed_by`` is an object with an ``email`` of a member of the organisation (an unknown e-mail is
refused unless the server runs with ``ALLOW_IMPORT_TASKS_WITH_UNKNOWN_EMAILS=true``), or the int id of a
member, or absent (the annotation goes to the importing user); an object without ``email`` is refused.
Of an annotation it keeps ``result``, ``ground_truth``, ``was_cancelled``, ``lead_time`` and ``id``, and
ignores other keys. The config is checked by ``label_studio/core/label_config.py``
(``validate_label_config``): XML against ``core/utils/schema/label_config_schema.json`` (``Labels`` and
``Choices`` need ``name``, ``toName`` and children; ``Text`` needs ``name`` and ``value``), names unique,
every ``toName`` an existing name.

Label Studio stores ``<Text>`` region offsets in code points, as we do (see ``annotator.exports.formats``
for the evidence); the reader also recognises the UTF-16 offsets of versions before 2022.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from xml.sax.saxutils import quoteattr

from annotator.exports.formats.records import (
    CLAIM_LABEL,
    GOLD,
    SAID_BY,
    SPEAKER_LABEL,
    ClaimRecord,
    PassageRecord,
    check_source,
    claim_fields,
    claim_groups,
    dumps,
    mention_span,
)

__all__ = ["LS_REGION_FIELDS", "label_studio_annotation", "label_studio_config", "label_studio_json"]

# Per-region controls on a CLAIM region carrying the claim's fields: (from_name, result type, value key).
LS_REGION_FIELDS = (
    ("perspective", "choices", "choices"),
    ("stance", "choices", "choices"),
    ("attribution", "choices", "choices"),
    ("target", "textarea", "text"),
    ("speaker", "textarea", "text"),
    ("note", "textarea", "text"),
    ("confidence", "rating", "rating"),
)
# Where the schema lists the values of each per-region choice.
_SCHEMA_LISTS = {"perspective": "perspectives", "stance": "stances", "attribution": "attributions"}


def _claim_results(claim: ClaimRecord, text: str, from_name: str, to_name: str) -> list[dict[str, Any]]:
    region = {"start": claim["start"], "end": claim["end"]}
    region_id = f"claim-{claim['id']}"
    results = [
        {
            "id": region_id,
            "from_name": from_name,
            "to_name": to_name,
            "type": "labels",
            "value": {**region, "text": text[claim["start"] : claim["end"]], "labels": [CLAIM_LABEL]},
        }
    ]
    values = claim_fields(claim)
    for name, kind, key in LS_REGION_FIELDS:
        value = values[name]
        if value is None or value == "":
            continue
        payload = value if kind == "rating" else [str(value)]
        value = {**region, key: payload}
        results.append({"id": region_id, "from_name": name, "to_name": to_name, "type": kind, "value": value})
    return results


def label_studio_annotation(
    text: str, annotator: str, email: str | None, claims: Iterable[ClaimRecord], *, from_name: str = "label",
    to_name: str = "text",
) -> dict[str, Any]:  # fmt: skip
    """One annotator's claims on ``text`` as a Label Studio annotation (see ``label_studio_json``)."""
    results: list[dict[str, Any]] = []
    speakers: dict[tuple[int, int], str] = {}  # mention span → region id
    relations: list[dict[str, Any]] = []
    for claim in claims:
        results += _claim_results(claim, text, from_name, to_name)
        mention = mention_span(claim)
        if mention is None:
            continue
        if mention not in speakers:
            start, end = mention
            speakers[mention] = f"speaker-{start}-{end}"
            value = {"start": start, "end": end, "text": text[start:end], "labels": [SPEAKER_LABEL]}
            results.append(
                {"id": speakers[mention], "from_name": from_name, "to_name": to_name, "type": "labels",
                 "value": value}
            )  # fmt: skip
        relations.append(
            {
                "from_id": f"claim-{claim['id']}",
                "to_id": speakers[mention],
                "type": "relation",
                "direction": "right",
                "labels": [SAID_BY],
            }
        )
    annotation: dict[str, Any] = {}
    if email:
        annotation["completed_by"] = {"email": email}
    return {
        **annotation,
        "meta": {"annotator": annotator},
        "ground_truth": annotator == GOLD,
        "was_cancelled": False,
        "result": results + relations,
    }


def label_studio_json(
    records: Iterable[PassageRecord],
    *,
    source: str = "all",
    from_name: str = "label",
    to_name: str = "text",
) -> Iterator[str]:
    """Yield a Label Studio JSON export: a JSON array of tasks, streamed (``[]`` for no records).

    Each task is ``{"id", "data": {"text", ids, title}, "annotations": [...]}`` with one annotation per
    annotator who made claims in the passage (gold, when the source includes it, last, marked
    ``ground_truth``). An annotation has ``completed_by: {"email": …}`` when the annotator has an e-mail
    (else no ``completed_by``: Label Studio gives it to the importing user) and always
    ``meta: {"annotator": <username or "gold">}``, which Label Studio ignores and our importer reads. Its
    ``result`` holds a ``CLAIM`` labels region per claim (code-point ``start``/``end``) with per-region
    results for the other fields (``LS_REGION_FIELDS``, same region id), a ``SPEAKER`` region per distinct
    mention span, and a ``said_by`` relation from each claim to its speaker's mention.
    """
    check_source(source)  # now, not when the first chunk is asked for
    return _label_studio_chunks(records, source, from_name, to_name)


def _label_studio_chunks(
    records: Iterable[PassageRecord], source: str, from_name: str, to_name: str
) -> Iterator[str]:
    yield "["
    first = True
    for record in records:
        groups = claim_groups(record, source)
        if groups is None:
            continue
        annotations = [
            label_studio_annotation(
                record["text"], name, _email(own), own, from_name=from_name, to_name=to_name
            )
            for name, own in groups
        ]
        task = {
            "id": record["passage_id"],
            "data": {
                "text": record["text"],
                "passage_id": record["passage_id"],
                "document_id": record["document_id"],
                "document_title": record["document_title"],
                "language": record["document"].get("language") or "",  # our importer reads it back
                "position": record["position"],
            },
            "annotations": annotations,
        }
        yield ("\n" if first else ",\n") + dumps(task)
        first = False
    yield "]" if first else "\n]"


def _email(claims: list[ClaimRecord]) -> str | None:
    return claims[0].get("annotator_email") if claims else None


def _values(items: Iterable[Any]) -> list[str]:
    return [item["value"] if isinstance(item, Mapping) else str(item) for item in items]


def label_studio_config(schema: Mapping[str, Any], *, from_name: str = "label", to_name: str = "text") -> str:
    """A Label Studio labeling config (XML) matching ``label_studio_json``'s output for ``schema``.

    ``schema`` is a project schema (``perspectives``, ``stances``, ``attributions``: lists of values or of
    ``{"value": ...}``). Labels ``CLAIM`` and ``SPEAKER``, the ``said_by`` relation, and, shown when a
    CLAIM region is selected, per-region choices (left out for a list the schema lacks), text areas and
    the confidence rating.
    """
    to = quoteattr(to_name)

    def choices(name: str) -> str:
        values = _values(schema.get(_SCHEMA_LISTS[name], ()))
        if not values:  # Label Studio refuses a Choices without a Choice
            return ""
        options = "".join(f"\n      <Choice value={quoteattr(v)}/>" for v in values)
        attributes = f'name="{name}" toName={to} perRegion="true" choice="single"'
        return f"\n    <Choices {attributes}>{options}\n    </Choices>"

    def text_area(name: str) -> str:
        return (
            f'\n    <TextArea name="{name}" toName={to} perRegion="true" maxSubmissions="1" editable="true"'
            f' placeholder="{name}"/>'
        )

    controls = {"choices": choices, "textarea": text_area}
    per_region = "".join(controls[kind](name) for name, kind, _ in LS_REGION_FIELDS if kind in controls)
    return (
        "<View>"
        f"\n  <Labels name={quoteattr(from_name)} toName={to}>"
        f'\n    <Label value="{CLAIM_LABEL}"/>\n    <Label value="{SPEAKER_LABEL}"/>\n  </Labels>'
        f'\n  <Relations>\n    <Relation value="{SAID_BY}"/>\n  </Relations>'
        f'\n  <Text name={to} value="$text"/>'
        f'\n  <View visibleWhen="region-selected" whenLabelValue="{CLAIM_LABEL}">'
        + per_region
        + f'\n    <Rating name="confidence" toName={to} perRegion="true" maxRating="5"/>'
        "\n  </View>\n</View>\n"
    )
