"""The report code as it was before the report came from per-document statistics, loaded from git at a
fixed commit, as the reference the statistics path must reproduce; and generated projects to compare on."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

REFERENCE_COMMIT = "0ccb8d239eae815cbab147f600881e20f179c220"
# the modules the statistics path rewrote; the others (coefficients, spans, unitizing) are shared
FROZEN = ("bootstrap", "report_inputs", "report_spans", "report_attributes", "report", "suggested")
PACKAGE = "reference_agreement"
ROOT = Path(__file__).resolve().parents[3]


def reference() -> ModuleType:
    """The frozen `suggested` module (report_with_and_without) with the frozen modules it imports;
    skips when the repository history is not at hand."""
    if f"{PACKAGE}.suggested" in sys.modules:
        return sys.modules[f"{PACKAGE}.suggested"]
    sources = {}
    for name in FROZEN:
        done = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{REFERENCE_COMMIT}:annotator/agreement/{name}.py"],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.skip(f"the reference commit {REFERENCE_COMMIT[:7]} is not in this checkout")
        frozen = re.sub(rf"annotator\.agreement\.({'|'.join(FROZEN)})\b", rf"{PACKAGE}.\1", done.stdout)
        # the shared modules have moved into the maths package since
        sources[name] = re.sub(
            r"annotator\.agreement\.(?!maths\b)(\w+)\b", r"annotator.agreement.maths.\1", frozen
        )
    folder = Path(tempfile.mkdtemp(prefix="agreement-reference-")) / PACKAGE
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    for name, source in sources.items():
        (folder / f"{name}.py").write_text(source)
    sys.path.insert(0, str(folder.parent))
    try:
        importlib.import_module(f"{PACKAGE}.suggested")  # imports the other frozen modules
    finally:
        sys.path.remove(str(folder.parent))
        shutil.rmtree(folder.parent)
    return sys.modules[f"{PACKAGE}.suggested"]


PERSPECTIVES = ("chinese", "russian", "us_western", "other")
STANCES = ("favor", "against", "neutral")


def generated_project(seed: int, n_docs: int = 200, own_labels: int = 10) -> dict[str, Any]:
    """A project with the awkward cases: 2-4 annotators, some absent from some documents, unsubmitted
    assignments (whose claims are ignored), passages with one annotator, overlapping and nested spans,
    missing labels, labels and speakers of a single document, documents without claims, gold on some
    passages (some adjudicated with no gold claim), claims from accepted suggestions. About `own_labels`
    documents have a perspective of their own (each a label of the project: keep it small for large
    projects, as the per-character coincidences are documents x labels^2)."""
    rng = np.random.default_rng(seed)
    annotators = np.sort(rng.choice(np.arange(3, 60), size=int(rng.integers(2, 5)), replace=False))
    passages, lengths, documents = [], [], []
    claims: list[tuple] = []
    assignments: list[tuple] = []
    gold: list[tuple] = []
    adjudicated: list[int] = []
    passage_id = int(rng.integers(1, 1000))
    for d in range(n_docs):
        document = 7 * d + int(rng.integers(0, 7)) + 3
        coders = annotators[rng.random(len(annotators)) < 0.85]
        if len(coders) == 0:
            coders = annotators[:1]
        silent = rng.random() < 0.1  # nobody marks anything
        own_label = f"local{d}" if rng.random() < own_labels / n_docs else None
        for _ in range(int(rng.integers(1, 6))):
            passage_id += int(rng.integers(1, 4))
            length = int(rng.integers(30, 300))
            passages.append(passage_id)
            lengths.append(length)
            documents.append(document)
            here = coders if rng.random() > 0.1 else coders[:1]
            reference_claims = []
            for _ in range(0 if silent else int(rng.integers(0, 5))):
                start = int(rng.integers(0, length - 5))
                end = int(rng.integers(start + 1, min(length, start + 80) + 1))
                perspective = own_label if own_label and rng.random() < 0.5 else str(rng.choice(PERSPECTIVES))
                speaker = int(rng.choice([-1, 101, 102, 103, 1000 + d]))
                reference_claims.append((start, end, perspective, str(rng.choice(STANCES)), speaker))
            for coder in here:
                submitted = rng.random() > 0.08
                assignments.append((passage_id, int(coder), submitted))
                for start, end, perspective, stance, speaker in reference_claims:
                    if rng.random() < 0.25:
                        continue
                    if rng.random() < 0.3:  # shifted boundaries
                        start = max(0, start + int(rng.integers(-3, 4)))
                        end = min(length, max(start + 1, end + int(rng.integers(-3, 4))))
                    if rng.random() < 0.15:
                        perspective = str(rng.choice(PERSPECTIVES))
                    if rng.random() < 0.05:
                        perspective = None
                    if rng.random() < 0.15:
                        stance = str(rng.choice(STANCES))
                    suggested = rng.random() < 0.15
                    claims.append(
                        (
                            passage_id,
                            int(coder),
                            start,
                            end,
                            perspective,
                            stance,
                            speaker,
                            document,
                            suggested,
                        )
                    )
                    if rng.random() < 0.15:  # a nested claim inside it
                        inner = start + (end - start) // 3
                        claims.append(
                            (
                                passage_id,
                                int(coder),
                                inner,
                                max(inner + 1, end - 1),
                                perspective,
                                stance,
                                speaker,
                                document,
                                False,
                            )
                        )
            if rng.random() < 0.2:
                adjudicated.append(passage_id)
                gold.extend((passage_id, *claim) for claim in reference_claims if rng.random() < 0.8)
    order = rng.permutation(len(claims))  # claims come in no particular order
    claims = [claims[k] for k in order]
    columns = list(zip(*claims, strict=True))
    claim_table = {
        "passage_id": np.array(columns[0], np.int64),
        "annotator_id": np.array(columns[1], np.int64),
        "start": np.array(columns[2], np.int64),
        "end": np.array(columns[3], np.int64),
        "perspective": np.array(columns[4], object),
        "stance": np.array(columns[5], object),
        "speaker_id": np.array(columns[6], np.int64),
        "document_id": np.array(columns[7], np.int64),
    }
    g = list(zip(*gold, strict=True)) if gold else [()] * 6
    gold_table = {
        "passage_id": np.array(g[0], np.int64),
        "start": np.array(g[1], np.int64),
        "end": np.array(g[2], np.int64),
        "perspective": np.array(g[3], object),
        "stance": np.array(g[4], object),
        "speaker_id": np.array(g[5], np.int64),
        "adjudicated_passage_ids": np.array(adjudicated, np.int64),
    }
    a = list(zip(*assignments, strict=True))
    return {
        "claims": claim_table,
        "assignments": {
            "passage_id": np.array(a[0], np.int64),
            "annotator_id": np.array(a[1], np.int64),
            "submitted": np.array(a[2], bool),
        },
        "passage_lengths": {
            "passage_id": np.array(passages, np.int64),
            "length": np.array(lengths, np.int64),
            "document_id": np.array(documents, np.int64),
        },
        "gold": gold_table,
        "suggested": np.array(columns[8], bool),
    }
