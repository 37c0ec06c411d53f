"""Attribute agreement (perspective, stance, speaker) on claims matched across annotators.

Units: claims linked by one-to-one overlap matches between annotator pairs form connected groups; each
group is one unit (the same claim as seen by several annotators). Chains of partial overlaps can put two
claims of one annotator in a group: that annotator's value is then missing for the unit (counted as
`ambiguous`). Pairwise Cohen's kappa uses the pairwise matches directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from annotator.agreement.maths.bootstrap import Reweighted
from annotator.agreement.maths.coefficients import (
    fast_unique,
    grouped_coincidences,
    kappa_from_chance,
    kappa_from_margins,
    pairable_counts,
)
from annotator.agreement.maths.report_inputs import ProjectArrays

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
DENSE_LABELS = 64  # closed label sets up to this size keep a dense column per label in the bootstrap rows
SUMMARY = 4  # leading columns of the summary rows: sum of diagonal, n, sum n_uc (n_uc - 1), units
MATRIX_LABELS = 20  # confusion and coincidence matrices are reported up to this many labels
MATRIX_SPEAKERS = 12  # the speaker matrix shows the most frequent speakers; the rest share one row


def top_label_groups(frequency: FloatArray, top: int) -> tuple[IntArray, IntArray, int]:
    """Keep the `top` most frequent labels that occur (ties: lower index first) and group the rest.

    Returns the kept label indices (most frequent first), each label's row in the grouped matrix (the
    group is row len(kept)), and how many occurring labels went into the group.
    """
    frequency = np.asarray(frequency, dtype=np.float64)
    occurring = np.flatnonzero(frequency > 0)
    ranked = occurring[np.argsort(-frequency[occurring], kind="stable")]
    kept = ranked[:top]
    row = np.full(len(frequency), len(kept), dtype=np.int64)
    row[kept] = np.arange(len(kept))
    return kept.astype(np.int64), row, len(ranked) - len(kept)


def claim_units(pa: ProjectArrays, left: IntArray, right: IntArray) -> tuple[IntArray, NDArray[np.bool_]]:
    """(unit per claim, ambiguous per claim) from the overlap matches; unit -1 = matched by nobody."""
    n = len(pa.passage)
    graph = sparse.coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    size = np.bincount(component, minlength=n)
    unit = np.where(size[component] >= 2, component, -1)
    key = component.astype(np.int64) * (len(pa.annotator_ids) + 1) + pa.coder
    _, inverse, counts = fast_unique(key, return_inverse=True, return_counts=True)
    return unit, counts[inverse.reshape(-1)] > 1


def nominal_alpha(n: FloatArray, diag: FloatArray, squares: FloatArray) -> FloatArray:
    """Nominal alpha from the coincidence total n, its diagonal sum and its sum of squared marginals."""
    expected = n * n - squares
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1.0) * (n - diag) / expected
    return np.where((n >= 2) & (expected > 1e-9 * n * n), alpha, np.nan)


def alpha_from_summary(sums: FloatArray, n_frequent: int) -> FloatArray:
    """Nominal alpha from summary sums (see `summary_rows`), (B, k) -> (B,)."""
    return nominal_alpha(sums[:, 1], sums[:, 0], _squares(sums, n_frequent))


def label_alpha_from_rows(sums: FloatArray, n_labels: int, label: int) -> FloatArray:
    """One-vs-rest nominal alpha of one label from the same rows (binary coincidences)."""
    diag, marg = sums[:, label], sums[:, n_labels + label]
    n = sums[:, n_labels:].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1.0) * (marg - diag) / (marg * (n - marg))
    return np.where((n >= 2) & (marg > 0) & (marg < n), alpha, np.nan)


def fleiss_from_summary(sums: FloatArray, n_frequent: int, n_raters: int) -> FloatArray:
    """Fleiss' kappa from summary sums when every unit has n_raters values (category totals = marginals)."""
    n, agreeing, units = sums[:, 1], sums[:, 2], sums[:, 3]
    with np.errstate(divide="ignore", invalid="ignore"):
        p_e = _squares(sums, n_frequent) / (n * n)
        p_bar = agreeing / (units * n_raters * (n_raters - 1))
        kappa = (p_bar - p_e) / (1.0 - p_e)
    return np.where((units > 0) & (p_e < 1.0 - 1e-12), kappa, np.nan)


