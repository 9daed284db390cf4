"""Tests for analysis.sentiment: lexicon scores, target-directed sentiment, per-actor rows, summaries.

The target model comes from the cache in ``.cache/models/`` (trained there on
first use, about 45 s); the training tests use a 300-row subset.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import sentiment as S


def _span(sentence: str, mention: str) -> tuple[int, int]:
    start = sentence.index(mention)
    return start, start + len(mention)


# --- whole-text lexicon scores ------------------------------------------------------------


def test_score_texts_columns_and_ranges():
    out = S.score_texts(["A wonderful, honest leader.", "A corrupt, dishonest liar.", "The vote is on Tuesday."])
    assert out.columns.tolist() == ["text", "polarity", "subjectivity", "compound"]
    assert out["polarity"].between(-1, 1).all() and out["subjectivity"].between(0, 1).all()
    assert (np.sign(out["compound"]) == [1, -1, 0]).all()
    assert out.loc[2, "polarity"] == 0.0  # no opinion word: TextBlob says exactly 0


@pytest.mark.parametrize("column", ["polarity", "compound"])
def test_score_texts_negation_lowers_score(column):
    out = S.score_texts(["He is a good minister.", "He is not a good minister."])
    assert out.loc[1, column] < 0 < out.loc[0, column]


def test_score_texts_matches_textblob_and_needs_no_corpus():
    from textblob import TextBlob

    text = "The plan is not bad, but the rollout was awful."
    out = S.score_texts([text]).iloc[0]
    assert (out["polarity"], out["subjectivity"]) == pytest.approx(tuple(TextBlob(text).sentiment))


def test_score_texts_empty():
    out = S.score_texts([])
    assert len(out) == 0 and out.columns.tolist() == ["text", "polarity", "subjectivity", "compound"]


def test_label_scores_thresholds():
    assert S.label_scores([0.06, 0.05, -0.05, -0.06], S.VADER_THRESHOLD).tolist() == ["positive", "neutral", "neutral", "negative"]
    assert S.label_scores([0.01, 0.0, -0.01], S.TEXTBLOB_THRESHOLD).tolist() == ["positive", "neutral", "negative"]


# --- target-directed sentiment -------------------------------------------------------------

PRAISE_AND_ATTACK = "Smith praised Jones's courage but called Brown a liar."


@pytest.mark.parametrize(
    ("sentence", "mention", "expected"),
    [
        (PRAISE_AND_ATTACK, "Jones", "positive"),
        (PRAISE_AND_ATTACK, "Brown", "negative"),
        ("Critics called Brown a liar and a fraud.", "Brown", "negative"),
        ("Carney is an honest and capable leader.", "Carney", "positive"),
        ("Carney is not an honest man.", "Carney", "negative"),  # negated praise
        ("Carney will meet the premiers on Tuesday in Ottawa.", "Carney", "neutral"),
        ("Freeland was widely praised for her handling of the talks.", "Freeland", "positive"),
        ("Freeland was widely criticized for her handling of the talks.", "Freeland", "negative"),
        ("“Carney has been a disaster for this country,” said Poilievre.", "Carney", "negative"),
        pytest.param(
            "Poilievre is not a liar.", "Poilievre", "neutral",
            marks=pytest.mark.xfail(reason="negated insult: 'liar' outweighs 'not' for a bag-of-n-grams model", strict=False),
        ),
        pytest.param(
            "Jivani, who I don't believe is the trade critic, spoke after the vote.", "Jivani", "neutral",
            marks=pytest.mark.xfail(reason="doubt about a role is read as negative: negation words with no opinion word", strict=False),
        ),
        pytest.param(
            "“Carney has been a disaster for this country,” said Poilievre.", "Poilievre", "neutral",
            marks=pytest.mark.xfail(reason="the speaker of an attack picks up some of its negativity", strict=False),
        ),
    ],
)
def test_target_sentiment_labels(sentence, mention, expected):
    start, end = _span(sentence, mention)
    result = S.target_sentiment(sentence, start, end)
    assert set(result) == {"polarity", "label"}
    assert -1 <= result["polarity"] <= 1
    assert result["label"] == expected


def test_target_sentiment_differs_between_two_people_in_one_sentence():
    jones = S.target_sentiment(PRAISE_AND_ATTACK, *_span(PRAISE_AND_ATTACK, "Jones"))
    brown = S.target_sentiment(PRAISE_AND_ATTACK, *_span(PRAISE_AND_ATTACK, "Brown"))
    assert jones["polarity"] > 0 > brown["polarity"]
    # a whole-sentence lexicon score cannot tell them apart
    assert S.score_texts([PRAISE_AND_ATTACK])["compound"].nunique() == 1


@pytest.mark.parametrize(
    ("plain", "negated", "mention"),
    [
        ("Poilievre is a liar.", "Poilievre is not a liar.", "Poilievre"),
        ("Carney is an honest man.", "Carney is not an honest man.", "Carney"),
    ],
)
def test_negation_moves_polarity_the_right_way(plain, negated, mention):
    p = S.target_sentiment(plain, *_span(plain, mention))["polarity"]
    n = S.target_sentiment(negated, *_span(negated, mention))["polarity"]
    assert abs(n) < abs(p) or np.sign(n) != np.sign(p)


def test_target_sentiments_is_vectorised_and_keeps_index():
    sentences = [PRAISE_AND_ATTACK, PRAISE_AND_ATTACK, "Critics called Brown a liar and a fraud."]
    spans = [_span(PRAISE_AND_ATTACK, "Jones"), _span(PRAISE_AND_ATTACK, "Brown"), _span(sentences[2], "Brown")]
    frame = pd.DataFrame({"sentence": sentences, "start": [a for a, _ in spans], "end": [b for _, b in spans]}, index=[10, 20, 30])
    out = S.target_sentiments(frame)
    assert out.index.tolist() == [10, 20, 30]
    assert out.columns.tolist() == ["polarity", "label", "p_negative", "p_neutral", "p_positive"]
    assert np.allclose(out[["p_negative", "p_neutral", "p_positive"]].sum(axis=1), 1)
    single = S.target_sentiment(sentences[1], *spans[1])
    assert single["polarity"] == pytest.approx(out.loc[20, "polarity"])


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (5, 5), (3, 999)])
def test_target_sentiments_rejects_bad_offsets(start, end):
    with pytest.raises(ValueError, match="start/end"):
        S.target_sentiments(pd.DataFrame({"sentence": ["Brown spoke."], "start": [start], "end": [end]}))


def test_target_sentiments_empty_frame():
    out = S.target_sentiments(pd.DataFrame({"sentence": [], "start": [], "end": []}))
    assert len(out) == 0


def test_training_is_reproducible_and_cached(tmp_path):
    dev = S.load_newsmtsc("dev").head(20)
    a = S.train_target_model(limit=300).predict_proba(dev)
    b = S.train_target_model(limit=300).predict_proba(dev)
    assert np.array_equal(a, b)
    cached = S.load_target_model(limit=300, cache_dir=tmp_path)
    files = list(tmp_path.glob("target_sentiment-*.pkl"))
    assert len(files) == 1
    S._LOADED.clear()  # force a read from disk
    again = S.load_target_model(limit=300, cache_dir=tmp_path)
    assert again is not cached and np.array_equal(again.predict_proba(dev), a)


def test_newsmtsc_offsets_point_at_mentions():
    for split in ("train", "dev"):
        df = S.load_newsmtsc(split)
        assert set(df["polarity"]) == {-1, 0, 1}
        sample = df.sample(200, random_state=0)
        assert all(s[a:b] == m for s, a, b, m in zip(sample["sentence"], sample["start"], sample["end"], sample["mention"]))


def test_lexicon_features_count_only_opinion_and_negation_words_bit_for_bit():
    """Looping over the counted words only gives the features a loop over every word gives (NewsMTSC dev)."""
    import bisect

    import numpy as np

    from analysis import sentiment as S

    def every_word(sentence, start, end, words):  # the plain definition: all words, in order
        f = [0.0] * S._N_LEXICON_FEATURES
        w_starts, w_ends, valences, negations, _ = words
        n_left, first_right = bisect.bisect_right(w_ends, start), bisect.bisect_left(w_starts, end)
        for i in range(len(w_starts)):
            if w_ends[i] <= start:
                side, distance = 0, n_left - 1 - i
            elif w_starts[i] >= end:
                side, distance = 1, i - first_right
            else:
                continue
            f[9] += negations[i] and distance < 4
            valence = valences[i] * (-0.74 if valences[i] and any(negations[max(0, i - 3) : i]) else 1)
            if valence:
                f[side * 3 + (0 if distance <= 3 else (1 if distance <= 8 else 2))] += valence
                f[6] += valence / (1 + distance)
                f[7 if valence > 0 else 8] += abs(valence)
        return f[:10]

    dev = S.load_newsmtsc("dev")
    counted = 0
    for sentence, start, end in zip(dev["sentence"], dev["start"], dev["end"]):
        words = S._sentence_words(sentence)
        counted += len(words[4])
        fast = S._lexicon_features(sentence, start, end, 0.0, words)
        assert np.array_equal(fast[:10], np.array(every_word(sentence, start, end, words))), sentence
    assert counted > len(dev)  # most sentences hold an opinion word or a negation
