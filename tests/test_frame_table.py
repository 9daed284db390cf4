"""Tests for analysis.frame_table (the score table built once for all sets) and the frames stage's row order."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from analysis import frames as fr
from analysis.frame_lexicon import load_frames
from analysis.stages import sort_table
from analysis.text import sentences
from tests.conftest import SEED_FILES


@pytest.fixture(scope="module")
def seed_sentences() -> pd.DataFrame:
    articles = pd.DataFrame({"article_id": [p.stem for p in SEED_FILES], "text": [p.read_text(encoding="utf-8") for p in SEED_FILES]})
    return sentences(articles)[["article_id", "sentence_id", "text"]].reset_index(drop=True)


def test_one_table_for_all_sets_equals_the_sets_concatenated(seed_sentences):
    names = list(load_frames())
    together = fr.score_frame_sets(seed_sentences, names, keep=["article_id", "sentence_id"], validate=False)
    alone = pd.concat([fr.score_frames(seed_sentences, n, keep=["article_id", "sentence_id"], validate=False) for n in names], ignore_index=True)
    pd.testing.assert_frame_equal(together, alone)
    assert together["frame"].dtype == together["matched_terms"].dtype == pd.Series(["x"]).dtype
    assert (together["matched_terms"] != "").sum() > 50


@pytest.mark.parametrize("key", ["article_id", "sentence_id", "outlet"])
def test_order_by_equals_a_stable_sort(seed_sentences, key):
    rng = random.Random(3)
    shuffled = seed_sentences.sample(frac=1, random_state=4).reset_index(drop=True)
    outlets = [rng.choice(["B", "A", None, "C"]) for _ in range(len(shuffled))]  # missing keys: pandas sorts
    shuffled = shuffled.assign(outlet=pd.Series(outlets, dtype="object"))
    names = list(load_frames())
    keep = ["article_id", "sentence_id", "outlet"]
    ordered = fr.score_frame_sets(shuffled, names, keep=keep, order_by=key)
    expected = fr.score_frame_sets(shuffled, names, keep=keep).sort_values(key, kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(ordered, expected)
    with pytest.raises(KeyError, match="order_by"):
        fr.score_frame_sets(shuffled, names, keep=["sentence_id"], order_by="article_id")


def test_empty_tables_keep_their_dtypes():
    for table in (fr.score_frames([], validate=False), fr.score_frames(["a b"], frames=[], validate=False)):
        assert len(table) == 0
        assert list(table.columns) == list(fr.FRAME_SCORES_SCHEMA.columns)


@pytest.mark.parametrize("shuffle", [False, True])
def test_sort_table_skips_only_what_a_stable_sort_leaves_alone(seed_sentences, shuffle):
    table = fr.score_frame_sets(seed_sentences, list(load_frames()), keep=["article_id", "sentence_id"], order_by="article_id")
    if shuffle:
        table = table.sample(frac=1, random_state=5)
    expected = table.sort_values("article_id", kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(sort_table(table), expected)
    with_missing = table.assign(article_id=table["article_id"].where(np.arange(len(table)) % 7 > 0))
    pd.testing.assert_frame_equal(sort_table(with_missing), with_missing.sort_values("article_id", kind="stable").reset_index(drop=True))
