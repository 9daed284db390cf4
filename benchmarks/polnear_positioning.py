"""Does the positioning map order seven US outlets as their known slant does? PolNeAR (2016 election) as a check.

Usage::

    .venv/bin/python benchmarks/polnear_positioning.py ../shared/polnear-train [--work DIR] [--stance accurate]

Reads the PolNeAR folder (:func:`analysis.polnear.read_polnear`; its texts are
never copied into the repository: the articles go to a Parquet file and a run
folder under ``--work``, default ``<temp dir>/polnear-positioning``), runs the
same stage graph as the notebooks (:func:`analysis.pipeline.run`, resumable:
a second call reads the finished run) with the codebook of
``stories/us2016/codebook.yaml``, and prints per outlet the treatment of
Donald Trump and of Hillary Clinton (narrator only, and narrator plus quoted
sources) with 95% intervals (articles resampled) and n, the slant (Trump minus
Clinton), and Spearman's rho of each outlet's slant against its media-bias
rating.

Ratings (AllSides media bias ratings, coded as an ordinal, left to right):
HuffPost Left = -2; The New York Times, The Washington Post, Politico
Lean Left = -1; USA Today Center = 0; Breitbart, Western Journal Right = 2
(AllSides has no "Lean Right" outlet among the seven). A slant that orders
the outlets as the ratings do gives rho = +1 (warmer to Trump to the right).

Targets (issues 13 and 14): rho >= 0.8; Breitbart and Western Journal warmer
to Trump than to Clinton (slant > 0); HuffPost the warmest to Clinton (lowest
treatment of Clinton).

Variants, and the rule that picks the one reported as the answer, fixed
before looking at rho: four slants are computed, narrator+sources and
narrator-only, each mention-weighted (all mentions pooled, articles
resampled: :func:`analysis.measures.positioning_measures`) and
article-weighted (each article's own slant, averaged over the outlet's
articles that name both, articles resampled). The answer is the primary,
narrator+sources mention-weighted, the map's own measure; the others are
printed beside it and none replaces it. A reader who wants one of them picks
by precision (the narrowest median interval), printed too, never by rho.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "stories" / "us2016" / "codebook.yaml"
FOCUS, COUNTERPART = "Donald Trump", "Hillary Clinton"
RATINGS = {"HuffPost": -2, "The New York Times": -1, "The Washington Post": -1, "Politico": -1, "USA Today": 0,
           "Breitbart": 2, "Western Journal": 2}
"""AllSides media bias ratings as an ordinal (Left -2, Lean Left -1, Center 0, Lean Right 1, Right 2)."""
RIGHT, LEFT = ("Breitbart", "Western Journal"), "HuffPost"


def build_run(folder: Path, work: Path, stance: str) -> Path:
    """The pipeline's run folder for the PolNeAR articles (made once; later calls resume, i.e. read)."""
    from analysis.pipeline import run
    from analysis.polnear import read_polnear

    work.mkdir(parents=True, exist_ok=True)
    source = work / "articles.parquet"
    if not source.exists():
        read_polnear(folder).articles.to_parquet(source, index=False)
    out = work / f"run-{stance}"
    summary = run(str(source), out=str(out), engine="local", codebook=str(CODEBOOK), frame_set="generic_frames",
                  stance=stance, quiet=True)
    print(f"run: {summary.status}, {summary.counts['articles_processed']} articles processed, "
          f"{summary.counts['articles_skipped']} read from an earlier run, {summary.counts['rejected_total']} rejected "
          f"({summary.timings['wall_s']:.0f} s)")
    return out


def article_weighted(voices: pd.DataFrame, voice_set: tuple[str, ...], seed: int = 0) -> pd.DataFrame:
    """Per outlet: the mean over articles naming both sides of (mean treatment of the focus - of the counterpart), articles resampled."""
    from analysis.stats import summarize

    v = voices[voices["voice"].isin(voice_set)]
    per = v.groupby(["outlet", "article_id", "about"])["polarity"].mean().unstack("about").dropna()
    per = (per["focus"] - per["counterpart"]).rename("slant").reset_index()
    return summarize(per, by=["outlet"], value="slant", seed=seed).set_index("outlet")


