"""Label Studio JSON: the export writer, a matching labeling config, and the reader (pure; no Django).

Label Studio stores ``<Text>`` region offsets in code points, as we do (see ``annotator.exports.formats``
for the evidence); the reader also recognises the UTF-16 offsets of versions before 2022.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from xml.sax.saxutils import quoteattr

from annotator.exports.formats.records import (
    GOLD,
    ClaimRecord,
    LabelOf,
    PassageRecord,
    check_source,
    claim_fields,
    dumps,
    perspective_label,
    select_claims,
)

__all__ = ["LS_REGION_FIELDS", "label_studio_config", "label_studio_json"]

# Per-region Label Studio controls carrying the claim fields that are not the label: (name, type, key).
LS_REGION_FIELDS = (
    ("stance", "choices", "choices"),
    ("attribution", "choices", "choices"),
    ("target", "textarea", "text"),
    ("speaker", "textarea", "text"),
    ("note", "textarea", "text"),
    ("confidence", "rating", "rating"),
)


def _ls_results(claim: ClaimRecord, label: str, from_name: str, to_name: str) -> list[dict[str, Any]]:
    region = {"start": claim["start"], "end": claim["end"]}
    region_id = f"claim-{claim['id']}"
    results = [
        {
            "id": region_id,
            "from_name": from_name,
            "to_name": to_name,
            "type": "labels",
            "value": {**region, "text": claim["text"], "labels": [label]},
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


def label_studio_json(
    records: Iterable[PassageRecord],
    *,
    source: str = "all",
    label_of: LabelOf = perspective_label,
    from_name: str = "label",
    to_name: str = "text",
) -> Iterator[str]:
    """Yield a Label Studio JSON export: a JSON array of tasks, streamed (``[]`` for no records).

    Each task is ``{"id", "data": {"text", ids, title}, "annotations": [...]}`` with one annotation per
    annotator who made claims in the passage (``completed_by: {"username": name}``; gold, when the source
    includes it, is one more annotation marked ``ground_truth``). Each claim is a ``labels`` region with
    code-point ``start``/``end`` (Label Studio's unit, see the module doc) plus per-region results for the
    other fields (``LS_REGION_FIELDS``).
    """
    check_source(source)  # now, not when the first chunk is asked for
    return _label_studio_chunks(records, source, label_of, from_name, to_name)


def _label_studio_chunks(
    records: Iterable[PassageRecord], source: str, label_of: LabelOf, from_name: str, to_name: str
) -> Iterator[str]:
    yield "["
    first = True
    for record in records:
        claims = select_claims(record, source)
        if claims is None:
            continue
        by_annotator: dict[str, list[ClaimRecord]] = {}
        for claim in claims:
            by_annotator.setdefault(claim["annotator"], []).append(claim)
        # Annotators by name, gold last.
        names = sorted(by_annotator, key=lambda name: (name == GOLD, name))
        annotations = [
            {
                "completed_by": {"username": name},
                "ground_truth": name == GOLD,
                "was_cancelled": False,
                "result": [
                    result
                    for claim in sorted(by_annotator[name], key=lambda c: (c["start"], c["end"], c["id"]))
                    for result in _ls_results(claim, label_of(claim), from_name, to_name)
                ],
            }
            for name in names
        ]
        task = {
            "id": record["passage_id"],
            "data": {
                "text": record["text"],
                "passage_id": record["passage_id"],
                "document_id": record["document_id"],
                "document_title": record["document_title"],
                "position": record["position"],
            },
            "annotations": annotations,
        }
        yield ("\n" if first else ",\n") + dumps(task)
        first = False
    yield "]" if first else "\n]"


def _values(items: Iterable[Any]) -> list[str]:
    return [item["value"] if isinstance(item, Mapping) else str(item) for item in items]


def label_studio_config(
    schema: Mapping[str, Any], *, labels: Iterable[str] | None = None, from_name: str = "label",
    to_name: str = "text",
) -> str:  # fmt: skip
    """A Label Studio labeling config (XML) matching ``label_studio_json``'s output for ``schema``.

    ``schema`` is a project schema (``perspectives``, ``stances``, ``attributions``: lists of values or of
    ``{"value": ...}``); ``labels`` overrides the span labels (default: the perspectives), e.g. when the
    export used another ``label_of``.
    """
    span_labels = list(labels) if labels is not None else _values(schema.get("perspectives", ()))

    def choices(name: str, values: list[str]) -> str:
        options = "".join(f"\n      <Choice value={quoteattr(v)}/>" for v in values)
        return (
            f'\n    <Choices name="{name}" toName={quoteattr(to_name)} perRegion="true" choice="single">'
            f"{options}\n    </Choices>"
        )

    label_tags = "".join(f"\n    <Label value={quoteattr(label)}/>" for label in span_labels)
    text_areas = "".join(
        f'\n    <TextArea name="{name}" toName={quoteattr(to_name)} perRegion="true" maxSubmissions="1"'
        ' editable="true" placeholder=' + quoteattr(name) + "/>"
        for name in ("target", "speaker", "note")
    )
    return (
        "<View>"
        f"\n  <Labels name={quoteattr(from_name)} toName={quoteattr(to_name)}>{label_tags}\n  </Labels>"
        f'\n  <Text name={quoteattr(to_name)} value="$text"/>'
        '\n  <View visibleWhen="region-selected">'
        + choices("stance", _values(schema.get("stances", ())))
        + choices("attribution", _values(schema.get("attributions", ())))
        + text_areas
        + f'\n    <Rating name="confidence" toName={quoteattr(to_name)} perRegion="true" maxRating="5"/>'
        "\n  </View>\n</View>\n"
    )
