"""Tests for analysis.cues: attribution-verb classes from data/attribution_verbs.yaml."""

from __future__ import annotations

import doctest
from pathlib import Path

import pandas as pd
import pytest

from analysis import cues
from analysis.cues import CueLexiconError, classify_cue, count_cues, label_cues, load_cues


def _write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "cue, category",
    [
        ("said", "neutral"), ("says", "neutral"), ("saying", "neutral"), ("has said", "neutral"),
        ("had said", "neutral"), ("He also said", "neutral"), ("told reporters", "neutral"),
        ("according to", "neutral"), ("wrote", "neutral"), ("posted", "neutral"), ("stated", "neutral"),
        ("added", "neutral"), ("said in a statement", "neutral"),
        ("insisted", "emphatic"), ("stressed", "emphatic"), ("emphasized", "emphatic"),
        ("underlined", "emphatic"), ("has repeatedly insisted", "emphatic"), ("pointed out", "emphatic"),
        ("claimed", "doubting"), ("alleged", "doubting"), ("purported", "doubting"), ("claims", "doubting"),
        ("dismissed", "dismissive"), ("snubbed", "dismissive"), ("brushed off", "dismissive"),
        ("waved off", "dismissive"), ("scoffed", "dismissive"), ("Brushed Off", "dismissive"),
        ("criticized", "conflictual"), ("denied", "conflictual"), ("rebuffed", "conflictual"),
        ("slammed", "conflictual"), ("attacked", "conflictual"), ("accused", "conflictual"),
        ("blasted", "conflictual"), ("flatly denied", "conflictual"), ("fired back", "conflictual"),
    ],
)
def test_classify_cue_categories(cue, category):
    assert classify_cue(cue) == category


@pytest.mark.parametrize("cue", ["sang", "", "   ", None, float("nan"), "brushed", "did not deny", "never said", "admitted"])
def test_classify_cue_unknown_is_other(cue):
    assert classify_cue(cue) == "other"


def test_cue_lexicon_categories_and_validation(tmp_path):
    assert load_cues().categories == ("neutral", "emphatic", "doubting", "dismissive", "conflictual")
    bad = _write(tmp_path, "a:\n  cues:\n    say: [said]\nb:\n  cues:\n    say: [said]\n  colour: red\n", "cues.yaml")
    with pytest.raises(CueLexiconError) as info:
        load_cues(bad)
    assert "category 'b', cue 'say': form 'said' is already in category 'a'" in str(info.value)
    assert "category 'b': unknown key 'colour'" in str(info.value)
    own = _write(tmp_path, "praise:\n  cues:\n    hail: [hailed]\n", "own.yaml")
    assert classify_cue("hailed", own) == "praise"


def test_count_cues_per_group():
    quotes = pd.DataFrame(
        {
            "article_id": ["a1", "a1", "a2", "a3", "a3"],
            "outlet": ["CBC", "CBC", "CBC", "Post", "Post"],
            "speaker": ["Carney", "Carney", "Carney", "Jivani", "Jivani"],
            "camp": ["Liberal", "Liberal", "Liberal", "Conservative", "Conservative"],
            "cue": ["said", "dismissed", "Dismissed", "said", None],
        }
    )
    counts = count_cues(quotes)
    assert list(counts.columns) == ["outlet", "speaker"] + list(cues.CUE_COUNTS_SCHEMA.columns)
    assert len(counts) == 2 * 6  # every category + other, for each group
    cbc = counts[counts["outlet"] == "CBC"].set_index("cue_category")
    assert cbc.loc["dismissive", ["count", "n", "cues"]].tolist() == [2, 3, "dismissed"]
    assert cbc.loc["neutral", "share"] == pytest.approx(1 / 3)
    assert cbc.loc["conflictual", "count"] == 0 and bool(cbc.loc["conflictual", "low_n"])
    post = counts[counts["outlet"] == "Post"].set_index("cue_category")
    assert post.loc["other", "count"] == 1
    by_camp = count_cues(quotes, by="camp")
    assert by_camp.groupby("camp")["count"].sum().to_dict() == {"Conservative": 2, "Liberal": 3}
    assert count_cues(quotes, by=None)["count"].sum() == 5
    assert label_cues(quotes)["cue_category"].tolist() == ["neutral", "dismissive", "dismissive", "neutral", "other"]
    with pytest.raises(KeyError, match="cue"):
        count_cues(quotes.drop(columns="cue"))


def test_module_doctests():
    result = doctest.testmod(cues, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
