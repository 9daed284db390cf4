"""The reading a careful coder gives the two seed articles, checked on the real tables the notebooks read.

Quote-level readings (who said what) are in ``tests/test_quotes.py``; these are
the measures built on them. The tables are built once, with the notebooks'
defaults (``data/``, the accurate stance scorer).
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.findings import describe_order
from analysis.measures import positioning_measures
from analysis.tables import load_tables
from analysis.views import article_order, voice_quotes

CBC, EPOCH = "000_bccff4381b3e394f", "001_20abc0e3856520c8"
FOCUS, COUNTERPART = "Jamil Jivani", "liberal_government"


@pytest.fixture(scope="module")
def seed_tables():
    tables, rejected = load_tables(None)
    assert rejected.empty
    return tables


def test_cbc_has_no_headline_so_headline_presence_is_unknown(seed_tables):
    order = article_order(seed_tables, FOCUS, COUNTERPART).set_index("article_id")
    assert order.at[CBC, "headline"] == ""
    assert pd.isna(order.at[CBC, "focus_in_headline"]) and pd.isna(order.at[CBC, "counterpart_in_headline"])
    assert order.at[EPOCH, "focus_in_headline"] is True or order.at[EPOCH, "focus_in_headline"] == True  # noqa: E712
    text = describe_order(positioning_measures(seed_tables, FOCUS, COUNTERPART))
    cbc_line = next(line for line in text.splitlines() if "CBC News" in line)
    assert "headline not available" in cbc_line


def test_jolys_closing_attack_is_scored_as_her_treatment_of_jivani(seed_tables):
    t = seed_tables.treatment
    him = t[(t["article_id"] == CBC) & (t["mention"] == "him") & (t["speaker"] == "Mélanie Joly")]
    assert him[["source", "target", "speaker_camp"]].values.tolist() == [["quote", "Jamil Jivani", "liberal_government"]]
    mentions = seed_tables.mentions
    assert mentions[(mentions["article_id"] == CBC) & mentions["is_pronoun"]]["mention"].tolist() == ["him", "him"]


def test_relayed_words_count_once_for_whoever_said_them(seed_tables):
    q = voice_quotes(seed_tables, FOCUS, COUNTERPART)
    cbc = q[q["article_id"] == CBC].set_index("quote_id")
    inner = cbc[cbc["quote"] == "Tell the Canadians I love them."].iloc[0]
    outer = cbc.loc[int(inner["outer_quote_id"])]
    assert outer["speaker"] == "Jamil Jivani" and inner["speaker"] == "Donald Trump"
    assert outer["own_word_count"] == outer["word_count"] - inner["word_count"]
    assert abs(q.groupby("outlet")["word_share"].sum() - 1).max() < 1e-9  # shares of own words add up per outlet
