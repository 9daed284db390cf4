"""Sentiment of texts, and of a sentence toward one mention in it.

Two layers, each keeping the evidence (text or offsets) behind every number:

- :func:`score_texts`: whole-text lexicon scores, TextBlob ``polarity`` and
  ``subjectivity`` and VADER ``compound`` (:data:`SCORES_SCHEMA`).
- :func:`target_sentiments` / :func:`target_sentiment`: *target-directed*
  sentiment, how a sentence treats the mention at ``sentence[start:end]``
  ("Smith praised Jones's courage but called Brown a liar" is positive toward
  Jones and negative toward Brown). A linear model trained on NewsMTSC
  (``data/benchmarks/newsmtsc/``, MIT licence), see :func:`train_target_model`.
- who voices each mention's treatment is :mod:`analysis.treatment`'s job;
  means with bootstrap intervals are :mod:`analysis.stats`'.

Nothing is downloaded at run time. TextBlob is used only through its
``PatternAnalyzer`` (a word list shipped in the wheel), never through its
NLTK-backed tokenizers. The target model is trained on first use (about 30 s
on one core) and cached under ``<project root>/.cache/models/``, keyed by a hash
of the training data and the feature code, so an edit to either retrains it.

>>> score_texts(["A good plan.", "A terrible plan."])[["polarity", "compound"]].round(2).values.tolist()
[[0.7, 0.44], [-1.0, -0.48]]

Limits, plainly:

- The target model is bag-of-n-grams plus lexicon features around the target,
  not a parser: it reads "near the target" by word distance, so long-range
  structure ("X, whom critics have for years accused of ..., said") and sarcasm
  are often missed. Dev macro-F1 is about 0.68 (``benchmarks/bench_target_sentiment.py``),
  well under the 0.83 of the published fine-tuned RoBERTa models.
- NewsMTSC is US political news from 2016-2020; Canadian names, issues and
  idioms are out of domain.
- Lexicon scores (TextBlob, VADER) ignore who the sentence is about.
"""

from __future__ import annotations

import bisect
import hashlib
import inspect
import json
import os
import pickle
import re
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis import tfidf
from analysis.paths import DATA_DIR, PROJECT_ROOT
from analysis.words import load_words

if TYPE_CHECKING:  # imported where used: TextBlob pulls in NLTK, scikit-learn and SciPy take ~1 s together
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

LABELS = ("negative", "neutral", "positive")
"""Target-sentiment labels, in the order of NewsMTSC's polarity -1, 0, 1."""

VADER_THRESHOLD = 0.05
"""VADER ``compound`` above +0.05 is positive, below -0.05 negative (VADER's own convention)."""

TEXTBLOB_THRESHOLD = 0.0
"""TextBlob ``polarity`` above 0 is positive, below 0 negative; exactly 0 (no opinion word) is neutral."""

NEWSMTSC_DIR = DATA_DIR / "benchmarks" / "newsmtsc"
MODEL_DIR = PROJECT_ROOT / ".cache" / "models"

