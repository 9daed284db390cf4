"""analysis.tone gives the libraries' own numbers: TextBlob's pattern sentiment and VADER's scores, float for float."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.tone import fast_vader, pattern_sentiment
from tests.conftest import SEED_FILES


@pytest.fixture(scope="module")
def libraries():
    from textblob.en import sentiment
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return sentiment, SentimentIntensityAnalyzer()


@pytest.fixture(scope="module")
def real_texts():
    """Every NewsMTSC sentence (train and dev), and the seed articles whole, by paragraph and by sentence."""
    import pandas as pd

    from analysis.sentiment import load_newsmtsc
    from analysis.text import paragraphs, sentences

    texts = [s for split in ("train", "dev") for s in load_newsmtsc(split)["sentence"].drop_duplicates()]
    arts = pd.DataFrame({"article_id": [p.stem for p in SEED_FILES], "text": [p.read_text(encoding="utf-8") for p in SEED_FILES]})
    paras = paragraphs(arts)
    texts += arts["text"].tolist() + paras["text"].tolist() + sentences(arts, paras)["text"].tolist()
    assert len(texts) > 8000
    return texts


def test_pattern_sentiment_equals_textblob_on_news(libraries, real_texts):
    sentiment, _ = libraries
    differ = [t for t in real_texts if pattern_sentiment(t) != tuple(sentiment(t))]
    assert differ == []


def test_fast_vader_equals_vader_on_news(libraries, real_texts):
    _, vader = libraries
    fast = fast_vader()
    differ = [t for t in real_texts if fast.polarity_scores(t) != vader.polarity_scores(t)]
    assert differ == []


# Pieces that reach every branch: contractions, curly and straight quotes, line breaks, abbreviations,
# ellipses, negations, modifiers ("very", "-ly"), boosters, "but", "least", "kind of", idioms, capitals,
# exclamation and question marks, TextBlob's sarcasm mark and emoticons, VADER's emoji (one and two code points).
_PIECES = [
    " ", " ", " ", "\n", "\n\n", "\r\n", "\t", ".", ",", "!", "?", "...", ";", ":", "(", ")", "'", '"', "“", "”", "‘", "’",
    "-", "—", "good", "bad", "GOOD", "Bad", "great", "terrible", "liar", "honest", "not", "never", "no", "n't", "don't",
    "isn't", "it's", "I'm", "we'll", "they're", "I've", "he'd", "very", "really", "extremely", "totally", "kind", "of",
    "sort", "but", "least", "at", "without", "doubt", "so", "this", "the", "bomb", "yeah", "right", "Mr.", "U.S.",
    "e.g.", "Dr", "A.", "p.m.", "(!)", "( ! )", ":)", ":-)", ": )", ":(", ":D", "XD", "xd", "<3", "8)", ":'(", ";)",
    "°O°", "♥", "😀", "😡", "👍🏽", "☺", "1", "3.5", "$", "#tag", "@user", "END-OF-SENTENCE", "abc", "Plan",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_fast_scorers_equal_the_libraries_on_generated_text(libraries, pieces):
    sentiment, vader = libraries
    text = "".join(pieces)
    assert pattern_sentiment(text) == tuple(sentiment(text))
    assert fast_vader().polarity_scores(text) == vader.polarity_scores(text)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_fast_scorers_equal_the_libraries_on_any_text(libraries, text):
    sentiment, vader = libraries
    assert pattern_sentiment(text) == tuple(sentiment(text))
    assert fast_vader().polarity_scores(text) == vader.polarity_scores(text)


@pytest.mark.parametrize("text", ["I love it 😀!", "So sad 😡 but fine", "Great :) really", "What a plan (!)", "Bad.\n\nGood!"])
def test_texts_with_emoji_and_emoticons_take_the_libraries_path_and_agree(libraries, text):
    sentiment, vader = libraries
    assert pattern_sentiment(text) == tuple(sentiment(text))
    assert fast_vader().polarity_scores(text) == vader.polarity_scores(text)


def test_a_fresh_process_scores_without_importing_textblob_and_agrees(real_texts):
    """The scorer is built from textblob/_text.py alone (no NLTK import); its numbers are TextBlob's."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from textblob import TextBlob

    texts = real_texts[:300] + ["I love it :-) (!)", "Not bad at all... really!", "It's terrible.", ""]
    script = (
        "import json, sys\n"
        "from analysis.tone import pattern_sentiment\n"
        "texts = json.load(sys.stdin)\n"
        "scores = [list(pattern_sentiment(t)) for t in texts]\n"
        "print(json.dumps({'scores': scores, 'loaded': sorted(m for m in ('textblob', 'nltk', 'scipy.stats') if m in sys.modules)}))\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", script], input=json.dumps(texts), capture_output=True, text=True, cwd=root, check=True)
    out = json.loads(done.stdout)
    assert out["loaded"] == []
    assert out["scores"] == [list(TextBlob(t).sentiment) for t in texts]
