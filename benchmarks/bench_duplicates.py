"""Near-duplicate detection (analysis.duplicates) on a generated corpus with planted wire copies.

    .venv/bin/python benchmarks/bench_duplicates.py                  # 10,000 articles
    .venv/bin/python benchmarks/bench_duplicates.py --articles 2000  # quicker

Generates ``--articles`` articles of ~500 words (Zipf-distributed words from a
20,000-word vocabulary, so unrelated articles share common words but hardly
any five-word run), of which ``--wire`` share are wire stories re-run 1-4 times
(by outlets drawn with replacement, so one outlet now and then runs a story twice), each copy with its own lede, a boilerplate footer, a few words
changed and sometimes the last paragraphs cut. Prints the wall and CPU time
of :func:`find_near_duplicates` and :func:`apply_duplicate_policy`, and the
pairwise precision and recall of the clusters found against the planted ones.
A script that prints figures, not a timed test.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUTLETS = [f"Outlet {c}" for c in "ABCDEFGHIJKL"]


class _Words:
    """Zipf-distributed words, drawn in large blocks (one draw per word is slow)."""

    def __init__(self, rng: np.random.Generator, size: int = 20_000):
        self.rng, self.vocab = rng, np.array([f"w{i}" for i in range(size)])
        weights = 1.0 / np.arange(1, size + 1)
        self.weights = weights / weights.sum()
        self.block, self.at = np.empty(0, dtype=int), 0

    def take(self, n: int) -> list[str]:
        if self.at + n > len(self.block):
            self.block, self.at = self.rng.choice(len(self.vocab), size=1_000_000, p=self.weights), 0
        self.at += n
        return self.vocab[self.block[self.at - n : self.at]].tolist()


def _sentence(rng: np.random.Generator, words: _Words) -> str:
    return " ".join(words.take(int(rng.integers(12, 30)))).capitalize() + "."


def _paragraphs(rng, words: _Words, n: int) -> list[str]:
    return [" ".join(_sentence(rng, words) for _ in range(int(rng.integers(2, 4)))) for _ in range(n)]


def _copy(rng, words: _Words, paragraphs: list[str]) -> str:
    """A re-run: new lede, a few words changed, maybe the end cut, a footer."""
    kept = paragraphs[: len(paragraphs) - int(rng.integers(0, 3))]
    tokens = "\n\n".join(kept).split(" ")
    for i in rng.choice(len(tokens), size=min(len(tokens), int(rng.integers(0, 8))), replace=False):
        tokens[i] = words.take(1)[0]
    lede = _sentence(rng, words) + " " + _sentence(rng, words)
    return lede + "\n\n" + " ".join(tokens) + "\n\nThis report was first published by a news agency. Share this story."


def build_corpus(n: int, wire_share: float, seed: int = 0) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    """``n`` articles and the set of planted copy pairs (article ids, sorted)."""
    rng = np.random.default_rng(seed)
    words = _Words(rng)
    rows, planted = [], set()
    while len(rows) < n:
        paragraphs = _paragraphs(rng, words, int(rng.integers(8, 14)))
        # drawn with replacement: now and then one outlet runs the same story twice
        outlets = rng.choice(OUTLETS, size=1 + (int(rng.integers(1, 5)) if rng.random() < wire_share else 0))
        ids = []
        for k, outlet in enumerate(outlets[: n - len(rows)]):
            article_id = f"a{len(rows):06d}"
            rows.append((article_id, str(outlet), "\n\n".join(paragraphs) if k == 0 else _copy(rng, words, paragraphs)))
            ids.append(article_id)
        planted |= set(itertools.combinations(sorted(ids), 2))
    return pd.DataFrame(rows, columns=["article_id", "outlet", "text"]), planted


def _found_pairs(clusters: pd.DataFrame) -> set[tuple[str, str]]:
    return {p for _, g in clusters.groupby("cluster_id") for p in itertools.combinations(sorted(g["article_id"]), 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--wire", type=float, default=0.1, help="share of stories re-run by other outlets")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from analysis.duplicates import apply_duplicate_policy, find_near_duplicates

    start = time.perf_counter()
    articles, planted = build_corpus(args.articles, args.wire, args.seed)
    words = articles["text"].str.split().str.len()
    print(f"corpus: {len(articles):,} articles, {words.mean():.0f} words on average, {len(planted):,} planted copy pairs "
          f"(built in {time.perf_counter() - start:.1f} s)")
    import datasketch  # noqa: F401  (imported apart: ~0.7 s, once per process)

    wall, cpu = time.perf_counter(), time.process_time()
    clusters = find_near_duplicates(articles)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    wall2, cpu2 = time.perf_counter(), time.process_time()
    kept, dropped = apply_duplicate_policy(articles, clusters)
    wall2, cpu2 = time.perf_counter() - wall2, time.process_time() - cpu2
    found = _found_pairs(clusters)
    hits = len(found & planted)
    print(f"find_near_duplicates: {wall:.1f} s wall, {cpu:.1f} s CPU ({len(articles) / cpu:,.0f} articles per CPU second)")
    print(f"apply_duplicate_policy (once_per_outlet): {wall2:.2f} s wall, {cpu2:.2f} s CPU; kept {len(kept):,}, dropped {len(dropped):,}")
    print(f"clusters: {clusters['cluster_id'].nunique():,} holding {len(clusters):,} articles; "
          f"pairs found {len(found):,}, planted {len(planted):,}: precision {hits / max(1, len(found)):.3f}, recall {hits / max(1, len(planted)):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