SCORES_SCHEMA = pa.DataFrameSchema(
    {
        "text": pa.Column(str),
        "polarity": pa.Column(float, pa.Check.in_range(-1.0, 1.0)),
        "subjectivity": pa.Column(float, pa.Check.in_range(0.0, 1.0)),
        "compound": pa.Column(float, pa.Check.in_range(-1.0, 1.0)),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="sentiment_scores",
)
"""One row per text: TextBlob ``polarity`` [-1, 1] and ``subjectivity`` [0, 1], VADER ``compound`` [-1, 1]."""

TARGET_SCORES_SCHEMA = pa.DataFrameSchema(
    {
        "polarity": pa.Column(float, pa.Check.in_range(-1.0, 1.0)),
        "label": pa.Column(str, pa.Check.isin(LABELS)),
        "p_negative": pa.Column(float, pa.Check.in_range(0.0, 1.0)),
        "p_neutral": pa.Column(float, pa.Check.in_range(0.0, 1.0)),
        "p_positive": pa.Column(float, pa.Check.in_range(0.0, 1.0)),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="target_scores",
)
"""One row per target: ``polarity = p_positive - p_negative`` and the most probable ``label``."""

@lru_cache(maxsize=1)
def _vader():
    """VADER's analyzer (:func:`analysis.tone.fast_vader`: the same scores, faster), built on first use."""
    from analysis.tone import fast_vader

    return fast_vader()


def score_texts(texts: Iterable[str], *, validate: bool = True) -> pd.DataFrame:
    """Whole-text lexicon scores for each text (:data:`SCORES_SCHEMA`).

    TextBlob's ``PatternAnalyzer`` gives ``polarity`` and ``subjectivity`` (the
    same numbers as ``TextBlob(t).sentiment``, without touching NLTK); VADER
    gives ``compound``. Both score the whole text, whoever it is about.
    ``validate=False`` skips the schema check (for a caller that checks the
    whole table it builds once).

    >>> score_texts(["It is not good."])[["polarity", "compound"]].round(2).values.tolist()
    [[-0.35, -0.34]]
    """
    from analysis.tone import pattern_sentiment

    texts = [str(t) for t in texts]
    vader = _vader()
    rows = []
    for t in texts:
        polarity, subjectivity = pattern_sentiment(t)  # TextBlob's numbers, see analysis.tone
        rows.append((t, float(polarity), float(subjectivity), float(vader.polarity_scores(t)["compound"])))
    frame = pd.DataFrame(rows, columns=list(SCORES_SCHEMA.columns)).astype({"text": str})
    return SCORES_SCHEMA.validate(frame) if validate else frame


def label_scores(scores: Sequence[float] | np.ndarray | pd.Series, threshold: float) -> np.ndarray:
    """Map lexicon scores to :data:`LABELS`: above ``threshold`` positive, below ``-threshold`` negative.

    >>> label_scores([0.3, 0.01, -0.2], VADER_THRESHOLD).tolist()
    ['positive', 'neutral', 'negative']
    """
    x = np.asarray(scores, dtype=float)
    return np.where(x > threshold, "positive", np.where(x < -threshold, "negative", "neutral")).astype(object)


# --- target-directed sentiment: features ------------------------------------------------

_TARGET_TOKEN = " TARGETX "
_WINDOW_WORDS = 6
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|[^\sA-Za-z0-9]")
_WORDS = load_words()  # data/words.yaml: negations and reporting verbs (English)
_NEGATIONS = _WORDS.negations
_REPORTING_AFTER = re.compile(
    r"^\W*(?:" + "|".join(re.escape(a) + " " for a in _WORDS.reporting_auxiliaries) + ")?("
    + "|".join(map(re.escape, _WORDS.reporting_verbs)) + r")\b",
    re.IGNORECASE,
)
_N_LEXICON_FEATURES = 16


def _sentence_words(sentence: str) -> tuple[list[int], list[int], list[float], list[bool], list[int]]:
    """Per word of a sentence (lower-cased, curly apostrophes straightened): start, end, VADER valence / 4, negation;
    then the positions of the words with a valence or a negation (the only ones a feature counts)."""
    lexicon = _vader().lexicon
    words = [(m.group().lower().replace("’", "'"), m.start(), m.end()) for m in _WORD.finditer(sentence)]
    valences = [lexicon.get(w[0], 0.0) / 4 for w in words]
    negations = [w[0] in _NEGATIONS for w in words]
    return ([w[1] for w in words], [w[2] for w in words], valences, negations,
            [i for i, (v, n) in enumerate(zip(valences, negations)) if v or n])


def _lexicon_features(sentence: str, start: int, end: int, compound: float, words: tuple) -> np.ndarray:
    """Where VADER's opinion words sit relative to the target, and cues of who speaks.

    Valences are VADER's lexicon values / 4, flipped (x -0.74, as VADER does)
    after a negation within three words. Columns: left near/mid/far (<=3, <=8,
    >8 words away), the same on the right, distance-weighted sum, positive and
    negative totals, negations within 4 words, target inside quotation marks,
    target followed by a reporting verb (it is the speaker), target at sentence
    start, whole-sentence VADER ``compound``, relative position, sentence
    length. ``compound`` and ``words`` (:func:`_sentence_words`) are computed
    once per sentence, however many targets it holds.
    """
    f = [0.0] * _N_LEXICON_FEATURES
    w_starts, w_ends, valences, negations, counted = words
    n_left = bisect.bisect_right(w_ends, start)  # words ending before the target
    first_right = bisect.bisect_left(w_starts, end)  # the first word after it
    for i in counted:  # (the other words add nothing: skipping them leaves every sum as it was, bit for bit)
        if w_ends[i] <= start:
            side, distance = 0, n_left - 1 - i
        elif w_starts[i] >= end:
            side, distance = 1, i - first_right
        else:
            continue  # part of the target itself
        if negations[i] and distance < 4:
            f[9] += 1
        valence = valences[i]
        if not valence:
            continue
        if any(negations[max(0, i - 3) : i]):
            valence *= -0.74
        band = 0 if distance <= 3 else (1 if distance <= 8 else 2)
        f[side * 3 + band] += valence
        f[6] += valence / (1 + distance)
        f[7 if valence > 0 else 8] += abs(valence)
    before_target = sentence[:start]
    straight = before_target.count('"')
    f[10] = float(straight % 2 == 1 or before_target.count("“") > before_target.count("”"))
    f[11] = float(bool(_REPORTING_AFTER.match(sentence[end:])))
    f[12] = float(not sentence[:start].strip(" \"“'‘"))
    f[13] = compound
    f[14] = start / max(len(sentence), 1)
    f[15] = min(len(w_starts), 80) / 80
    return np.array(f)


def _views(sentences: Sequence[str], starts: Sequence[int], ends: Sequence[int]) -> tuple[list[str], list[str], list[str]]:
    """The sentence with the target masked, and the words just left and right of it."""
    masked, left, right = [], [], []
    for s, a, b in zip(sentences, starts, ends):
        masked.append(s[:a] + _TARGET_TOKEN + s[b:])
        left.append(" ".join(s[:a].split()[-_WINDOW_WORDS:]))
        right.append(" ".join(s[b:].split()[:_WINDOW_WORDS]))
    return masked, left, right


class _TargetFeatures:
    """Separate TF-IDF spaces for the masked sentence (words, characters) and each window, plus lexicon features."""

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizers = [
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True, max_features=100_000),
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        ]

    def blocks(self, frame: pd.DataFrame, fit: bool = False, canonical: bool = True) -> list:
        """The feature blocks side by side: four TF-IDF spaces (CSR) and the lexicon features (dense).

        ``canonical=False`` leaves the character n-gram block's rows unsorted
        (:func:`analysis.tfidf.transform`), for a caller that only multiplies it.
        """
        sents = frame["sentence"].astype(str).tolist()
        starts = frame["start"].astype(int).tolist()
        ends = frame["end"].astype(int).tolist()
        masked, left, right = _views(sents, starts, ends)
        parts = []
        for vectorizer, docs in zip(self.vectorizers, (masked, masked, left, right)):
            parts.append(vectorizer.fit_transform(docs) if fit else tfidf.transform(vectorizer, docs, canonical=canonical))
        vader = _vader()
        compound = {s: vader.polarity_scores(s)["compound"] for s in dict.fromkeys(sents)}
        words = {s: _sentence_words(s) for s in compound}
        lex = np.array([_lexicon_features(s, a, b, compound[s], words[s]) for s, a, b in zip(sents, starts, ends)]) if sents else np.zeros((0, _N_LEXICON_FEATURES))
        parts.append(lex)
        return parts

    def _matrix(self, frame: pd.DataFrame, fit: bool) -> sparse.csr_matrix:
        from scipy import sparse

        return sparse.hstack([sparse.csr_matrix(b) for b in self.blocks(frame, fit)]).tocsr()

    def fit_transform(self, frame: pd.DataFrame) -> sparse.csr_matrix:
        return self._matrix(frame, fit=True)

    def transform(self, frame: pd.DataFrame) -> sparse.csr_matrix:
        return self._matrix(frame, fit=False)


class TargetModel:
    """A trained target-sentiment model: features plus a logistic regression.

    Make one with :func:`train_target_model` or :func:`load_target_model`;
    apply it with :func:`target_sentiments`.
    """

    def __init__(self, features: _TargetFeatures, classifier: LogisticRegression, info: dict) -> None:
        self.features = features
        self.classifier = classifier
        self.info = info

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        """Probabilities of (negative, neutral, positive) for each row of ``frame``.

        What ``classifier.predict_proba(features.transform(frame))`` gives (the
        multinomial softmax of the decision function), with the decision summed
        block by block (:func:`_decision`) instead of over one stacked matrix.
        """
        classifier = self.classifier
        if len(classifier.classes_) <= 2:
            proba = classifier.predict_proba(self.features.transform(frame))
        else:
            from sklearn.utils.extmath import softmax

            proba = softmax(_decision(classifier, self.features.blocks(frame, canonical=False)), copy=False)
        order = [list(classifier.classes_).index(c) for c in (-1, 0, 1)]
        return proba[:, order]


def _decision(classifier: LogisticRegression, blocks: list) -> np.ndarray:
    """``classifier.decision_function`` of the blocks stacked side by side, summed one block at a time.

    Stacking copies every block into one matrix (the character n-grams alone
    hold ~400 entries per row); the sums are the same up to the rounding of
    their last bit.
    """
    coef_t = classifier.coef_.T
    scores = np.zeros((blocks[0].shape[0], coef_t.shape[1]))
    at = 0
    for block in blocks:
        width = block.shape[1]
        scores += block @ coef_t[at : at + width]
        at += width
    if at != coef_t.shape[0]:
        raise ValueError(f"the feature blocks have {at} columns; the classifier was fitted on {coef_t.shape[0]}")
    return scores + classifier.intercept_


_C = 1.0
_MODEL_VERSION = "1"


def load_newsmtsc(split: str = "train") -> pd.DataFrame:
    """NewsMTSC ``train`` or ``dev`` as ``sentence, start, end, mention, polarity, id``.

    ``polarity`` is -1, 0 or 1; ``sentence[start:end] == mention``.

    >>> load_newsmtsc("dev").columns.tolist()
    ['sentence', 'start', 'end', 'mention', 'polarity', 'id']
    """
    if split not in {"train", "dev"}:
        raise ValueError(f"split must be 'train' or 'dev', not {split!r}")
    raw = pd.read_json(NEWSMTSC_DIR / f"{split}.jsonl", lines=True, dtype=False)
    frame = raw.rename(columns={"from": "start", "to": "end"})
    return frame[["sentence", "start", "end", "mention", "polarity", "id"]].astype(
        {"sentence": str, "start": int, "end": int, "mention": str, "polarity": int, "id": str}
    )


def _code_fingerprint() -> str:
    """Hash of the code that shapes the model, so an edit to it invalidates the cache."""
    parts = [_MODEL_VERSION, repr(_C), repr(_WINDOW_WORDS), _TARGET_TOKEN, _REPORTING_AFTER.pattern, repr(sorted(_NEGATIONS))]
    parts += [inspect.getsource(obj) for obj in (_sentence_words, _lexicon_features, _views, _TargetFeatures)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _model_key(train_path: Path, limit: int | None) -> str:
    """Hash of the training data, the feature code and ``limit``; rehashed only when the file's size or mtime changes.

    (Hashing the 3 MB file and the code on every call cost ~20 ms per batch of the pipeline.)
    """
    stat = Path(train_path).stat()
    return _hashed_model_key(str(train_path), stat.st_size, stat.st_mtime_ns, limit)


@lru_cache(maxsize=8)
def _hashed_model_key(train_path: str, size: int, mtime_ns: int, limit: int | None) -> str:
    digest = hashlib.sha256()
    digest.update(Path(train_path).read_bytes())
    digest.update(_code_fingerprint().encode())
    digest.update(repr(limit).encode())
    return digest.hexdigest()[:16]


def train_target_model(train: pd.DataFrame | None = None, limit: int | None = None, seed: int = 0) -> TargetModel:
    """Fit the target-sentiment model on NewsMTSC train (never dev).

    ``limit`` keeps a fixed random subset of that many rows (chosen with
    ``seed``), for quick tests. Training on all 8,739 rows takes about 30 s on
    one core; the result is deterministic.

    >>> model = train_target_model(limit=300)  # doctest: +SKIP
    """
    data = load_newsmtsc("train") if train is None else train
    if limit is not None and limit < len(data):
        data = data.sample(n=limit, random_state=seed).sort_index()
    began = time.perf_counter()
    features = _TargetFeatures()
    X = features.fit_transform(data)
    from sklearn.linear_model import LogisticRegression

    classifier = LogisticRegression(C=_C, max_iter=3000, class_weight="balanced", random_state=seed)
    classifier.fit(X, data["polarity"].astype(int).to_numpy())
    info = {"n_train": len(data), "seconds": round(time.perf_counter() - began, 1), "limit": limit, "seed": seed}
    return TargetModel(features, classifier, info)


def load_target_model(limit: int | None = None, cache_dir: Path | None = None) -> TargetModel:
    """The cached model for the current training data and code; trains and caches it if missing.

    The file is ``<cache_dir>/target_sentiment-<hash>.pkl`` (default
    :data:`MODEL_DIR`), the hash covering ``train.jsonl``, the feature code and
    ``limit``. Written atomically, so parallel first uses do not clash.
    """
    train_path = NEWSMTSC_DIR / "train.jsonl"
    directory = Path(cache_dir) if cache_dir is not None else MODEL_DIR
    path = directory / f"target_sentiment-{_model_key(train_path, limit)}.pkl"
    memo_key = str(path)
    if memo_key in _LOADED:
        return _LOADED[memo_key]
    if path.exists():
        with path.open("rb") as fh:
            model = pickle.load(fh)
    else:
        model = train_target_model(limit=limit)
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    _LOADED[memo_key] = model
    return model


_LOADED: dict[str, TargetModel] = {}


def target_sentiments(frame: pd.DataFrame, model: TargetModel | None = None, *, validate: bool = True) -> pd.DataFrame:
    """Sentiment toward ``sentence[start:end]`` for each row (:data:`TARGET_SCORES_SCHEMA`).

    ``frame`` needs ``sentence`` and ``start``, ``end`` (character offsets into
    that sentence); the result has the same index. ``polarity`` is
    ``p_positive - p_negative``, in [-1, 1]; ``label`` the most probable class.
    Uses :func:`load_target_model` unless a ``model`` is given.

    >>> s = "Smith praised Jones's courage but called Brown a liar."
    >>> rows = pd.DataFrame({"sentence": [s, s], "start": [14, 41], "end": [19, 46]})
    >>> target_sentiments(rows)["label"].tolist()
    ['positive', 'negative']
    """
    missing = {"sentence", "start", "end"} - set(frame.columns)
    if missing:
        raise KeyError(f"target_sentiments needs columns sentence, start, end; missing {sorted(missing)}")
    bad = [
        i for i, s, a, b in zip(frame.index, frame["sentence"].tolist(), frame["start"].tolist(), frame["end"].tolist())
        if not 0 <= int(a) < int(b) <= len(str(s))
    ]  # (.tolist(): iterating a Series of Arrow strings element by element is 10x slower)
    if bad:
        raise ValueError(f"start/end must satisfy 0 <= start < end <= len(sentence); bad rows: {bad[:10]}")
    if len(frame) == 0:
        return TARGET_SCORES_SCHEMA.validate(pd.DataFrame(columns=list(TARGET_SCORES_SCHEMA.columns)).astype(
            {"polarity": float, "label": str, "p_negative": float, "p_neutral": float, "p_positive": float}))
    model = model if model is not None else load_target_model()
    proba = model.predict_proba(frame)
    out = pd.DataFrame(
        {
            "polarity": np.clip(proba[:, 2] - proba[:, 0], -1.0, 1.0),
            "label": np.asarray(LABELS, dtype=object)[proba.argmax(axis=1)],
            "p_negative": proba[:, 0],
            "p_neutral": proba[:, 1],
            "p_positive": proba[:, 2],
        },
        index=frame.index,
    )
    return TARGET_SCORES_SCHEMA.validate(out) if validate else out


def target_sentiment(text: str, start: int, end: int, model: TargetModel | None = None) -> dict:
    """Sentiment of ``text`` toward the mention ``text[start:end]``: ``{"polarity", "label"}``.

    A one-row wrapper of :func:`target_sentiments`; call that for many rows.

    >>> target_sentiment("Critics called Brown a liar and a fraud.", 15, 20)["label"]
    'negative'
    """
    row = target_sentiments(pd.DataFrame({"sentence": [text], "start": [start], "end": [end]}), model=model).iloc[0]
    return {"polarity": float(row["polarity"]), "label": str(row["label"])}
