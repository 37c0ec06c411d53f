"""Agreement benchmark: `python bench/agreement.py [--sizes 10000,100000,1000000] [--n-boot 1000]`.

For each size N (labels) it builds, with a fixed seed, (1) a coders x units reliability table holding N
non-missing ordinal labels (30% missing) and times our krippendorff_alpha against the `krippendorff`
package and NLTK's AnnotationTask.alpha (nominal and interval), and (2) a synthetic project of about N
claims (3-10 annotators, k of them per passage, 5% of assignments unsubmitted, jittered spans, noisy
attributes) and times the full project_report with its bootstrap: wall clock and CPU (user + system) of
the process, since a shared machine inflates wall time. Peak memory is tracemalloc's peak of a second
report call (numpy allocations included). Pure Python: no Django settings needed.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core, as the target says

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from annotator.agreement.maths.metrics import krippendorff_alpha  # noqa: E402
from annotator.agreement.maths.report import project_report  # noqa: E402

NLTK_LIMIT_S = 60.0


def reliability_table(n_labels: int, seed: int) -> np.ndarray:
    """Coders x units ordinal labels 1..5 with 30% missing and about n_labels present values."""
    rng = np.random.default_rng(seed)
    coders = int(rng.integers(3, 11))
    units = max(2, int(round(n_labels / (coders * 0.7))))
    truth = rng.integers(1, 6, units)
    noise = rng.random((coders, units)) < 0.25
    data = np.where(noise, np.clip(truth + rng.integers(-2, 3, (coders, units)), 1, 5), truth).astype(float)
    data[rng.random((coders, units)) < 0.3] = np.nan
    return data


def synthetic_project(n_claims: int, seed: int) -> dict:
    """About n_claims claims: passages of 200-800 chars in documents of 10 passages, k of the project's
    annotators per passage (3 of 3, 4 of 5 or 8 of 10 by size)."""
    rng = np.random.default_rng(seed)
    n_ann, k = (3, 3) if n_claims <= 20_000 else (5, 4) if n_claims <= 200_000 else (10, 8)
    per_passage = k * 1.5 * 0.85 * 1.1
    n_passages = max(1, int(n_claims / per_passage))
    lengths = rng.integers(200, 801, n_passages)
    docs = np.arange(n_passages) // 10
    # assignments: k distinct annotators per passage, 5% not submitted
    pick = np.argsort(rng.random((n_passages, n_ann)), axis=1)[:, :k]
    a_passage = np.repeat(np.arange(n_passages), k)
    a_annot = pick.ravel()
    submitted = rng.random(len(a_passage)) >= 0.05
    # true claims per passage: 1 + Poisson(0.5), each 20-150 chars
    n_true = 1 + rng.poisson(0.5, n_passages)
    t_passage = np.repeat(np.arange(n_passages), n_true)
    t_len = rng.integers(20, 151, len(t_passage))
    t_start = (rng.random(len(t_passage)) * (lengths[t_passage] - t_len)).astype(np.int64)
    t_persp, t_stance = rng.integers(0, 6, len(t_passage)), rng.integers(0, 3, len(t_passage))
    t_speaker = np.where(
        rng.random(len(t_passage)) < 0.2, -1, docs[t_passage] * 5 + rng.integers(0, 5, len(t_passage))
    )
    # each annotator of the passage copies each true claim with p=.85, with jitter and label noise
    per_slot = np.bincount(t_passage, minlength=n_passages)[a_passage]
    slot = np.repeat(np.arange(len(a_passage)), per_slot)
    first = np.r_[0, np.cumsum(np.bincount(t_passage, minlength=n_passages))][a_passage]
    true = np.repeat(first, per_slot) + (
        np.arange(len(slot)) - np.repeat(np.cumsum(per_slot) - per_slot, per_slot)
    )
    keep = rng.random(len(slot)) < 0.85
    slot, true = slot[keep], true[keep]
    m = len(slot)
    jitter = np.where(rng.random((2, m)) < 0.6, 0, rng.integers(-8, 9, (2, m)))
    plen = lengths[t_passage[true]]
    start = np.clip(t_start[true] + jitter[0], 0, plen - 2)
    end = np.clip(t_start[true] + t_len[true] + jitter[1], start + 1, plen)

    def noisy(values: np.ndarray, n_values: int, p: float, offset: int = 0) -> np.ndarray:
        return np.where(rng.random(m) < p, values, rng.integers(0, n_values, m) + offset)

    spurious = rng.random(len(a_passage)) < 0.1
    s_len = rng.integers(10, 60, int(spurious.sum()))
    s_start = (rng.random(len(s_len)) * (lengths[a_passage[spurious]] - s_len)).astype(np.int64)
    perspectives = np.array(
        ["us_western", "chinese", "russian", "north_korean", "south_korean_japanese", "neutral_mixed"]
    )
    stances = np.array(["favor", "against", "neutral"])
    claim_slot = np.r_[slot, np.flatnonzero(spurious)]
    claims = {
        "passage_id": a_passage[claim_slot],
        "annotator_id": a_annot[claim_slot],
        "start": np.r_[start, s_start],
        "end": np.r_[end, s_start + s_len],
        "perspective": perspectives[np.r_[noisy(t_persp[true], 6, 0.85), rng.integers(0, 6, len(s_len))]],
        "stance": stances[np.r_[noisy(t_stance[true], 3, 0.8), rng.integers(0, 3, len(s_len))]],
        "speaker_id": np.r_[np.where(rng.random(m) < 0.9, t_speaker[true], -1), np.full(len(s_len), -1)],
        "document_id": docs[a_passage[claim_slot]],
    }
    assignments = {"passage_id": a_passage, "annotator_id": a_annot, "submitted": submitted}
    passages = {"passage_id": np.arange(n_passages), "length": lengths, "document_id": docs}
    return {
        "claims": claims,
        "assignments": assignments,
        "passage_lengths": passages,
        "annotators": n_ann,
        "k": k,
    }


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def nltk_alpha(data: np.ndarray, level: str) -> float:
    from nltk.metrics.agreement import AnnotationTask
    from nltk.metrics.distance import binary_distance, interval_distance

    coders, units = np.nonzero(~np.isnan(data))
    triples = list(zip(coders.tolist(), units.tolist(), data[coders, units].tolist(), strict=True))
    distance = binary_distance if level == "nominal" else interval_distance
    return AnnotationTask(triples, distance=distance).alpha()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--n-boot", type=int, default=1000)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    import krippendorff
    import nltk.metrics.agreement  # noqa: F401  (imported outside the timed region)

    print(
        f"{'labels':>9} {'level':>8} {'ours s':>8} {'krippendorff s':>14} {'nltk s':>17} {'max |diff|':>10}"
    )
    nltk_rate: dict[str, float] = {}
    for size in sizes:
        data = reliability_table(size, seed=size)
        for level in ("nominal", "interval"):
            ours_t, ours = best_of(lambda d=data, lv=level: krippendorff_alpha(d, lv))
            theirs_t, theirs = best_of(
                lambda d=data, lv=level: krippendorff.alpha(reliability_data=d, level_of_measurement=lv)
            )
            present = int((~np.isnan(data)).sum())
            if level in nltk_rate and nltk_rate[level] * present > NLTK_LIMIT_S:
                nltk_text = "skipped (>60 s)"
                diff = abs(ours - theirs)
            else:
                started = time.perf_counter()
                nltk_value = nltk_alpha(data, level)
                elapsed = time.perf_counter() - started
                nltk_rate[level] = elapsed / present
                nltk_text = f"{elapsed:.3f}"
                diff = max(abs(ours - theirs), abs(ours - nltk_value))
            print(f"{present:>9} {level:>8} {ours_t:>8.4f} {theirs_t:>14.4f} {nltk_text:>17} {diff:>10.1e}")
    print()
    header = ("claims", "annot.", "k", "passages", "docs", "n_boot", "wall s", "cpu s", "peak MB")
    widths = (9, 6, 3, 9, 7, 6, 7, 7, 8)
    print(" ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    for size in sizes:
        project = synthetic_project(size, seed=size)
        inputs = (project["claims"], project["assignments"])
        options = {"passage_lengths": project["passage_lengths"], "n_boot": args.n_boot, "seed": 0}
        cpu_started, started = time.process_time(), time.perf_counter()
        report = project_report(*inputs, **options)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        tracemalloc.start()  # a second run for memory: tracing slows allocation-heavy code down
        project_report(*inputs, **options)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        counts = report["counts"]
        row = (
            counts["claims_total"],
            project["annotators"],
            project["k"],
            counts["passages"],
            counts["documents"],
            args.n_boot,
            f"{elapsed:.2f}",
            f"{cpu:.2f}",
            f"{peak / 2**20:.0f}",
        )
        print(" ".join(f"{v:>{w}}" for v, w in zip(row, widths, strict=True)))
    print(f"\nprocess peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
