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

import numpy as np
import pandas as pd

LOW_N = 5
"""Groups with fewer units (quotes, mentions, sentences, articles) than this are flagged ``low_n``."""

SUMMARY_COLUMNS = ("n", "mean", "ci_low", "ci_high", "low_n")
"""What :func:`summarize` adds after the ``by`` columns."""


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
    values = pd.to_numeric(df[value], errors="coerce").to_numpy(dtype=float)
    weights = None if weight is None else pd.to_numeric(df[weight], errors="coerce").fillna(0).to_numpy(dtype=float)
    labels = df[cluster].astype(str).to_numpy() if cluster else None
    rows = []
    for key, rows_of_group in _groups(df, by):
        x_all = values[rows_of_group]
        keep = ~np.isnan(x_all)
        x = x_all[keep]
        n = len(x)
        w = np.ones(n) if weights is None else weights[rows_of_group][keep]
        mean = float((x * w).sum() / w.sum()) if n and w.sum() > 0 else float("nan")
        low = high = float("nan")
        few_clusters = False
        if cluster:
            ids, inverse = np.unique(labels[rows_of_group][keep], return_inverse=True)
            few_clusters = len(ids) < 2
            if not few_clusters:
                low, high = cluster_interval(x, inverse, len(ids), confidence, n_resamples, rng, w)
        elif weight is not None and n >= 2:  # each row its own cluster: the weighted ratio, resampled
            low, high = cluster_interval(x, np.arange(n), n, confidence, n_resamples, rng, w)
        elif n >= 2:
            if np.ptp(x) == 0:
                low = high = mean
            else:
                low, high = percentile_bootstrap(x, confidence, n_resamples, rng)
        rows.append((*key, n, mean, low, high, bool(n < LOW_N or few_clusters)))
    out = pd.DataFrame(rows, columns=[*by, *SUMMARY_COLUMNS])
    return out.astype({"n": "int64", "mean": float, "ci_low": float, "ci_high": float, "low_n": bool})


def _groups(df: pd.DataFrame, by: list[str]):
    """``(key tuple, row positions)`` per group of ``by``, in sorted key order (missing keys last), rows in table order."""
    if not by:
        yield (), np.arange(len(df))
        return
    codes = df.groupby(by, dropna=False, sort=True).ngroup().to_numpy()
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    keys = df[by].to_numpy(dtype=object)
    for positions in np.split(order, bounds) if len(order) else []:
        yield tuple(keys[positions[0]]), positions


def percentile_bootstrap(x: np.ndarray, confidence: float, n_resamples: int, rng: np.random.Generator) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``x``: the numbers ``scipy.stats.bootstrap`` gives, bit for bit.

    The same draws (``rng.integers(0, n, (n_resamples, n))``), means and
    ``scipy.stats.quantile`` "linear" interpolation, in NumPy alone: importing
    ``scipy.stats`` costs ~0.6 s in every notebook kernel, and the call's
    checks cost more than the arithmetic (a test compares the two).

    >>> low, high = percentile_bootstrap(np.array([0.1, 0.5, 0.9]), 0.95, 2000, np.random.default_rng(0))
    >>> round(low, 2), round(high, 2)
    (0.1, 0.9)
    """
    n = x.size
    means = x[rng.integers(0, n, (n_resamples, n))].mean(axis=-1)
    alpha = (1 - confidence) / 2
    low, high = _quantile_linear(np.sort(means), np.array([alpha, 1 - alpha]))
    return float(low), float(high)


def _quantile_linear(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``scipy.stats.quantile(y, p, method="linear")`` of sorted ``y``, with its formula (NumPy's rounds differently)."""
    n = y.size
    jg = p * n + (1 - p)
    jp1 = jg // 1
    j = jp1 - 1
    g = np.where(j < 0, 0.0, jg % 1)
    j = np.clip(j, 0, n - 1).astype(np.int64)
    jp1 = np.clip(jp1, 0, n - 1).astype(np.int64)
    return (1 - g) * y[j] + g * y[jp1]


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


