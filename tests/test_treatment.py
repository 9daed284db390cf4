"""Tests for analysis.treatment: target-directed sentiment per actor mention, and who voices it."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import treatment as T


def _span(sentence: str, mention: str) -> tuple[int, int]:
    start = sentence.index(mention)
    return start, start + len(mention)


ARTICLE = "“Brown is a liar,” Smith said. Voters admire Jones for her courage."
#          0123456789...


@pytest.fixture()
def article_tables():
    first_end = ARTICLE.index(".") + 1
    second_start = first_end + 1
    sentences = pd.DataFrame(
        {
            "article_id": ["a1", "a1"],
            "sentence_id": [0, 1],
            "start": [0, second_start],
            "end": [first_end, len(ARTICLE)],
            "text": [ARTICLE[:first_end], ARTICLE[second_start:]],
        }
    )
    mentions = pd.DataFrame(
        [("a1", *_span(ARTICLE, name), name, name, camp) for name, camp in (("Brown", "B"), ("Smith", "S"), ("Jones", "J"))],
        columns=["article_id", "start", "end", "mention", "actor", "camp"],
    )
    quote_start, quote_end = 1, ARTICLE.index("”")
    quotes = pd.DataFrame({"article_id": ["a1"], "start": [quote_start], "end": [quote_end], "speaker": ["Smith"], "camp": ["S"]})
    return sentences, mentions, quotes


def test_actor_sentiment_sources_and_evidence(article_tables):
    sentences, mentions, quotes = article_tables
    out = T.actor_sentiment(sentences, mentions, quotes)
    assert out.columns.tolist() == list(T.ACTOR_SENTIMENT_SCHEMA.columns)
    rows = out.set_index("target")
    assert rows.loc["Brown", "source"] == "Smith" and rows.loc["Brown", "source_camp"] == "S"
    assert rows.loc["Smith", "source"] == "narrator" and pd.isna(rows.loc["Smith", "source_camp"])
    assert rows.loc["Jones", "source"] == "narrator" and rows.loc["Jones", "sentence_id"] == 1
    assert rows.loc["Brown", "label"] == "negative"
    assert rows.loc["Jones", "label"] == "positive"
    for _, row in out.iterrows():  # evidence: offsets index the article, sentence holds the mention
        assert ARTICLE[row["start"] : row["end"]] == row["mention"]
        assert row["mention"] in row["sentence"]


def test_actor_sentiment_without_quotes_is_all_narrator(article_tables):
    sentences, mentions, _ = article_tables
    out = T.actor_sentiment(sentences, mentions)
    assert (out["source"] == "narrator").all()


def test_actor_sentiment_unattributed_quote_and_innermost_span(article_tables):
    sentences, mentions, quotes = article_tables
    outer = pd.DataFrame({"article_id": ["a1"], "start": [0], "end": [len(ARTICLE)], "speaker": [None], "camp": [None]})
    out = T.actor_sentiment(sentences, mentions, pd.concat([outer, quotes], ignore_index=True)).set_index("target")
    assert out.loc["Brown", "source"] == "Smith"
    assert out.loc["Jones", "source"] == "unattributed"


def test_actor_sentiment_rejects_mention_outside_sentences(article_tables):
    sentences, mentions, _ = article_tables
    stray = mentions.assign(article_id="other")
    with pytest.raises(ValueError, match="no sentence"):
        T.actor_sentiment(sentences, stray)


def test_actor_sentiment_no_mentions(article_tables):
    sentences, mentions, _ = article_tables
    out = T.actor_sentiment(sentences, mentions.iloc[0:0])
    assert len(out) == 0 and out.columns.tolist() == list(T.ACTOR_SENTIMENT_SCHEMA.columns)


def test_a_stance_scorer_can_be_passed_in(article_tables):
    sentences, mentions, quotes = article_tables

    def always_positive(frame: pd.DataFrame) -> pd.DataFrame:
        assert {"sentence", "start", "end"} <= set(frame.columns)
        return pd.DataFrame({"polarity": 0.5, "label": "positive"}, index=frame.index)

    out = T.actor_sentiment(sentences, mentions, quotes, scorer=always_positive)
    assert out["label"].tolist() == ["positive"] * 3 and out["polarity"].tolist() == [0.5] * 3


def test_the_innermost_quote_wins_ties_go_to_the_first_and_other_articles_do_not_count(monkeypatch):
    mentions = pd.DataFrame({"article_id": ["a", "a", "a", "b", "c"], "start": [5, 12, 30, 5, 0], "end": [8, 15, 33, 8, 2]})
    quotes = pd.DataFrame(
        {
            "article_id": ["a", "a", "a", "b", "a"],
            "start": [0, 10, 10, 20, 0],
            "end": [40, 20, 20, 30, 9],
            "speaker": ["Outer", "First", "Second", "Elsewhere", None],
            "camp": ["o", "f", "s", "e", ""],
        }
    )
    expected = (["unattributed", "First", "Outer", "narrator", "narrator"], [None, "f", "o", None, None])
    assert T._speakers(mentions, quotes) == expected
    monkeypatch.setattr(T, "_PAIRS_PER_CHUNK", 2)  # the same answer when the pairs are tested a few at a time
    assert T._speakers(mentions, quotes) == expected
