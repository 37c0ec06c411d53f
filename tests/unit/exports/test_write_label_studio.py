"""Label Studio writer: what Label Studio 1.23 imports (completed_by, regions, relations) and the config."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree  # noqa: S405 - parses only our own output

from annotator.exports.formats import label_studio_config, label_studio_json
from tests.unit.exports.test_formats import SCHEMA_FILE, claim, passage
from tests.unit.exports.test_write_doccano import TEXT, named


def tasks_of(claims, gold=None):
    return json.loads("".join(label_studio_json([passage(7, TEXT, claims, gold)])))


def test_completed_by_is_the_email_object_label_studio_resolves_and_absent_without_an_email():
    claims = [
        {**claim(TEXT, "talks", id=1, annotator="alice"), "annotator_email": "alice@example.org"},
        {**claim(TEXT, "productive", id=2, annotator="bob"), "annotator_email": None},
    ]
    (task,) = tasks_of(claims)
    alice, bob = task["annotations"]
    assert alice["completed_by"] == {"email": "alice@example.org"}
    assert "completed_by" not in bob, "Label Studio refuses an object without an email"
    assert (alice["meta"], bob["meta"]) == ({"annotator": "alice"}, {"annotator": "bob"})


def test_claims_and_speaker_mentions_are_regions_linked_by_said_by_relations_as_label_studio_writes_them():
    claims = [
        named(TEXT, "very substantive", "Lavrov", id=1, annotator="alice", confidence=3),
        named(TEXT, "productive", "Lavrov", id=2, annotator="alice"),
    ]
    (task,) = tasks_of(claims)
    (annotation,) = task["annotations"]
    results = annotation["result"]
    lavrov = TEXT.index("Lavrov")
    speaker = {
        "id": f"speaker-{lavrov}-{lavrov + 6}",
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": lavrov, "end": lavrov + 6, "text": "Lavrov", "labels": ["SPEAKER"]},
    }
    assert [r for r in results if r["type"] == "labels" and r["value"]["labels"] == ["SPEAKER"]] == [speaker]
    relations = [r for r in results if r["type"] == "relation"]
    assert relations == [
        {"from_id": "claim-1", "to_id": speaker["id"], "type": "relation", "direction": "right",
         "labels": ["said_by"]},
        {"from_id": "claim-2", "to_id": speaker["id"], "type": "relation", "direction": "right",
         "labels": ["said_by"]},
    ]  # fmt: skip
    region_ids = {r["id"] for r in results if r["type"] == "labels"}
    assert {r["from_id"] for r in relations} | {r["to_id"] for r in relations} <= region_ids
    first = {r["from_name"]: r["value"] for r in results if r.get("id") == "claim-1"}
    start = TEXT.index("very substantive")
    assert first["label"] == {
        "start": start,
        "end": start + 16,
        "text": "very substantive",
        "labels": ["CLAIM"],
    }
    assert first["perspective"]["choices"] == ["us_western"] and first["stance"]["choices"] == ["against"]
    assert first["attribution"]["choices"] == ["direct"] and first["confidence"]["rating"] == 3
    assert first["speaker"]["text"] == ["Antony Blinken"]
    assert first["target"] == {
        "start": start,
        "end": start + 16,
        "text": ["Russia–North Korea rapprochement"],
    }
    assert "note" not in first, "empty fields are left out"


def test_a_claim_without_a_mention_has_no_speaker_region_and_no_relation():
    (task,) = tasks_of([claim(TEXT, "talks", id=1, speaker=None, note="-odd")])
    results = task["annotations"][0]["result"]
    assert {r["type"] for r in results} == {"labels", "choices", "textarea", "rating"}
    assert [r["value"]["labels"] for r in results if r["type"] == "labels"] == [["CLAIM"]]
    assert [r["value"]["text"] for r in results if r["from_name"] == "note"] == [["-odd"]]


def test_gold_is_the_last_annotation_marked_ground_truth_without_completed_by():
    gold = [{**claim(TEXT, "talks", id=9, annotator="gold"), "annotator_email": None}]
    (task,) = tasks_of([claim(TEXT, "talks", id=1)], gold)
    assert [(a["meta"]["annotator"], a["ground_truth"]) for a in task["annotations"]] == [
        ("alice", False), ("gold", True)
    ]  # fmt: skip
    assert "completed_by" not in task["annotations"][1]


def _check_like_label_studio(config: str) -> ElementTree.Element:
    """The rules of label_studio/core/label_config.py validate_label_config and its JSON schema."""
    root = ElementTree.fromstring(config)  # noqa: S314 - our own output
    assert root.tag == "View"
    names = re.findall(r'name="([^"]*)"', config)
    assert len(names) == len(set(names)), "names must be unique"
    for to_name in re.findall(r'toName="([^"]*)"', config):
        assert set(to_name.split(",")) <= set(names), f"toName {to_name} must name a tag"
    for tag in ("Labels", "Choices"):
        for element in root.iter(tag):
            child = "Label" if tag == "Labels" else "Choice"
            assert element.get("name") and element.get("toName") and element.findall(child)
            assert all(c.get("value") for c in element.findall(child))
    for element in root.iter("Text"):
        assert element.get("name") and element.get("value") == "$text"
    for element in root.iter("TextArea"):
        assert element.get("name") and element.get("toName")
    return root


def test_the_config_declares_what_the_export_writes_and_passes_label_studios_checks():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    root = _check_like_label_studio(label_studio_config(schema))
    assert [label.get("value") for label in root.iter("Label")] == ["CLAIM", "SPEAKER"]
    (relations,) = root.iter("Relations")
    assert [r.get("value") for r in relations.iter("Relation")] == ["said_by"]
    per_region = {e.get("name"): e for e in root.iter() if e.get("perRegion") == "true"}
    assert {name: e.tag for name, e in per_region.items()} == {
        "perspective": "Choices", "stance": "Choices", "attribution": "Choices", "target": "TextArea",
        "speaker": "TextArea", "note": "TextArea", "confidence": "Rating",
    }  # fmt: skip
    for name, key in (
        ("perspective", "perspectives"),
        ("stance", "stances"),
        ("attribution", "attributions"),
    ):
        assert [c.get("value") for c in per_region[name]] == [v["value"] for v in schema[key]]
    (claim_view,) = [v for v in root.iter("View") if v.get("visibleWhen") == "region-selected"]
    assert claim_view.get("whenLabelValue") == "CLAIM"


def test_the_config_escapes_schema_values_and_leaves_out_choices_the_schema_has_no_values_for():
    root = _check_like_label_studio(label_studio_config({"stances": ["a&b", 'say "no"']}))
    assert [c.get("value") for c in root.find(".//Choices[@name='stance']")] == ["a&b", 'say "no"']
    assert [c.get("name") for c in root.iter("Choices")] == ["stance"]