def spearman(values: pd.Series) -> float:
    from scipy.stats import spearmanr

    common = [o for o in RATINGS if o in values.index and pd.notna(values[o])]
    return float(spearmanr([values[o] for o in common], [RATINGS[o] for o in common]).statistic)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("polnear", type=Path, help="the PolNeAR training folder (text/, attributions/, metadata.tsv)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "polnear-positioning",
                        help="where the articles' Parquet copy and the run go (outside the repository)")
    parser.add_argument("--stance", default="accurate", help="stance scorer (analysis.stages.STANCE_SCORERS)")
    args = parser.parse_args(argv)
    if not (args.polnear / "text").is_dir():
        print(f"PolNeAR not found at {args.polnear} (expected text/, attributions/, metadata.tsv there); nothing measured.")
        return 2
    from analysis.measures import positioning_measures
    from analysis.sides import VOICES, treatment_voices
    from analysis.tables import load_tables
    from analysis.verdicts import verdict

    started = time.perf_counter()
    out = build_run(args.polnear, args.work, args.stance)
    tables, _ = load_tables(results=out, codebook=CODEBOOK, frame_set="generic_frames", stance=args.stance)
    measures = positioning_measures(tables, FOCUS, COUNTERPART)
    voices = treatment_voices(tables, FOCUS, COUNTERPART)
    pick = lambda m, g="focus": measures[(measures["measure"] == m) & (measures["group"] == g)].set_index("outlet")  # noqa: E731

    print(f"\nfocus {FOCUS}, counterpart {COUNTERPART}; stance scorer {args.stance}; intervals: 95%, articles resampled\n")
    header = f"{'outlet':20} {'rating':>6} {'n art':>5}  {'Trump: narrator':>26} {'Trump: all':>26}  {'Clinton: narrator':>26} {'Clinton: all':>26}"
    print(header)
    cell = lambda r: f"{r['value']:+.3f} [{r['ci_low']:+.2f},{r['ci_high']:+.2f}] n={int(r['n']):<5}"  # noqa: E731
    arts = tables.articles.groupby("outlet").size()
    for outlet in sorted(RATINGS, key=lambda o: (RATINGS[o], o)):
        parts = [cell(pick(m, g).loc[outlet]) for g in ("focus", "counterpart") for m in ("narrator_sentiment", "treatment")]
        print(f"{outlet:20} {RATINGS[outlet]:>6} {arts.get(outlet, 0):>5}  " + "  ".join(parts))

    variants = {
        "narrator+sources, mention-weighted (primary)": pick("slant")[["value", "ci_low", "ci_high", "n"]],
        "narrator only, mention-weighted": pick("slant_narrator")[["value", "ci_low", "ci_high", "n"]],
        "narrator+sources, article-weighted": article_weighted(voices, VOICES).rename(columns={"mean": "value"}),
        "narrator only, article-weighted": article_weighted(voices, ("narrator",)).rename(columns={"mean": "value"}),
    }
    print("\nslant = treatment of Trump minus treatment of Clinton")
    for name, table in variants.items():
        rho = spearman(table["value"])
        width = float((table["ci_high"] - table["ci_low"]).median())
        right_ok = all(table.loc[o, "value"] > 0 for o in RIGHT)
        print(f"\n{name}: Spearman rho vs ratings = {rho:+.3f} (target >= 0.8: {'met' if rho >= 0.8 else 'missed'}); "
              f"Breitbart and Western Journal warmer to Trump: {'yes' if right_ok else 'no'}; median interval width {width:.3f}")
        for outlet in sorted(RATINGS, key=lambda o: (RATINGS[o], o)):
            r = table.loc[outlet]
            v = verdict({**r, "unit": ""}) if "n" in r else ""
            print(f"  {outlet:20} {r['value']:+.3f} [{r['ci_low']:+.3f}, {r['ci_high']:+.3f}] n={int(r['n']):<6} {v}")
    clinton = pick("treatment", "counterpart")["value"]
    warmest = clinton.idxmax()
    print(f"\nwarmest to Clinton (narrator+sources): {warmest} ({clinton[warmest]:+.3f}); target HuffPost: "
          f"{'met' if warmest == LEFT else 'missed'}")
    narr = pick("narrator_sentiment", "counterpart")["value"]
    print(f"warmest to Clinton (narrator only): {narr.idxmax()} ({narr.max():+.3f})")
    print(f"\n{time.perf_counter() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
