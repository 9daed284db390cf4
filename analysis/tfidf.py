"""A fitted scikit-learn ``TfidfVectorizer``'s ``transform``: the same matrix, with each word's character n-grams cached.

The stance model (:mod:`analysis.sentiment`) turns every mention's sentence
into TF-IDF rows, one space of them over character n-grams within words
(``analyzer="char_wb"``); scikit-learn builds every n-gram of every word of
every sentence again in Python, and that was a fifth of a batch run's time.
:func:`transform` gives the identical sparse matrix (same entries, same
floating-point values: a test compares them on all of NewsMTSC train) by
caching the vocabulary ids of each distinct word's n-grams, then counting,
weighting and normalising as scikit-learn does: 6x faster once the common
words are cached.

>>> from sklearn.feature_extraction.text import TfidfVectorizer
>>> docs = ["The cat sat.", "The dog sat down.", "A cat!"]
>>> char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True).fit(docs)
>>> (transform(char, docs) != char.transform(docs)).nnz
0

Limits: only ``char_wb`` vectorizers with the settings the stance model uses
(lower-casing, no accents stripping, preprocessor, stop words or binary
counts) are re-implemented; any other goes to scikit-learn's own
``transform`` (its word n-grams are as fast there). The cache holds at most
:data:`CACHE_LIMIT` words per vectorizer (then starts again), so a long
run's memory stays flat.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence

import numpy as np

CACHE_LIMIT = 50_000
"""Words whose n-gram ids are kept per vectorizer before the cache is emptied."""

_WHITE_SPACES = re.compile(r"\s\s+")  # as scikit-learn normalises white space before char_wb n-grams
_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _supported(v) -> bool:
    return (
        v.analyzer == "char_wb" and v.input == "content" and v.lowercase and v.strip_accents is None
        and v.preprocessor is None and not v.binary and v.use_idf and v.norm in ("l2", "l1", None)
        and v.dtype in (np.float64, float)
    )


def _cache(vectorizer) -> dict:
    cache = _CACHES.get(vectorizer)
    if cache is None or len(cache) > CACHE_LIMIT:
        cache = _CACHES[vectorizer] = {}
    return cache


def _char_ids(word: str, vocabulary: dict, min_n: int, max_n: int) -> np.ndarray:
    """Vocabulary ids of ``word``'s char_wb n-grams (scikit-learn's ``_char_wb_ngrams`` for one word)."""
    w = " " + word + " "
    w_len = len(w)
    grams = []
    for n in range(min_n, max_n + 1):
        offset = 0
        grams.append(w[offset : offset + n])
        while offset + n < w_len:
            offset += 1
            grams.append(w[offset : offset + n])
        if offset == 0:  # a short word counts once
            break
    get = vocabulary.get
    return np.array([i for i in map(get, grams) if i is not None], dtype=np.int64)


def _doc_ids_char(doc: str, vectorizer, cache: dict) -> list[np.ndarray]:
    vocabulary, (min_n, max_n) = vectorizer.vocabulary_, vectorizer.ngram_range
    ids = []
    for word in _WHITE_SPACES.sub(" ", doc.lower()).split():
        found = cache.get(word)
        if found is None:
            found = cache[word] = _char_ids(word, vocabulary, min_n, max_n)
        ids.append(found)
    return ids


def transform(vectorizer, docs: Sequence[str]):
    """``vectorizer.transform(docs)`` of a fitted ``TfidfVectorizer``, computed with cached per-word n-grams for ``char_wb``."""
    if not _supported(vectorizer):
        return vectorizer.transform(docs)
    from scipy import sparse
    from sklearn.preprocessing import normalize

    cache = _cache(vectorizer)
    per_doc = [_doc_ids_char(doc, vectorizer, cache) for doc in docs]
    lengths = np.array([sum(len(a) for a in ids) for ids in per_doc], dtype=np.int64)
    flat = [a for ids in per_doc for a in ids]
    cols = np.concatenate(flat) if flat else np.zeros(0, dtype=np.int64)
    rows = np.repeat(np.arange(len(docs)), lengths)
    counts = sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(docs), len(vectorizer.vocabulary_)))
    counts.sum_duplicates()  # sorted indices, duplicates summed: the count matrix scikit-learn builds
    if vectorizer.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1.0
    counts.data *= vectorizer.idf_[counts.indices]
    return normalize(counts, norm=vectorizer.norm, copy=False) if vectorizer.norm is not None else counts
