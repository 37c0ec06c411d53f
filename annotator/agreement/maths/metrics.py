"""Agreement statistics: the public, Django-free API (numpy/scipy only).

The code lives in small modules by concept; this module is the one place callers import from:
- coefficients.py  Krippendorff's alpha (nominal/ordinal/interval/ratio), Cohen's and Fleiss' kappa, each
                   also from its additive sufficient statistic (coincidence matrix, confusion matrix,
                   Fleiss category totals), so per-document statistics can be stored, summed and reweighted
- unitizing.py     Krippendorff's u-alpha on a continuum, and per-position nominal alpha
- spans.py         one-to-one span matching (exact / maximum-overlap) and span precision/recall/F1
- bootstrap.py     percentile bootstrap intervals, generic and by reweighting stored coincidence matrices

Conventions: missing labels are None / np.nan; undefined agreement (one category, fewer than two
pairable values, a single coder, everything missing) is nan; malformed input raises ValueError.
"""

from annotator.agreement.maths.bootstrap import bootstrap_alpha_ci, bootstrap_ci
from annotator.agreement.maths.coefficients import (
    LEVELS,
    alpha_from_coincidences,
    cohen_kappa,
    cohen_kappa_from_confusion,
    coincidence_matrix,
    confusion_matrix,
    fleiss_kappa,
    fleiss_kappa_from_totals,
    krippendorff_alpha,
)
from annotator.agreement.maths.spans import SpanScores, match_spans, span_f1
from annotator.agreement.maths.unitizing import positional_alpha, unitizing_alpha, unitizing_alpha_by_category

__all__ = [
    "LEVELS",
    "SpanScores",
    "alpha_from_coincidences",
    "bootstrap_alpha_ci",
    "bootstrap_ci",
    "cohen_kappa",
    "cohen_kappa_from_confusion",
    "coincidence_matrix",
    "confusion_matrix",
    "fleiss_kappa",
    "fleiss_kappa_from_totals",
    "krippendorff_alpha",
    "match_spans",
    "positional_alpha",
    "span_f1",
    "unitizing_alpha",
    "unitizing_alpha_by_category",
]