ARTICLES_FOR_ARTICLE_RESAMPLING = LOW_N
"""An outlet's mentions are resampled by whole article once it has at least this many articles naming the side;
with fewer (the seed story has one article per outlet), by sentence within its articles (:func:`resampling_units`)."""


def resampling_units(article_ids: pd.Series, sentence_ids: pd.Series) -> tuple[np.ndarray, str]:
    """Cluster labels for one outlet's mentions, and the ``unit`` text naming them.

    Mentions in one sentence share its wording, and mentions in one article its
    author, so neither is resampled alone: with at least
    :data:`ARTICLES_FOR_ARTICLE_RESAMPLING` articles, whole articles are
    resampled; with fewer, whole sentences within the article(s), which says
    how stable the number is *within those articles*, not across an outlet's
    coverage (the ``unit`` text says which).

    >>> labels, unit = resampling_units(pd.Series(["a", "a", "a"]), pd.Series([0, 0, 3]))
    >>> list(labels), unit
    (['a:0', 'a:0', 'a:3'], 'mentions (sentences resampled within 1 article)')
    """
    articles = pd.unique(article_ids.astype(str))
    if len(articles) >= ARTICLES_FOR_ARTICLE_RESAMPLING:
        return article_ids.astype(str).to_numpy(), "mentions (articles resampled)"
    labels = (article_ids.astype(str) + ":" + sentence_ids.astype(str)).to_numpy()
    return labels, f"mentions (sentences resampled within {len(articles)} article{'s' * (len(articles) != 1)})"


def difference_summary(values: np.ndarray, is_first: np.ndarray, clusters: np.ndarray, confidence: float = 0.95,
                       n_resamples: int = 2000, seed: int = 0) -> dict:
    """Mean of the ``is_first`` values minus mean of the others, with a percentile interval from resampling ``clusters``.

    Both sides are resampled together (a cluster, e.g. a sentence naming
    both, moves with all its values), so the interval reflects their
    covariance. A resample lacking one side is dropped. ``n`` counts values;
    the interval is NaN with fewer than 2 clusters or when a side is empty;
    ``low_n`` as in :func:`summarize` (``n`` < :data:`LOW_N` or < 2 clusters).

    >>> d = difference_summary(np.array([0.5, 0.3, -0.2, -0.4]), np.array([True, True, False, False]), np.array(["s1", "s2", "s3", "s4"]))
    >>> round(d["mean"], 2), d["n"], d["ci_low"] < d["mean"] < d["ci_high"]
    (0.7, 4, True)
    """
    x = np.asarray(values, dtype=float)
    first = np.asarray(is_first, dtype=bool)
    keep = ~np.isnan(x)
    x, first, labels = x[keep], first[keep], np.asarray(clusters, dtype=str)[keep]
    n = int(x.size)
    out = dict(n=n, mean=float("nan"), ci_low=float("nan"), ci_high=float("nan"), low_n=True)
    if not first.any() or first.all():
        return out
    out["mean"] = float(x[first].mean() - x[~first].mean())
    ids, inverse = np.unique(labels, return_inverse=True)
    k = len(ids)
    out["low_n"] = bool(n < LOW_N or k < 2)
    if k < 2:
        return out
    sums = np.stack([np.bincount(inverse, weights=np.where(side, x, 0.0), minlength=k) for side in (first, ~first)])
    counts = np.stack([np.bincount(inverse, weights=side.astype(float), minlength=k) for side in (first, ~first)])
    draws = np.random.default_rng(seed).integers(0, k, size=(n_resamples, k))
    with np.errstate(invalid="ignore", divide="ignore"):
        diffs = sums[0][draws].sum(1) / counts[0][draws].sum(1) - sums[1][draws].sum(1) / counts[1][draws].sum(1)
    diffs = diffs[np.isfinite(diffs)]
    if diffs.size:
        alpha = (1 - confidence) / 2
        out["ci_low"], out["ci_high"] = float(np.quantile(diffs, alpha)), float(np.quantile(diffs, 1 - alpha))
    return out