def _squares(sums: FloatArray, n_frequent: int) -> FloatArray:
    """sum over labels of the squared marginal: dense columns, plus w Q w' for the rare labels if any."""
    dense = (sums[:, SUMMARY : SUMMARY + n_frequent] ** 2).sum(axis=1)
    return dense + sums[:, SUMMARY + n_frequent] if sums.shape[1] > SUMMARY + n_frequent else dense


def summary_rows(
    fixed: FloatArray, e_doc: IntArray, e_code: IntArray, marg: FloatArray, n_labels: int
) -> tuple[FloatArray, int, sparse.csr_matrix | None, FloatArray]:
    """Per-document rows [sum diag, n, sum n_uc (n_uc - 1), units, marginals of frequent labels] and the
    quadratic form of the rare labels' marginals; also the per-document sum of squared marginals.

    `fixed` holds the first four columns; (e_doc, e_code, marg) the non-zero label marginals per document,
    sorted by document and label. Closed label sets keep every label dense. For an open set (speakers)
    the labels seen in the most documents stay dense until the rest, mostly document-local labels, make
    a sparse X X' of modest size.
    """
    n_docs = len(fixed)
    spread = np.bincount(e_code, minlength=n_labels).astype(np.float64)  # documents per label
    order = np.argsort(-spread, kind="stable")
    rare_cost = np.cumsum((spread[order] ** 2)[::-1])[::-1]  # nnz of X X' if labels from here on are rare
    n_frequent = n_labels if n_labels <= DENSE_LABELS else int(np.argmax(np.r_[rare_cost, 0] <= 20 * n_docs))
    n_frequent = min(n_frequent, 4 * DENSE_LABELS)
    position = np.full(n_labels, -1)
    position[order[:n_frequent]] = np.arange(n_frequent)
    dense = position[e_code] >= 0
    flat = np.bincount(
        e_doc[dense] * n_frequent + position[e_code[dense]],
        weights=marg[dense],
        minlength=n_docs * n_frequent,
    )
    rows = np.c_[fixed, flat.reshape(n_docs, n_frequent)]
    quadratic = None
    if not dense.all():
        rare = sparse.csr_matrix((marg[~dense], (e_doc[~dense], e_code[~dense])), shape=(n_docs, n_labels))
        quadratic = (rare @ rare.T).tocsr()
    squares = np.bincount(e_doc, weights=marg * marg, minlength=n_docs)
    return rows, n_frequent, quadratic, squares


@dataclass
class AttributeAgreement:
    labels: list
    alpha: Reweighted
    per_label: dict[str, Reweighted]
    per_label_units: dict[str, int]  # pairable units where at least one annotator gave the label
    per_document: FloatArray  # alpha per document
    per_document_units: FloatArray  # units with >= 2 values per document
    fleiss: Reweighted | None
    fleiss_reason: str | None
    coincidence: FloatArray | None  # (V, V) when V <= MATRIX_LABELS; speakers: top ones and "other"
    coincidence_labels: list  # the rows (and columns) of `coincidence`
    n_units: int
    n_annotators: int
    ambiguous: int
    pair_n: FloatArray  # (A, A) matched pairs with both labels
    pair_kappa: FloatArray  # (A, A), nan where undefined; upper triangle
    pair_confusion: FloatArray | None  # (A, A, V, V) rows = lower annotator id
    annotator_kappa: FloatArray  # (A,) pooled over the annotator's pairs
    annotator_n: FloatArray


# Per-document sums of one attribute: the first four are the summary columns (see summary_rows).
ATTRIBUTE_SUMS = ("diag", "n", "agreeing", "units", "ambiguous", "raters_min", "raters_max")


