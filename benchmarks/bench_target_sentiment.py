"""Macro-F1 of target-directed sentiment on NewsMTSC dev: two lexicon baselines and the project's model.

Run: ``python benchmarks/bench_target_sentiment.py``

- TextBlob (PatternAnalyzer) polarity of the whole sentence: > 0 positive,
  < 0 negative, 0 neutral (:data:`analysis.sentiment.TEXTBLOB_THRESHOLD`).
- VADER compound of the whole sentence: > 0.05 positive, < -0.05 negative
  (:data:`analysis.sentiment.VADER_THRESHOLD`, VADER's own convention).
- The project's target model (:func:`analysis.sentiment.target_sentiments`),
  trained on NewsMTSC train only; dev is never used for training. It is loaded
  from ``.cache/models/`` or trained there on first use (timed below).

Dev (343 targets) is small: one target is 0.3 points of accuracy, so
differences of a point or two are noise. Published rw-test figures for
comparison: RoBERTa GRU-TSC 0.83, TextBlob 0.41, VADER 0.51.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import classification_report, f1_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import sentiment as S  # noqa: E402

REQUIRED = 0.65


def main() -> int:
    dev = S.load_newsmtsc("dev")
    gold = np.asarray(S.LABELS, dtype=object)[dev["polarity"].to_numpy() + 1]

    lexicon = S.score_texts(dev["sentence"])
    textblob = S.label_scores(lexicon["polarity"], S.TEXTBLOB_THRESHOLD)
    vader = S.label_scores(lexicon["compound"], S.VADER_THRESHOLD)

    began = time.perf_counter()
    model = S.load_target_model()
    load_seconds = time.perf_counter() - began
    began = time.perf_counter()
    ours = S.target_sentiments(dev, model=model)["label"].to_numpy()
    predict_seconds = time.perf_counter() - began

    scores = {
        "TextBlob, whole sentence": f1_score(gold, textblob, average="macro"),
        "VADER, whole sentence": f1_score(gold, vader, average="macro"),
        "target model (analysis.sentiment)": f1_score(gold, ours, average="macro"),
    }
    print(f"NewsMTSC dev, {len(dev)} targets: macro-F1 over negative / neutral / positive")
    for name, value in scores.items():
        print(f"  {name:<36} {value:.3f}")
    print(
        f"model: trained on {model.info['n_train']} train rows in {model.info['seconds']} s "
        f"(this run: load or train {load_seconds:.1f} s); scored dev at {len(dev) / predict_seconds:,.0f} targets/s"
    )
    print("\nper class, target model:")
    print(classification_report(gold, ours, labels=list(S.LABELS), digits=3))
    ok = scores["target model (analysis.sentiment)"] >= REQUIRED
    print(f"required >= {REQUIRED}: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
