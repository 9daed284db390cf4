"""Tests for analysis.stats: means with bootstrap intervals and the low-n flag."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pandas as pd
import pytest

from analysis import stats
from analysis.stats import summarize


def test_summarize_small_groups():
    df = pd.DataFrame(
        {
            "outlet": ["A"] * 6 + ["B", "C"],
            "polarity": [0.1, 0.3, -0.2, 0.4, 0.0, 0.2, 0.5, np.nan],
        }
    )
    out = summarize(df, by=["outlet"]).set_index("outlet")
    assert out.columns.tolist() == ["n", "mean", "ci_low", "ci_high", "low_n"]
    a, b, c = out.loc["A"], out.loc["B"], out.loc["C"]
    assert a["n"] == 6 and not a["low_n"] and a["ci_low"] <= a["mean"] <= a["ci_high"]
    assert b["n"] == 1 and b["low_n"] and b["mean"] == 0.5 and math.isnan(b["ci_low"]) and math.isnan(b["ci_high"])
    assert c["n"] == 0 and c["low_n"] and math.isnan(c["mean"]) and math.isnan(c["ci_low"])


def test_summarize_is_reproducible_and_overall_without_by():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"polarity": rng.uniform(-1, 1, 50)})
    first, second = summarize(df), summarize(df)
    pd.testing.assert_frame_equal(first, second)
    assert first.loc[0, "n"] == 50 and first.loc[0, "ci_low"] < first.loc[0, "ci_high"]


def test_summarize_cluster_bootstrap_with_one_article_has_no_interval():
    df = pd.DataFrame({"article_id": ["a"] * 10 + ["b"] * 10, "camp": ["X"] * 20, "polarity": np.linspace(-1, 1, 20)})
    by_article = summarize(df[df["article_id"] == "a"], by=["camp"], cluster="article_id").iloc[0]
    assert by_article["n"] == 10 and by_article["low_n"] and math.isnan(by_article["ci_low"])
    two = summarize(df, by=["camp"], cluster="article_id").iloc[0]
    naive = summarize(df, by=["camp"]).iloc[0]
    assert two["ci_high"] - two["ci_low"] > naive["ci_high"] - naive["ci_low"]  # articles, not mentions, are the sample


def test_summarize_constant_values():
    out = summarize(pd.DataFrame({"polarity": [0.2, 0.2, 0.2]})).iloc[0]
    assert out["ci_low"] == pytest.approx(0.2) and out["ci_high"] == pytest.approx(0.2)


def test_summarize_weighted_mean_resamples_rows_with_their_weights():
    # a share of quoted words: one row per quote, 1 if the quote is the focus's, weighted by its words
    df = pd.DataFrame({"outlet": ["A"] * 4 + ["B"], "focus": [1, 0, 1, 0, 1], "words": [30, 10, 10, 50, 7], "article_id": list("aabbc")})
    out = summarize(df, by=["outlet"], value="focus", weight="words").set_index("outlet")
    assert out.loc["A", "mean"] == pytest.approx(40 / 100) and out.loc["A", "n"] == 4
    assert 0 <= out.loc["A", "ci_low"] < out.loc["A", "mean"] < out.loc["A", "ci_high"] <= 1
    assert out.loc["B", "mean"] == 1.0 and np.isnan(out.loc["B", "ci_low"])
    clustered = summarize(df[df["outlet"] == "A"], value="focus", weight="words", cluster="article_id").iloc[0]
    assert clustered["mean"] == pytest.approx(0.4) and clustered["ci_low"] <= 0.4 <= clustered["ci_high"]
    assert summarize(df.assign(words=0), value="focus", weight="words").iloc[0]["n"] == 5  # no weight: mean undefined


def test_module_doctests():
    result = doctest.testmod(stats)
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.parametrize("seed", range(40))
def test_percentile_bootstrap_equals_scipy_bit_for_bit(seed):
    from scipy import stats as scipy_stats

    from analysis.stats import percentile_bootstrap

    g = np.random.default_rng(seed)
    x = g.uniform(-1, 1, int(g.integers(2, 80)))
    if seed % 3 == 0:
        x = np.round(x, 1)
    if seed % 5 == 0:
        x = (x > 0).astype(float)
    ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
    for _ in range(3):  # the generator is shared across groups: its state must advance the same way
        res = scipy_stats.bootstrap((x,), np.mean, confidence_level=0.95, n_resamples=2000, method="percentile",
                                    random_state=theirs, vectorized=True)
        assert percentile_bootstrap(x, 0.95, 2000, ours) == (res.confidence_interval.low, res.confidence_interval.high)