@dataclass
class AttributePieces:
    """One attribute's additive statistics of a set of documents, labels as codes of `labels`.

    sums: (D, len(ATTRIBUTE_SUMS)). label_*: one entry per (document, label) given in a pairable unit,
    sorted: its marginal, the units it occurs in and its share of the coincidence diagonal.
    coincidence_*: the non-zero per-document coincidences. kappa_*: counts of pairwise-matched label
    pairs (document, a, b, label of a, label of b), a < b. gold_*: counts (document, a, label, gold label).
    contributing_*: the (document, annotator) pairs with a value in a pairable unit.
    """

    sums: FloatArray
    label_document: IntArray
    label_code: IntArray
    label_marginal: FloatArray
    label_units: IntArray
    label_diag: FloatArray
    coincidence_document: IntArray
    coincidence_row: IntArray
    coincidence_column: IntArray
    coincidence_value: FloatArray
    kappa: tuple[IntArray, ...]  # document, a, b, label a, label b, count
    gold: tuple[IntArray, ...]  # document, a, label, gold label, count
    contributing_document: IntArray
    contributing_coder: IntArray


def count_rows(*columns: IntArray) -> tuple[IntArray, ...]:
    """The distinct rows of integer columns, sorted (first column first), and how often each occurs."""
    if not len(columns[0]):
        return tuple(np.zeros(0, np.int64) for _ in range(len(columns) + 1))
    order = np.lexsort(columns[::-1])
    ordered = [np.asarray(c, np.int64)[order] for c in columns]
    new = np.zeros(len(order), bool)
    new[0] = True
    for c in ordered:
        new[1:] |= c[1:] != c[:-1]
    first = np.flatnonzero(new)
    return (*(c[first] for c in ordered), np.diff(np.r_[first, len(order)]))


COINCIDENCE_CELLS = 1 << 22  # documents x local labels^2 per coincidence block


