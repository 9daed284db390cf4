"""analysis.tfidf.transform gives the very matrix scikit-learn's TfidfVectorizer.transform gives."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import sentiment, tfidf


def _same(a, b) -> bool:
    a, b = a.tocsr(), b.tocsr()
    return a.shape == b.shape and np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices) and np.array_equal(a.data, b.data)


@pytest.mark.parametrize("split", ["train", "dev"])
def test_the_stance_models_vectorizers_give_identical_matrices(split):
    model = sentiment.load_target_model()
    data = sentiment.load_newsmtsc(split)
    docs = sentiment._views(data["sentence"].tolist(), data["start"].tolist(), data["end"].tolist())[0]
    for vectorizer in model.features.vectorizers:
        assert _same(tfidf.transform(vectorizer, docs), vectorizer.transform(docs)), vectorizer.analyzer
        assert _same(tfidf.transform(vectorizer, docs), vectorizer.transform(docs)), "from the warm cache"


def test_the_cache_is_bounded_and_other_settings_fall_back(monkeypatch):
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = ["alpha beta gamma", "beta delta", "épsilon ZETA  eta\tbeta"]
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), norm="l1").fit(docs)
    monkeypatch.setattr(tfidf, "CACHE_LIMIT", 2)
    for _ in range(3):
        assert _same(tfidf.transform(char, docs), char.transform(docs))
    assert len(tfidf._CACHES[char]) <= 2 + len(" ".join(docs).split())
    binary = TfidfVectorizer(analyzer="char_wb", binary=True).fit(docs)
    assert _same(tfidf.transform(binary, docs), binary.transform(docs))


def test_the_word_vectorizers_give_identical_matrices_on_the_windows_too():
    model = sentiment.load_target_model()
    data = sentiment.load_newsmtsc("train")
    masked, left, right = sentiment._views(data["sentence"].tolist(), data["start"].tolist(), data["end"].tolist())
    for vectorizer in model.features.vectorizers:
        for docs in (left, right, [d.upper() for d in masked[:500]]):
            assert _same(tfidf.transform(vectorizer, docs), vectorizer.transform(docs)), vectorizer.analyzer


@pytest.mark.parametrize(
    "settings",
    [
        {"ngram_range": (1, 2)},
        {"ngram_range": (1, 2), "max_features": 9},  # a bigram whose words are not in the vocabulary
        {"ngram_range": (2, 3), "norm": "l1"},
        {"ngram_range": (1, 1), "lowercase": False, "sublinear_tf": True},
        {"ngram_range": (1, 3), "token_pattern": r"(?u)\b(\w)\w+\b", "norm": None},
        {"analyzer": "char_wb", "ngram_range": (2, 4), "lowercase": False},
    ],
)
def test_other_settings_and_odd_documents_give_identical_matrices(settings):
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = ["alpha beta gamma beta", "beta delta", "épsilon ZETA  eta\tbeta", "", "zzz qqq",
            "Alpha\u00a0beta\u2003gamma\x1cdelta", "a b c"]
    vectorizer = TfidfVectorizer(**settings).fit(docs)
    for batch in (docs, docs[::-1], [""], ["qqq zzz"], ["ΟΔΟΣ Σ"]):
        assert _same(tfidf.transform(vectorizer, batch), vectorizer.transform(batch)), batch


def test_a_refitted_vectorizer_is_not_served_its_old_vocabulary():
    from sklearn.feature_extraction.text import TfidfVectorizer

    for analyzer in ("word", "char_wb"):
        vectorizer = TfidfVectorizer(analyzer=analyzer, ngram_range=(1, 2)).fit(["red fish blue fish", "one fish"])
        tfidf.transform(vectorizer, ["blue fish", "red one"])
        vectorizer.fit(["one two three", "two three four", "blue fish"])
        docs = ["two three blue fish", "four"]
        assert _same(tfidf.transform(vectorizer, docs), vectorizer.transform(docs)), analyzer


def test_the_default_tokens_are_the_regex_tokens():
    import random
    import re

    from sklearn.feature_extraction.text import TfidfVectorizer

    pattern = re.compile(TfidfVectorizer().token_pattern)
    assert not any(ch.isalnum() or ch == "_" for ch in tfidf._NON_WORD_MARKS)  # so a mark may become a space
    texts = sentiment.load_newsmtsc("train")["sentence"].tolist()
    alphabet = "ab Z9_-'’“”—…\xa0\t\néΣσς.1"
    rng = random.Random(0)
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(5000)]
    for text in texts:
        assert tfidf._default_tokens(text) == pattern.findall(text), text
        assert tfidf._default_tokens(text.lower()) == pattern.findall(text.lower()), text


@pytest.mark.parametrize("split", ["train", "dev"])
def test_an_unsorted_char_matrix_holds_the_same_entries(split):
    """``canonical=False``: each row's entries in the product's order, the values equal but for the last bit of the row norm."""
    model = sentiment.load_target_model()
    data = sentiment.load_newsmtsc(split)
    docs = sentiment._views(data["sentence"].tolist(), data["start"].tolist(), data["end"].tolist())[0]
    char = next(v for v in model.features.vectorizers if v.analyzer == "char_wb")
    loose, exact = tfidf.transform(char, docs, canonical=False), char.transform(docs)
    assert not loose.has_sorted_indices  # (else the test would not test the unsorted path)
    assert np.array_equal(loose.indptr, exact.indptr)
    loose = loose.copy()
    loose.sort_indices()
    assert np.array_equal(loose.indices, exact.indices)
    np.testing.assert_allclose(loose.data, exact.data, rtol=1e-14, atol=0)
    word = next(v for v in model.features.vectorizers if v.analyzer == "word")
    assert _same(tfidf.transform(word, docs, canonical=False), word.transform(docs))  # word spaces are always canonical


def test_the_stance_model_sums_its_decision_block_by_block():
    """TargetModel.predict_proba equals scikit-learn's predict_proba on the stacked matrix, to rounding."""
    model = sentiment.load_target_model()
    data = sentiment.load_newsmtsc("dev")
    stacked = model.classifier.predict_proba(model.features.transform(data))
    order = [list(model.classifier.classes_).index(c) for c in (-1, 0, 1)]
    by_blocks = model.predict_proba(data)
    np.testing.assert_allclose(by_blocks, stacked[:, order], rtol=0, atol=1e-12)
    assert (by_blocks.argmax(axis=1) == stacked[:, order].argmax(axis=1)).all()
    with pytest.raises(ValueError, match="fitted on"):
        sentiment._decision(model.classifier, model.features.blocks(data)[:-1])
