"""Imported claims follow the project's span rule: the same claim marked elsewhere has the same edges."""

import json

import pytest

from annotator.exports.importing import annotations_import
from annotator.labeling.models import Claim

pytestmark = pytest.mark.django_db


def test_an_imported_span_with_quotes_and_a_full_stop_lands_like_an_editor_selection(project, members):
    text = "Wang said: “The bridge matters most.” Others disagreed."
    selected = "“The bridge matters most.”"
    start = text.index(selected)
    line = {"id": 1, "text": text, "label": [[start, start + len(selected), "CN"]]}
    annotations_import(
        project=project,
        format="doccano",
        files=[("alice.jsonl", json.dumps(line, ensure_ascii=False).encode())],
        label_map={"CN": "chinese"},
        create_users=True,
    )
    (claim,) = Claim.objects.all()
    assert claim.text == "The bridge matters most"
    assert (claim.start, claim.end) == (start + 1, start + len(selected) - 2)