def attribute_pieces(
    pa: ProjectArrays,
    attribute: str,
    unit: IntArray,
    ambiguous: NDArray[np.bool_],
    matches: tuple,
    gold_pairs: tuple | None,
) -> AttributePieces:
    """Per-document sums of one attribute's nominal alpha, Fleiss' and Cohen's kappa."""
    code, labels = pa.codes[attribute], pa.labels[attribute]
    n_labels, n_docs = max(len(labels), 1), len(pa.document_ids)
    keep = (unit >= 0) & (code >= 0) & ~ambiguous
    _, dense_unit = fast_unique(unit[keep], return_inverse=True)
    dense_unit = dense_unit.reshape(-1).astype(np.intp)
    u, c, cnt = pairable_counts(dense_unit, code[keep].astype(np.intp), n_labels)
    unit_doc = np.zeros(int(u.max()) + 1 if len(u) else 0, np.int64)
    unit_doc[dense_unit] = pa.passage_document[pa.passage[keep]]
    m_u = np.bincount(u, weights=cnt)
    pairable = m_u[u] >= 2
    u, c, cnt = u[pairable], c[pairable], cnt[pairable]
    doc = unit_doc[u]
    diag_w = cnt * (cnt - 1.0) / (m_u[u] - 1.0)
    rated = np.flatnonzero(m_u >= 2)
    units_per_doc = np.bincount(unit_doc[rated], minlength=n_docs).astype(np.float64)
    raters_min = np.full(n_docs, np.inf)
    np.minimum.at(raters_min, unit_doc[rated], m_u[rated])
    raters_max = np.zeros(n_docs)
    np.maximum.at(raters_max, unit_doc[rated], m_u[rated])
    ambiguous_claims = doc_of_claims(pa, np.flatnonzero(ambiguous & (unit >= 0)), n_docs)
    sums = np.c_[
        np.bincount(doc, weights=diag_w, minlength=n_docs),
        np.bincount(doc, weights=cnt, minlength=n_docs),
        np.bincount(doc, weights=cnt * (cnt - 1.0), minlength=n_docs),
        units_per_doc,
        ambiguous_claims,
        np.where(np.isfinite(raters_min), raters_min, 0.0),
        raters_max,
    ]
    key, inverse = fast_unique(doc * n_labels + c, return_inverse=True)
    inverse = inverse.reshape(-1)
    # (unit, label) rows are unique after pairable_counts, so counting rows per label counts units.
    label_units = np.bincount(inverse, minlength=len(key)).astype(np.int64)
    label_marginal = np.bincount(inverse, weights=cnt, minlength=len(key))
    label_diag = np.bincount(inverse, weights=diag_w, minlength=len(key))

    # per-document coincidences over each document's own labels (so that blocks of documents stay small)
    key_doc = key // n_labels
    first_label = np.searchsorted(key_doc, np.arange(n_docs))
    local_of = inverse - first_label[doc]
    width = int(local_of.max(initial=0)) + 1
    per_block = max(1, COINCIDENCE_CELLS // (width * width))
    entry_block = doc // per_block
    order = np.argsort(entry_block, kind="stable")
    cuts = np.searchsorted(entry_block[order], np.arange((n_docs - 1) // per_block + 2))
    parts: list[tuple[IntArray, IntArray, IntArray, FloatArray]] = []
    for b in range(len(cuts) - 1):
        mine = order[cuts[b] : cuts[b + 1]]
        if not len(mine):
            continue
        _, block_unit = fast_unique(u[mine], return_inverse=True)
        block_unit = block_unit.reshape(-1)
        first_doc = b * per_block
        group = np.zeros(int(block_unit.max()) + 1, np.int64)
        group[block_unit] = doc[mine] - first_doc
        block = grouped_coincidences(
            block_unit,
            local_of[mine],
            cnt[mine],
            width,
            unit_group=group,
            n_groups=min(per_block, n_docs - first_doc),
        )
        g, i, k = np.nonzero(block)
        start = first_label[g + first_doc]
        parts.append((g + first_doc, key[start + i] % n_labels, key[start + k] % n_labels, block[g, i, k]))
    joined = [np.concatenate([p[n] for p in parts]) if parts else np.zeros(0) for n in range(4)]

    # pairwise matches for Cohen's kappa, and matches against gold
    left, right = matches
    both = (code[left] >= 0) & (code[right] >= 0)
    left, right = left[both], right[both]
    kappa = count_rows(
        pa.passage_document[pa.passage[left]], pa.coder[left], pa.coder[right], code[left], code[right]
    )
    gold: tuple = tuple(np.zeros(0, np.int64) for _ in range(5))
    if gold_pairs is not None:
        g_left, g_right = gold_pairs
        cl, cg = code[g_left], pa.gold_codes[attribute][g_right]
        ok = (cl >= 0) & (cg >= 0)
        gold = count_rows(pa.passage_document[pa.passage[g_left[ok]]], pa.coder[g_left[ok]], cl[ok], cg[ok])
    in_pairable = m_u[dense_unit] >= 2 if len(m_u) else np.zeros(int(keep.sum()), bool)
    contributing_claims = np.flatnonzero(keep)[in_pairable]
    cd, cc, _ = count_rows(
        pa.passage_document[pa.passage[contributing_claims]], pa.coder[contributing_claims]
    )
    return AttributePieces(
        sums=sums,
        label_document=key // n_labels,
        label_code=key % n_labels,
        label_marginal=label_marginal,
        label_units=label_units,
        label_diag=label_diag,
        coincidence_document=joined[0].astype(np.int64),
        coincidence_row=joined[1].astype(np.int64),
        coincidence_column=joined[2].astype(np.int64),
        coincidence_value=joined[3].astype(np.float64),
        kappa=kappa,
        gold=gold,
        contributing_document=cd,
        contributing_coder=cc,
    )


def doc_of_claims(pa: ProjectArrays, claims: IntArray, n_docs: int) -> FloatArray:
    return np.bincount(pa.passage_document[pa.passage[claims]], minlength=n_docs).astype(np.float64)


def attribute_agreement(
    attribute: str,
    labels: list,
    n_ann: int,
    sums: FloatArray,
    label_document: IntArray,
    label_code: IntArray,
    label_marginal: FloatArray,
    label_units: IntArray,
    label_diag: FloatArray,
    coincidence: tuple[IntArray, IntArray, FloatArray],
    kappa: tuple[IntArray, ...],
    n_annotators: int,
) -> AttributeAgreement:
    """Krippendorff's alpha (nominal), Fleiss' kappa and pairwise Cohen's kappa of one attribute from the
    summed per-document pieces (see AttributePieces), labels and annotators as project-wide codes."""
    n_labels, n_docs = max(len(labels), 1), len(sums)
    rows, n_frequent, quadratic, squares = summary_rows(
        sums[:, :SUMMARY], label_document, label_code, label_marginal, n_labels
    )
    alpha = Reweighted(rows, lambda sums: alpha_from_summary(sums, n_frequent), quadratic)
    per_document = nominal_alpha(rows[:, 1], rows[:, 0], squares)
    units_with_label = np.bincount(label_code, weights=label_units, minlength=n_labels).astype(np.int64)
    per_label_units = {str(name): int(units_with_label[k]) for k, name in enumerate(labels)}
    per_label = {}
    if len(labels) <= MATRIX_LABELS:  # one-vs-rest, for closed label sets (not the open speaker list)
        flat = np.bincount(
            np.r_[
                label_document * 2 * n_labels + label_code,
                label_document * 2 * n_labels + n_labels + label_code,
            ],
            weights=np.r_[label_diag, label_marginal],
            minlength=n_docs * 2 * n_labels,
        )
        label_rows = flat.reshape(n_docs, 2 * n_labels)
        per_label = {
            str(name): Reweighted(label_rows, lambda sums, k=k: label_alpha_from_rows(sums, n_labels, k))
            for k, name in enumerate(labels)
        }
    rated = sums[:, 3] > 0
    fleiss, reason = None, None
    if rated.any():
        low, high = int(sums[rated, 5].min()), int(sums[rated, 6].max())
        if low == high:
            fleiss = Reweighted(rows, lambda sums: fleiss_from_summary(sums, n_frequent, low), quadratic)
        else:
            reason = f"matched units have {low} to {high} raters; Fleiss' kappa needs the same number for all"
    else:
        reason = "no unit has two or more raters"
    row, column, value = coincidence
    matrix, coincidence_labels = None, list(labels)
    if attribute == "speaker":  # an open list: the most frequent speakers, the rest as one group
        frequency = np.bincount(label_code, weights=label_marginal, minlength=n_labels)
        kept, group, grouped = top_label_groups(frequency, MATRIX_SPEAKERS)
        coincidence_labels = [labels[k] for k in kept]
        if grouped:
            coincidence_labels.append(f"other ({grouped} speaker{'s' if grouped != 1 else ''})")
        # merging labels sums their coincidences, so the grouped codes give the grouped matrix directly
        size, width = len(coincidence_labels), len(kept) + 1
        flat = np.bincount(group[row] * width + group[column], weights=value, minlength=width * width)
        matrix = flat.reshape(width, width)[:size, :size]
    elif len(labels) <= MATRIX_LABELS:
        flat = np.bincount(row * n_labels + column, weights=value, minlength=n_labels * n_labels)
        matrix = flat.reshape(n_labels, n_labels)
    return AttributeAgreement(
        labels=labels,
        alpha=alpha,
        per_label=per_label,
        per_label_units=per_label_units,
        per_document=per_document,
        per_document_units=sums[:, 3],
        fleiss=fleiss,
        fleiss_reason=reason,
        coincidence=matrix,
        coincidence_labels=coincidence_labels,
        n_units=int(sums[:, 3].sum()),
        n_annotators=n_annotators,
        ambiguous=int(sums[:, 4].sum()),
        **pairwise_kappa(kappa, n_ann, n_labels),
    )


def pairwise_kappa(kappa: tuple[IntArray, ...], n_ann: int, n_labels: int) -> dict:
    """Cohen's kappa per annotator pair (and pooled per annotator) from counts of pairwise-matched label
    pairs (a, b, label of a, label of b, count), a < b."""
    a, b, cl, cr, count = (np.asarray(x) for x in kappa)
    count = count.astype(np.float64)
    pair = a * n_ann + b
    n_pairs = n_ann * n_ann
    n = np.bincount(pair, weights=count, minlength=n_pairs)
    agree = np.bincount(pair, weights=count * (cl == cr), minlength=n_pairs)
    shape = (n_pairs, n_labels)
    if n_pairs * n_labels <= 1 << 22:
        rows = np.bincount(pair * n_labels + cl, weights=count, minlength=n_pairs * n_labels).reshape(shape)
        cols = np.bincount(pair * n_labels + cr, weights=count, minlength=n_pairs * n_labels).reshape(shape)
        chance = (rows * cols).sum(axis=1).reshape(n_ann, n_ann)
    else:  # sparse marginals: the speaker list can be long
        rows = sparse.csr_matrix((count, (pair, cl)), shape=shape)
        cols = sparse.csr_matrix((count, (pair, cr)), shape=shape)
        chance = np.asarray(rows.multiply(cols).sum(axis=1)).reshape(n_ann, n_ann)
    n, agree = n.reshape(n_ann, n_ann), agree.reshape(n_ann, n_ann)
    confusion = None
    if n_labels <= MATRIX_LABELS:
        flat = np.bincount(
            (pair * n_labels + cl) * n_labels + cr, weights=count, minlength=n_pairs * n_labels * n_labels
        )
        confusion = flat.reshape(n_ann, n_ann, n_labels, n_labels)
    # an annotator against everyone else: own labels as rows, whichever side of the pair they were on
    first, second = np.divmod(np.arange(n_pairs), n_ann)
    as_first = sparse.csr_matrix((np.ones(n_pairs), (first, np.arange(n_pairs))), shape=(n_ann, n_pairs))
    as_second = sparse.csr_matrix((np.ones(n_pairs), (second, np.arange(n_pairs))), shape=(n_ann, n_pairs))
    own = as_first @ rows + as_second @ cols
    other = as_first @ cols + as_second @ rows
    both_sides = own.multiply(other) if sparse.issparse(own) else own * other
    ann_chance = np.asarray(both_sides.sum(axis=1)).reshape(-1)
    ann_n = n.sum(axis=1) + n.sum(axis=0)
    ann_agree = agree.sum(axis=1) + agree.sum(axis=0)
    return {
        "pair_n": n,
        "pair_kappa": kappa_from_chance(n, agree, chance),
        "pair_confusion": confusion,
        "annotator_kappa": kappa_from_chance(ann_n, ann_agree, ann_chance),
        "annotator_n": ann_n,
    }


def gold_kappa(gold: tuple[IntArray, ...], n_ann: int, n_labels: int) -> dict:
    """Per annotator Cohen's kappa against gold on overlap-matched claims, and the pooled confusion, from
    counts (a, label, gold label, count)."""
    who, cl, cg, count = (np.asarray(x) for x in gold)
    count = count.astype(np.float64)
    n_labels = max(n_labels, 1)
    n = np.bincount(who, weights=count, minlength=n_ann)
    agree = np.bincount(who, weights=count * (cl == cg), minlength=n_ann)
    rows = np.bincount(who * n_labels + cl, weights=count, minlength=n_ann * n_labels).reshape(
        n_ann, n_labels
    )
    cols = np.bincount(who * n_labels + cg, weights=count, minlength=n_ann * n_labels).reshape(
        n_ann, n_labels
    )
    confusion = None
    if n_labels <= MATRIX_LABELS:
        flat = np.bincount(cl * n_labels + cg, weights=count, minlength=n_labels * n_labels)
        confusion = flat.reshape(n_labels, n_labels)
    return {"n": n, "kappa": kappa_from_margins(n, agree, rows, cols), "confusion": confusion}
