"""Sentence alignment across outlets (analysis.alignment) on generated stories of growing size, and the seeds.

    .venv/bin/python benchmarks/bench_alignment.py                    # 100, 1,000 and 3,000 articles
    .venv/bin/python benchmarks/bench_alignment.py --articles 500

A generated story: each article draws 30 sentences of 12-30 Zipf-distributed
words from a 20,000-word vocabulary, and shares a third of them with an article
of another outlet (the same event reported twice, a few words changed), so
about a third of the sentences are carried by more than one outlet. Prints the
wall and CPU time of :func:`align_sentences`, its peak Python memory
(tracemalloc: the similarity chunks included), the threshold chosen, and how
many planted shared sentences were found matched (recall) and how many unshared
ones were left unique. Then the same figures on the two seed articles. A
script that prints figures, not a timed test.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUTLETS = [f"Outlet {c}" for c in "ABCDEF"]


def _story(n_articles: int, rng: np.random.Generator) -> tuple[pd.DataFrame, set]:
    """Sentences of ``n_articles`` articles (analysis.tables.SENTENCES_SCHEMA columns) and the keys of the shared ones."""
    vocab = np.array([f"w{i}" for i in range(20_000)])
    weights = 1.0 / np.arange(1, len(vocab) + 1)
    weights /= weights.sum()
    words = iter(rng.choice(vocab, size=n_articles * 30 * 30, p=weights).tolist())  # one draw: per-sentence draws are slow
    rows, shared, pool = [], set(), []
    for a in range(n_articles):
        outlet = OUTLETS[a % len(OUTLETS)]
        texts = [" ".join(next(words) for _ in range(int(rng.integers(12, 30)))).capitalize() + "." for _ in range(30)]
        if pool and a % 2 == 1:  # report a third of an earlier article of another outlet
            source = pool[-1]
            for k in range(10):
                changed = source[1][k].rstrip(".").split()
                for _ in range(2):
                    changed[int(rng.integers(0, len(changed)))] = vocab[int(rng.integers(0, 2000))]
                texts[k] = " ".join(changed) + "."
                shared.add((f"a{a}", k))
                shared.add((source[0], k))
        pool.append((f"a{a}", texts))
        start = 0
        for k, text in enumerate(texts):
            rows.append({"article_id": f"a{a}", "sentence_id": k, "paragraph_id": k, "start": start, "end": start + len(text),
                         "text": text, "is_heading": False, "outlet": outlet})
            start += len(text) + 1
    return pd.DataFrame(rows), shared


def _run(label: str, sentences: pd.DataFrame, quotes: pd.DataFrame | None, shared: set | None) -> None:
    from analysis.alignment import align_sentences

    tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    aligned = align_sentences(sentences, quotes)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    line = (f"{label:>24}: {len(sentences):>7,} sentences in {wall:6.2f} s wall, {cpu:6.2f} s CPU, peak {peak:7.1f} MB; "
            f"threshold {aligned['threshold_score'].iloc[0]:.3f}, unique {aligned['is_unique'].mean():.0%}")
    if shared is not None:
        keys = list(zip(aligned["article_id"], aligned["sentence_id"]))
        is_shared = np.array([k in shared for k in keys])
        line += (f"; shared found matched {(~aligned['is_unique'][is_shared]).mean():.1%}, "
                 f"unshared left unique {aligned['is_unique'][~is_shared].mean():.1%}")
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, nargs="*", default=[100, 1000, 3000])
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    for n in args.articles:
        sentences, shared = _story(n, rng)
        _run(f"{n:,} generated articles", sentences, None, shared)
    from analysis.tables import load_tables

    tables, _ = load_tables(None)
    _run("seed articles", tables.sentences, tables.quotes, None)


if __name__ == "__main__":
    main()
