"""Shared statistics: means with bootstrap intervals and one small-n threshold, for every measure.

:func:`summarize` gives, per group, ``n``, the (weighted) ``mean``, a
percentile bootstrap interval and the ``low_n`` flag (:data:`LOW_N`); every
table of :mod:`analysis.views` and :mod:`analysis.measures`, and the frame and
cue shares, flag small groups with the same :data:`LOW_N`.

>>> import pandas as pd
>>> df = pd.DataFrame({"outlet": ["A", "A", "B"], "polarity": [0.5, -0.1, 0.2]})
>>> summarize(df, by=["outlet"])[["outlet", "n", "mean", "low_n"]].values.tolist()
[['A', 2, 0.2, True], ['B', 1, 0.2, True]]

Limits: a percentile bootstrap of a handful of values is rough (it is why
``low_n`` exists); clustered intervals need at least two clusters.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
import pandera.pandas as pa

LOW_N = 5
"""Groups with fewer units (quotes, mentions, sentences, articles) than this are flagged ``low_n``."""

_SUMMARY_STATS = {
    "n": pa.Column(int, pa.Check.ge(0)),
    "mean": pa.Column(float, nullable=True),
    "ci_low": pa.Column(float, nullable=True),
    "ci_high": pa.Column(float, nullable=True),
    "low_n": pa.Column(bool),
}


@lru_cache(maxsize=32)
def _summary_schema(by: tuple[str, ...]) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {**{c: pa.Column(nullable=True) for c in by}, **_SUMMARY_STATS},
        strict=True, ordered=True, coerce=True, name="summary",
    )


def _require(frame: pd.DataFrame, columns: set[str]) -> None:
    missing = columns - set(frame.columns)
    if missing:
        raise KeyError(f"summarize input table is missing columns {sorted(missing)}")


def summarize(
    df: pd.DataFrame,
    by: Sequence[str] = (),
    value: str = "polarity",
    cluster: str | None = None,
    confidence: float = 0.95,
    weight: str | None = None,
    n_resamples: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Per group of ``by``: ``n``, ``mean`` of ``value`` and a bootstrap interval.

    The interval is a percentile bootstrap (``confidence``, fixed ``seed``).
    Rows are resampled independently unless ``cluster`` names a column (e.g.
    ``"article_id"``), in which case whole clusters are resampled: mentions in
    one article are not independent, and with two articles the honest interval
    is wide or missing. ``ci_low``/``ci_high`` are NaN when n < 2 (or fewer than
    2 clusters); ``mean`` is NaN when n = 0 (all values missing). ``low_n`` is
    True when n < :data:`LOW_N` (or fewer than 2 clusters). Missing values of
    ``value`` are dropped; missing ``by`` keys form their own group.

    ``weight`` names a column of non-negative weights: ``mean`` is then the
    weighted mean ``sum(w * x) / sum(w)`` (e.g. a share of quoted words, one row
    per quote weighted by its words) and each resample recomputes that ratio
    over the resampled rows (or clusters); ``n`` still counts rows.

    >>> df = pd.DataFrame({"outlet": ["A", "A", "B"], "polarity": [0.5, -0.1, 0.2]})
    >>> summarize(df, by=["outlet"])[["outlet", "n", "mean", "low_n"]].values.tolist()
    [['A', 2, 0.2, True], ['B', 1, 0.2, True]]
    """
    by = list(by)
    _require(df, set(by) | {value} | ({cluster} if cluster else set()) | ({weight} if weight else set()))
    rng = np.random.default_rng(seed)
    rows = []
    groups = df.groupby(by, dropna=False, sort=True) if by else [((), df)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        values = pd.to_numeric(group[value], errors="coerce")
        keep = values.notna()
        x = values[keep].to_numpy(dtype=float)
        n = len(x)
        w = np.ones(n) if weight is None else pd.to_numeric(group.loc[keep, weight], errors="coerce").fillna(0).to_numpy(dtype=float)
        mean = float((x * w).sum() / w.sum()) if n and w.sum() > 0 else float("nan")
        low = high = float("nan")
        few_clusters = False
        if cluster:
            labels = group.loc[keep, cluster].astype(str).to_numpy()
            ids, inverse = np.unique(labels, return_inverse=True)
            few_clusters = len(ids) < 2
            if not few_clusters:
                low, high = cluster_interval(x, inverse, len(ids), confidence, n_resamples, rng, w)
        elif weight is not None and n >= 2:  # each row its own cluster: the weighted ratio, resampled
            low, high = cluster_interval(x, np.arange(n), n, confidence, n_resamples, rng, w)
        elif n >= 2:
            if np.ptp(x) == 0:
                low = high = mean
            else:
                from scipy import stats  # imported on first use: ~0.6 s, and most callers never need it

                res = stats.bootstrap((x,), np.mean, confidence_level=confidence, n_resamples=n_resamples,
                                      method="percentile", random_state=rng, vectorized=True)
                low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
        rows.append((*key, n, mean, low, high, bool(n < LOW_N or few_clusters)))
    out = pd.DataFrame(rows, columns=[*by, *_SUMMARY_STATS])
    return _summary_schema(tuple(by)).validate(out)


def summaries(frame: pd.DataFrame, by: list[str], value: str, **options) -> pd.DataFrame:
    """:func:`summarize` indexed by the ``by`` keys (``n``, ``mean``, ``ci_low``, ``ci_high``, ``low_n``)."""
    return summarize(frame, by=by, value=value, **options).set_index(by)


def cluster_interval(x: np.ndarray, inverse: np.ndarray, k: int, confidence: float, n_resamples: int,
                      rng: np.random.Generator, w: np.ndarray | None = None) -> tuple[float, float]:
    """Percentile interval of the pooled (weighted) mean when whole clusters are resampled."""
    w = np.ones_like(x) if w is None else w
    sums = np.bincount(inverse, weights=x * w, minlength=k)
    counts = np.bincount(inverse, weights=w, minlength=k).astype(float)
    draws = rng.integers(0, k, size=(n_resamples, k))
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    means = means[np.isfinite(means)]
    if means.size == 0:
        return float("nan"), float("nan")
    alpha = (1 - confidence) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))
