"""CoNLL/BIO per annotator: one block per annotator per passage, and a plain variant (pure; no Django).

``conll_by_annotator`` writes one file: a header block first that counts, per annotator, the claims flat
BIO could not express (the overlap rule of ``conll``, applied to each annotator's own claims, so one
annotator's claims never push out another's), then a block per annotator per passage with ``#`` comment
lines naming the passage, document and annotator. The header needs every count before the first block,
so the blocks are spooled to a temporary file (memory up to a few MB, disk after) and copied behind it.

``write_conll_plain_folder`` writes what standard CoNLL readers take (NLTK's ``ConllCorpusReader``, the
CoNLL-2003 layout without its ``-DOCSTART-`` lines): ``<annotator>.conll`` files of ``token<TAB>tag`` lines
with a blank line after each passage and no comment lines, plus a README.txt with the counts. Passages
are in export order; a passage with no tokens is left out (it would be an empty sentence).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from annotator.exports.formats.conll import BioStats, BioTagging, Tokenize, bio_tags, span_label
from annotator.exports.formats.folders import AnnotatorFiles
from annotator.exports.formats.records import PassageRecord, check_source, claim_groups, file_stem
from annotator.exports.formats.tokens import word_tokens

__all__ = ["conll_by_annotator", "write_conll_plain_folder"]

SPOOL_BYTES = 8 << 20
_COPY_CHARS = 1 << 20


def _blocks(
    records: Iterable[PassageRecord],
    source: str,
    label_field: str | None,
    tokenize: Tokenize,
    stats: dict[str, BioStats],
) -> Iterator[tuple[PassageRecord, str, BioTagging]]:
    """(record, annotator, tagging) per annotator per passage, counting into ``stats`` per annotator."""
    for record in records:
        for name, claims in claim_groups(record, source) or ():
            spans = [(c["start"], c["end"], span_label(c, label_field)) for c in claims]
            tagging = bio_tags(record["text"], spans, tokenize)
            totals = stats.setdefault(name, BioStats())
            totals.passages += 1
            totals.tokens += len(tagging.tokens)
            totals.spans += sum(1 for tag in tagging.tags if tag.startswith("B-"))
            totals.dropped += len(tagging.dropped)
            if tagging.dropped:
                totals.dropped_by_passage[record["passage_id"]] = len(tagging.dropped)
            yield record, name, tagging


def _token_lines(text: str, tagging: BioTagging) -> list[str]:
    return [f"{text[s:e]}\t{tag}" for (s, e), tag in zip(tagging.tokens, tagging.tags, strict=True)]


def _counts(stats: dict[str, BioStats], prefix: str) -> list[str]:
    lines = [f"{prefix}claims flat BIO could not express (overlapping, nested, no token), per annotator:"]
    lines += [f"{prefix}dropped_claims {name} = {stats[name].dropped}" for name in sorted(stats)]
    lines.append(f"{prefix}dropped_claims total = {sum(s.dropped for s in stats.values())}")
    return lines


def _labels(label_field: str | None) -> str:
    return "CLAIM" if label_field is None else f"the claim's {label_field}"


def conll_by_annotator(
    records: Iterable[PassageRecord],
    *,
    source: str = "annotators",
    label_field: str | None = None,
    tokenize: Tokenize = word_tokens,
    stats: dict[str, BioStats] | None = None,
) -> Iterator[str]:
    """Yield the header block (dropped claims per annotator), then ``# passage_id``/``# document_id``/
    ``# annotator`` (and ``# dropped_claims`` when some were) lines, ``token<TAB>tag`` lines and a blank
    line per annotator per passage. Tags as in ``conll.conll_bio``; ``stats`` gets totals per annotator.
    """
    check_source(source)  # now, not when the first chunk is asked for
    return _by_annotator_chunks(records, source, label_field, tokenize, {} if stats is None else stats)


def _by_annotator_chunks(
    records: Iterable[PassageRecord],
    source: str,
    label_field: str | None,
    tokenize: Tokenize,
    stats: dict[str, BioStats],
) -> Iterator[str]:
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", encoding="utf-8") as body:
        for record, name, tagging in _blocks(records, source, label_field, tokenize, stats):
            lines = [
                f"# passage_id = {record['passage_id']}",
                f"# document_id = {record['document_id']}",
                f"# annotator = {name}",
            ]
            if tagging.dropped:
                lines.append(f"# dropped_claims = {len(tagging.dropped)}")
            body.write("\n".join(lines + _token_lines(record["text"], tagging)) + "\n\n")
        header = [
            "# CoNLL, one block per annotator per passage: token<TAB>tag lines, a blank line after each",
            f"# tags: B-/I-/O over word tokens, labelled with {_labels(label_field)}",
            *_counts(stats, "# "),
        ]
        yield "\n".join(header) + "\n\n"
        body.seek(0)
        while chunk := body.read(_COPY_CHARS):
            yield chunk


def write_conll_plain_folder(
    folder: Path,
    records: Iterable[PassageRecord],
    *,
    source: str = "annotators",
    label_field: str | None = None,
    tokenize: Tokenize = word_tokens,
) -> dict[str, BioStats]:
    """Write ``<annotator>.conll`` files (plain CoNLL, see the module doc) and README.txt into ``folder``.

    Returns the totals per annotator (``BioStats``); README.txt lists the dropped claims per annotator.
    """
    check_source(source)
    stats: dict[str, BioStats] = {}
    with AnnotatorFiles(folder, ".conll") as files:
        for record, name, tagging in _blocks(records, source, label_field, tokenize, stats):
            if tagging.tokens:
                files.write(name, "\n".join(_token_lines(record["text"], tagging)) + "\n\n")
    readme = [
        "Plain CoNLL: one <annotator>.conll file each (gold.conll for the adjudicated version), two columns",
        "(token, tag) separated by a tab, a blank line after each passage, no comment lines; passages in",
        "document order. Read with nltk.corpus.reader.conll.ConllCorpusReader(folder, files,",
        "columntypes=('words', 'ne')) or any CoNLL-2003 style reader.",
        f"Tags: B-/I-/O over word tokens, labelled with {_labels(label_field)}.",
        "",
        *_counts(stats, ""),
        "",
        "Files: " + ", ".join(f"{file_stem(name)}.conll" for name in sorted(stats)),
    ]
    (Path(folder) / "README.txt").write_text("\n".join(readme) + "\n", encoding="utf-8")
    return stats
