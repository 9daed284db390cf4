"""Choose the weight of the "fast" linear model in the "accurate" stance scorer's blend, on NewsMTSC *train*.

The accurate scorer can blend its encoder's class probabilities with the linear
model's: ``p = (1 - w) * p_encoder + w * p_fast`` (``fast_weight`` in
``models/stance/config.json``; see :func:`analysis.stance.blend_fast`). The two
err differently (the encoder reads structure, the linear model leans on
negations and lexicon words near the target), so a blend can beat either.

How ``w`` is chosen, a rule fixed before any figure was seen:

1. Split train into ``--folds`` stratified folds (``split_train_fold``, seed 0)
   and hold out fold 0. ``training/train_stance.py --holdout-fold 0`` fine-tunes
   a *proxy* encoder on the other folds (the committed recipe, one epoch, no dev
   selection) and writes its probabilities on the held-out fold; here the linear
   model is trained on the same other folds and scores the same fold.
2. ``w`` is the value of the grid 0, 0.05, ..., 0.6 with the highest macro-F1
   on the held-out fold (ties: the smaller ``w``). Dev is not read for it.
3. ``--apply MODEL_DIR`` then scores NewsMTSC dev *once* with the run-time code
   (the committed encoder plus the linear model trained on all of train) and
   keeps ``w`` only if dev macro-F1 >= 0.80 and speed >= 100 mentions per
   CPU-second; otherwise it writes ``w = 0`` (the encoder alone). The figures go
   into ``metrics.json`` and the model card.

Limits: the proxy encoder saw 3/4 of train for one epoch, the committed one all
of it for 1.75 epochs, so the proxy is a little weaker and ``w`` may be a little
high for the committed encoder; one fold of ~2,200 targets decides ``w`` to about
+-0.1.

Run (after the proxy run)::

    .venv/bin/python training/choose_fast_weight.py --holdout .cache/stance/holdout.csv --apply models/stance
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import sentiment, stance  # noqa: E402

GRID = tuple(round(0.05 * k, 2) for k in range(13))
REQUIRED_F1, REQUIRED_SPEED = 0.80, 100.0


def split_train_fold(train_df: pd.DataFrame, fold: int, folds: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(rest, fold)`` of NewsMTSC train: a stratified ``folds``-fold split by polarity, shuffled with ``seed``.

    >>> rest, held = split_train_fold(sentiment.load_newsmtsc("train"), 0, 4, 0)
    >>> len(rest), len(held)
    (6554, 2185)
    """
    from sklearn.model_selection import StratifiedKFold

    splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(train_df, train_df["polarity"])
    rest, held = list(splits)[fold]
    return train_df.iloc[rest], train_df.iloc[held]


def _macro(gold: np.ndarray, proba: np.ndarray) -> dict:
    scores = f1_score(gold, proba.argmax(axis=1), labels=[0, 1, 2], average=None)
    return {"macro_f1": round(float(scores.mean()), 4),
            **{f"f1_{name}": round(float(s), 4) for name, s in zip(stance.LABELS, scores)},
            "accuracy": round(float((proba.argmax(axis=1) == gold).mean()), 4)}


def choose_weight(holdout_csv: Path) -> dict:
    """The grid's macro-F1 on the held-out fold and the chosen ``w`` (see the module docstring)."""
    held = pd.read_csv(holdout_csv, dtype={"id": str})
    fold, folds, seed = int(held["fold"].iloc[0]), int(held["folds"].iloc[0]), int(held["seed"].iloc[0])
    rest, held_rows = split_train_fold(sentiment.load_newsmtsc("train"), fold, folds, seed)
    if sorted(held_rows["id"]) != sorted(held["id"]):
        raise SystemExit(f"{holdout_csv}: its rows are not fold {fold} of {folds} (seed {seed}) of train")
    held_rows = held_rows.set_index("id").loc[held["id"]].reset_index()
    encoder = held[["p_negative", "p_neutral", "p_positive"]].to_numpy(dtype=float)
    linear = sentiment.train_target_model(rest).predict_proba(held_rows)
    gold = held_rows["polarity"].to_numpy() + 1
    grid = [{"w": w, **_macro(gold, (1 - w) * encoder + w * linear)} for w in GRID]
    best = max(grid, key=lambda row: (row["macro_f1"], -row["w"]))
    return {"w": best["w"], "grid": grid, "fold": fold, "folds": folds, "seed": seed, "n_held_out": len(held),
            "n_proxy_train": int(held["n_train"].iloc[0]), "proxy_train_seconds": int(held["train_seconds"].iloc[0])}


def apply_weight(model_dir: Path, chosen: dict) -> dict:
    """Score dev once with ``w`` in ``model_dir``'s config; keep ``w`` only if it meets the targets. Returns the record."""
    config_path, metrics_path = model_dir / "config.json", model_dir / "metrics.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["fast_weight"] = chosen["w"]
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    stance._CACHE.clear()
    model = stance.load_stance_model(model_dir)
    sentiment.load_target_model()  # trained or loaded outside the clock
    dev = sentiment.load_newsmtsc("dev")
    began = time.process_time()
    scored = stance.score_stance(dev, model=model)
    rate = len(dev) / (time.process_time() - began)
    proba = scored[["p_negative", "p_neutral", "p_positive"]].to_numpy()
    dev_figures = _macro(dev["polarity"].to_numpy() + 1, proba)
    kept = dev_figures["macro_f1"] >= REQUIRED_F1 and rate >= REQUIRED_SPEED
    record = {**chosen, "dev": dev_figures, "dev_mentions_per_s_1_thread": round(rate), "kept": kept}
    if not kept:
        config["fast_weight"] = 0.0
        config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    metrics["blend"] = record
    metrics_path.write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--holdout", required=True, help="CSV written by train_stance.py --holdout-fold")
    parser.add_argument("--apply", metavar="MODEL_DIR", help="write the weight into MODEL_DIR and score dev once")
    args = parser.parse_args(argv)
    chosen = choose_weight(Path(args.holdout))
    for row in chosen["grid"]:
        print(json.dumps(row))
    print(f"chosen w = {chosen['w']} (held-out fold {chosen['fold']} of {chosen['folds']}, {chosen['n_held_out']} targets)")
    if args.apply:
        record = apply_weight(Path(args.apply), chosen)
        print("dev", json.dumps(record["dev"]), f"{record['dev_mentions_per_s_1_thread']}/s;",
              "kept" if record["kept"] else "targets missed: w = 0 written")
        from train_stance import write_card  # noqa: PLC0415 (needs torch only for its import)

        write_card(Path(args.apply), json.loads((Path(args.apply) / "metrics.json").read_text(encoding="utf-8")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
