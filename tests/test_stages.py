"""The stage graph (analysis.stages): every table from one call, spans that hold, any input, a scorer slot."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import stages
from analysis.corpus import load_articles
from analysis.stages import StageParams, run_stages
from analysis.tables import SCHEMAS, TABLES
from test_fuzz import TEXTS


def _spans_hold(tables: dict[str, pd.DataFrame]) -> None:
    text = dict(zip(tables["articles"]["article_id"], tables["articles"]["text"]))
    for name, value in (("paragraphs", "text"), ("sentences", "text"), ("quotes", "quote"), ("mentions", "mention"), ("treatment", "mention")):
        for a, s, e, v in zip(tables[name]["article_id"], tables[name]["start"], tables[name]["end"], tables[name][value]):
            assert text[a][s:e] == v, (name, a, s, e)
    sentence = dict(zip(zip(tables["sentences"]["article_id"], tables["sentences"]["sentence_id"]), tables["sentences"]["text"]))
    for a, sid, m in zip(tables["treatment"]["article_id"], tables["treatment"]["sentence_id"], tables["treatment"]["sentence"]):
        assert sentence[(a, sid)] == m


def test_one_call_makes_every_table_with_its_schema_and_the_seed_spans_hold():
    tables = run_stages(load_articles(), StageParams(frame_sets=("story_frames",)))
    assert list(tables) == list(TABLES)
    for name, schema in SCHEMAS.items():
        assert list(tables[name].columns) == list(schema.columns), name
        assert len(tables[name]) > 0, name
    _spans_hold(tables)
    assert set(tables["frames"]["frame_set"]) == {"story_frames"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(TEXTS)
def test_any_text_goes_through_every_stage_with_its_offsets(text):
    from analysis.text import normalize_text

    text = normalize_text(text.encode("utf-8", "surrogatepass").decode("utf-8", "replace"))
    if not text.strip():
        return
    tables = run_stages(pd.DataFrame({"article_id": ["a"], "outlet": ["X"], "text": [text]}), StageParams(frame_sets=("generic_frames",)))
    _spans_hold(tables)


def test_unknown_frame_set_and_stance_scorer_are_named():
    with pytest.raises(stages.StageError, match="unknown frame set"):
        stages.describe(StageParams(frame_sets=("no_such_set",)))
    with pytest.raises(stages.StageError, match="unknown stance scorer 'exact'; choose one of fast, accurate"):
        stages.describe(StageParams(stance="exact"))


def test_the_accurate_stance_scorer_fills_the_treatment_table():
    arts = load_articles()
    fast = run_stages(arts, StageParams(frame_sets=("generic_frames",), stance="fast"))
    accurate = run_stages(arts, StageParams(frame_sets=("generic_frames",), stance="accurate"))
    key = ["article_id", "start", "end", "target", "speaker"]
    pd.testing.assert_frame_equal(fast["treatment"][key], accurate["treatment"][key])  # the same mentions and voices
    assert set(accurate["treatment"]["label"]) <= {"negative", "neutral", "positive"}
    assert (accurate["treatment"]["polarity"] != fast["treatment"]["polarity"]).any()  # another model's scores
    described = stages.describe(StageParams(stance="accurate"))
    assert described["stance"] == "accurate" and any(p.endswith("model.onnx") for p in described["data_sha256"])


def test_a_stance_scorer_registered_by_name_is_used(monkeypatch):
    def always_negative(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"polarity": -0.5, "label": "negative"}, index=frame.index)

    monkeypatch.setitem(stages.STANCE_SCORERS, "test", "test_stages:always_negative_scorer")
    globals()["always_negative_scorer"] = always_negative
    stages.stance_scorer.cache_clear()
    arts = load_articles()
    tables = run_stages(arts, StageParams(frame_sets=("generic_frames",), stance="test"))
    assert set(tables["treatment"]["label"]) == {"negative"} and len(tables["treatment"]) > 10
    assert stages.describe(StageParams(stance="test"))["stance"] == "test"
    stages.stance_scorer.cache_clear()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 30), st.integers(0, 5), st.booleans()), max_size=8),
       st.lists(st.tuples(st.integers(0, 80), st.integers(1, 6)), min_size=1, max_size=12))
def test_mentions_get_the_innermost_quote_and_speaker_overlap_of_the_plain_scan(quotes, mentions):
    """_quote_of_mentions equals the per-mention scan it replaced: the shortest quote holding the mention
    (lower quote_id on a tie), and any overlap with a quote's speaker span."""
    import numpy as np

    q_start = np.array([s for s, _, _, _ in quotes], dtype=np.int64)
    q_end = q_start + np.array([n for _, n, _, _ in quotes], dtype=np.int64)
    q_id = np.array([i for _, _, i, _ in quotes], dtype=np.int64)  # ids may repeat
    sp_start = np.array([s + 1 if has else None for (s, _, _, has) in quotes], dtype=object)
    sp_end = np.array([s + 3 if has else None for (s, _, _, has) in quotes], dtype=object)
    f_start = np.array([s for s, _ in mentions], dtype=np.int64)
    f_end = f_start + np.array([n for _, n in mentions], dtype=np.int64)
    rows = np.arange(len(quotes)) if quotes else None
    got = stages._quote_of_mentions(rows, f_start, f_end, (q_start, q_end, q_id, sp_start, sp_end))
    spans = [(int(a), int(b), int(i)) for a, b, i in zip(q_start, q_end, q_id)]
    speakers = [(a, b) for a, b in zip(sp_start, sp_end) if a is not None]
    want_quote, want_speaker = [], []
    for start, end in zip(f_start.tolist(), f_end.tolist()):
        inside = [(qe - qs, qid) for qs, qe, qid in spans if qs <= start and end <= qe]
        want_quote.append(min(inside)[1] if inside else None)
        want_speaker.append(any(a < end and start < b for a, b in speakers))
    assert got == (want_quote, want_speaker)
