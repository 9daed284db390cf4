"""Sentiment of texts, and of a sentence toward one mention in it.

Three layers, each keeping the evidence (text or offsets) behind every number:

- :func:`score_texts`: whole-text lexicon scores, TextBlob ``polarity`` and
  ``subjectivity`` and VADER ``compound`` (:data:`SCORES_SCHEMA`).
- :func:`target_sentiments` / :func:`target_sentiment`: *target-directed*
  sentiment, how a sentence treats the mention at ``sentence[start:end]``
  ("Smith praised Jones's courage but called Brown a liar" is positive toward
  Jones and negative toward Brown). A linear model trained on NewsMTSC
  (``data/benchmarks/newsmtsc/``, MIT licence), see :func:`train_target_model`.
- :func:`actor_sentiment`: one row per actor mention in an article, with who
  speaks (the narrator, or the speaker of the quote the mention sits in), and
  :func:`summarize`: means with bootstrap intervals and a ``low_n`` flag.

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

import numpy as np
import pandas as pd
import pandera.pandas as pa
from scipy import sparse, stats
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from textblob.en import sentiment as _pattern_sentiment
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analysis.paths import DATA_DIR, PROJECT_ROOT

LABELS = ("negative", "neutral", "positive")
"""Target-sentiment labels, in the order of NewsMTSC's polarity -1, 0, 1."""

VADER_THRESHOLD = 0.05
"""VADER ``compound`` above +0.05 is positive, below -0.05 negative (VADER's own convention)."""

TEXTBLOB_THRESHOLD = 0.0
"""TextBlob ``polarity`` above 0 is positive, below 0 negative; exactly 0 (no opinion word) is neutral."""

NEWSMTSC_DIR = DATA_DIR / "benchmarks" / "newsmtsc"
MODEL_DIR = PROJECT_ROOT / ".cache" / "models"
LOW_N = 5
"""Groups with fewer observations than this are flagged ``low_n`` by :func:`summarize`."""

NARRATOR = "narrator"

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

ACTOR_SENTIMENT_SCHEMA = pa.DataFrameSchema(
    {
        "article_id": pa.Column(str),
        "sentence_id": pa.Column(int, pa.Check.ge(0)),
        "start": pa.Column(int, pa.Check.ge(0)),
        "end": pa.Column(int, pa.Check.ge(0)),
        "mention": pa.Column(str),
        "target": pa.Column(str),
        "target_camp": pa.Column(str, nullable=True),
        "source": pa.Column(str),
        "source_camp": pa.Column(str, nullable=True),
        "polarity": pa.Column(float, pa.Check.in_range(-1.0, 1.0)),
        "label": pa.Column(str, pa.Check.isin(LABELS)),
        "sentence": pa.Column(str),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="actor_sentiment",
)
"""One row per actor mention; ``start``/``end`` index the article text, ``sentence`` is the evidence.

``source`` is :data:`NARRATOR` outside quotes (``source_camp`` then empty), else
the quote's speaker (``"unattributed"`` when the quote finder found none).
"""

_SUMMARY_STATS = {
    "n": pa.Column(int, pa.Check.ge(0)),
    "mean": pa.Column(float, nullable=True),
    "ci_low": pa.Column(float, nullable=True),
    "ci_high": pa.Column(float, nullable=True),
    "low_n": pa.Column(bool),
}

_VADER = SentimentIntensityAnalyzer()


def score_texts(texts: Iterable[str]) -> pd.DataFrame:
    """Whole-text lexicon scores for each text (:data:`SCORES_SCHEMA`).

    TextBlob's ``PatternAnalyzer`` gives ``polarity`` and ``subjectivity`` (the
    same numbers as ``TextBlob(t).sentiment``, without touching NLTK); VADER
    gives ``compound``. Both score the whole text, whoever it is about.

    >>> score_texts(["It is not good."])[["polarity", "compound"]].round(2).values.tolist()
    [[-0.35, -0.34]]
    """
    texts = [str(t) for t in texts]
    rows = []
    for t in texts:
        # the scorer PatternAnalyzer.analyze wraps; calling it directly skips a namedtuple class built per call (a third of its cost)
        polarity, subjectivity = _pattern_sentiment(t)
        rows.append((t, float(polarity), float(subjectivity), float(_VADER.polarity_scores(t)["compound"])))
    return SCORES_SCHEMA.validate(pd.DataFrame(rows, columns=list(SCORES_SCHEMA.columns)).astype({"text": str}))


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
_NEGATIONS = frozenset(
    "not no never without nor none nobody nothing neither cannot hardly barely isn't aren't wasn't weren't "
    "don't doesn't didn't won't wouldn't can't couldn't shouldn't hasn't haven't hadn't".split()
)
_REPORTING_AFTER = re.compile(
    r"^\W*(?:has |had |have |also |then )?(said|says|say|told|tells|added|adds|wrote|writes|argued|argues|claimed|claims|"
    r"explained|explains|noted|notes|stated|states|asked|asks|replied|tweeted|according)\b",
    re.IGNORECASE,
)
_N_LEXICON_FEATURES = 16


def _lexicon_features(sentence: str, start: int, end: int) -> np.ndarray:
    """Where VADER's opinion words sit relative to the target, and cues of who speaks.

    Valences are VADER's lexicon values / 4, flipped (x -0.74, as VADER does)
    after a negation within three words. Columns: left near/mid/far (<=3, <=8,
    >8 words away), the same on the right, distance-weighted sum, positive and
    negative totals, negations within 4 words, target inside quotation marks,
    target followed by a reporting verb (it is the speaker), target at sentence
    start, whole-sentence VADER compound, relative position, sentence length.
    """
    f = np.zeros(_N_LEXICON_FEATURES)
    lexicon = _VADER.lexicon
    words = [(m.group().lower().replace("’", "'"), m.start(), m.end()) for m in _WORD.finditer(sentence)]
    tokens = [w[0] for w in words]
    n_left = sum(1 for w in words if w[2] <= start)
    first_right = next((i for i, w in enumerate(words) if w[1] >= end), len(words))
    for i, (word, w_start, w_end) in enumerate(words):
        if w_end <= start:
            side, distance = 0, n_left - 1 - i
        elif w_start >= end:
            side, distance = 1, i - first_right
        else:
            continue  # part of the target itself
        if word in _NEGATIONS and distance < 4:
            f[9] += 1
        valence = lexicon.get(word, 0.0) / 4
        if not valence:
            continue
        if any(t in _NEGATIONS for t in tokens[max(0, i - 3) : i]):
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
    f[13] = _VADER.polarity_scores(sentence)["compound"]
    f[14] = start / max(len(sentence), 1)
    f[15] = min(len(words), 80) / 80
    return f


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
        self.vectorizers = [
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True, max_features=100_000),
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        ]

    def _matrix(self, frame: pd.DataFrame, fit: bool) -> sparse.csr_matrix:
        sents = frame["sentence"].astype(str).tolist()
        starts = frame["start"].astype(int).tolist()
        ends = frame["end"].astype(int).tolist()
        masked, left, right = _views(sents, starts, ends)
        parts = []
        for vectorizer, docs in zip(self.vectorizers, (masked, masked, left, right)):
            parts.append(vectorizer.fit_transform(docs) if fit else vectorizer.transform(docs))
        lex = np.vstack([_lexicon_features(s, a, b) for s, a, b in zip(sents, starts, ends)]) if sents else np.zeros((0, _N_LEXICON_FEATURES))
        parts.append(sparse.csr_matrix(lex))
        return sparse.hstack(parts).tocsr()

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
        """Probabilities of (negative, neutral, positive) for each row of ``frame``."""
        proba = self.classifier.predict_proba(self.features.transform(frame))
        order = [list(self.classifier.classes_).index(c) for c in (-1, 0, 1)]
        return proba[:, order]


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
    parts = [_MODEL_VERSION, repr(_C), repr(_WINDOW_WORDS), _TARGET_TOKEN, _REPORTING_AFTER.pattern]
    parts += [inspect.getsource(obj) for obj in (_lexicon_features, _views, _TargetFeatures)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _model_key(train_path: Path, limit: int | None) -> str:
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


def target_sentiments(frame: pd.DataFrame, model: TargetModel | None = None) -> pd.DataFrame:
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
        i for i, (s, a, b) in zip(frame.index, zip(frame["sentence"], frame["start"], frame["end"]))
        if not 0 <= int(a) < int(b) <= len(str(s))
    ]
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
    return TARGET_SCORES_SCHEMA.validate(out)


def target_sentiment(text: str, start: int, end: int, model: TargetModel | None = None) -> dict:
    """Sentiment of ``text`` toward the mention ``text[start:end]``: ``{"polarity", "label"}``.

    A one-row wrapper of :func:`target_sentiments`; call that for many rows.

    >>> target_sentiment("Critics called Brown a liar and a fraud.", 15, 20)["label"]
    'negative'
    """
    row = target_sentiments(pd.DataFrame({"sentence": [text], "start": [start], "end": [end]}), model=model).iloc[0]
    return {"polarity": float(row["polarity"]), "label": str(row["label"])}


# --- per actor mention ------------------------------------------------------------------


def _require(frame: pd.DataFrame, columns: set[str], name: str) -> None:
    missing = columns - set(frame.columns)
    if missing:
        raise KeyError(f"{name} table is missing columns {sorted(missing)}")


def actor_sentiment(
    sentences_df: pd.DataFrame,
    mentions_df: pd.DataFrame,
    quotes_df: pd.DataFrame | None = None,
    model: TargetModel | None = None,
) -> pd.DataFrame:
    """Sentiment toward each actor mention, and who voices it (:data:`ACTOR_SENTIMENT_SCHEMA`).

    - ``sentences_df``: ``article_id, sentence_id, start, end, text`` (from
      :func:`analysis.text.sentences`), offsets into the article text.
    - ``mentions_df``: ``article_id, start, end, mention, actor, camp``
      (``analysis.actors.find_mentions`` per article, plus ``article_id``).
    - ``quotes_df`` (optional): ``article_id, start, end, speaker, camp``; a
      mention inside ``[start, end)`` of a quote is voiced by its speaker (the
      innermost quote wins), any other by the narrator.

    Each mention is scored within the sentence holding its start; a mention
    running past that sentence's end is cut there. A mention in no sentence
    raises ``ValueError``.

    >>> sents = pd.DataFrame({"article_id": ["a"], "sentence_id": [0], "start": [0], "end": [40],
    ...                       "text": ["“Brown is a liar,” Smith said of Brown."]})
    >>> ments = pd.DataFrame({"article_id": ["a"] * 2, "start": [1, 19], "end": [6, 24],
    ...                       "mention": ["Brown", "Smith"], "actor": ["Brown", "Smith"], "camp": ["B", "S"]})
    >>> quotes = pd.DataFrame({"article_id": ["a"], "start": [1], "end": [17], "speaker": ["Smith"], "camp": ["S"]})
    >>> actor_sentiment(sents, ments, quotes)[["target", "source", "label"]].values.tolist()
    [['Brown', 'Smith', 'negative'], ['Smith', 'narrator', 'neutral']]
    """
    _require(sentences_df, {"article_id", "sentence_id", "start", "end", "text"}, "sentences")
    _require(mentions_df, {"article_id", "start", "end", "mention", "actor", "camp"}, "mentions")
    columns = list(ACTOR_SENTIMENT_SCHEMA.columns)
    if len(mentions_df) == 0:
        return ACTOR_SENTIMENT_SCHEMA.validate(_empty(columns))

    sents = sentences_df[["article_id", "sentence_id", "start", "end", "text"]].rename(
        columns={"start": "s_start", "end": "s_end", "text": "sentence"}
    )
    sents = sents.astype({"article_id": str, "s_start": int, "s_end": int}).sort_values("s_start", kind="stable")
    ments = mentions_df[["article_id", "start", "end", "mention", "actor", "camp"]].copy()
    ments = ments.astype({"article_id": str, "start": int, "end": int})
    ments["_order"] = np.arange(len(ments))
    ments = ments.sort_values("start", kind="stable")
    joined = pd.merge_asof(ments, sents, left_on="start", right_on="s_start", by="article_id", direction="backward")
    outside = joined["s_end"].isna() | (joined["start"] >= joined["s_end"].fillna(-1))
    if outside.any():
        bad = joined.loc[outside, ["article_id", "start", "end", "mention"]].values.tolist()
        raise ValueError(f"{int(outside.sum())} mention(s) fall in no sentence, e.g. {bad[:5]}")
    joined = joined.sort_values("_order").reset_index(drop=True)
    joined["sentence_id"] = joined["sentence_id"].astype(int)

    rel_start = (joined["start"] - joined["s_start"]).astype(int)
    rel_end = (np.minimum(joined["end"], joined["s_end"]) - joined["s_start"]).astype(int)
    scores = target_sentiments(pd.DataFrame({"sentence": joined["sentence"], "start": rel_start, "end": rel_end}), model=model)

    source, source_camp = _speakers(joined, quotes_df)
    out = pd.DataFrame(
        {
            "article_id": joined["article_id"],
            "sentence_id": joined["sentence_id"],
            "start": joined["start"],
            "end": joined["end"],
            "mention": joined["mention"].astype(str),
            "target": joined["actor"].astype(str),
            "target_camp": joined["camp"].astype(object).where(joined["camp"].notna(), None),
            "source": source,
            "source_camp": source_camp,
            "polarity": scores["polarity"].to_numpy(),
            "label": scores["label"].to_numpy(),
            "sentence": joined["sentence"].astype(str),
        }
    )
    return ACTOR_SENTIMENT_SCHEMA.validate(out)


def _empty(columns: list[str]) -> pd.DataFrame:
    dtypes = {c: ("float" if c == "polarity" else "int" if c in {"sentence_id", "start", "end"} else "object") for c in columns}
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


def _speakers(mentions: pd.DataFrame, quotes_df: pd.DataFrame | None) -> tuple[list[str], list[str | None]]:
    """Speaker (or narrator) and camp for each mention: the innermost quote span holding it."""
    n = len(mentions)
    source: list[str] = [NARRATOR] * n
    source_camp: list[str | None] = [None] * n
    if quotes_df is None or len(quotes_df) == 0:
        return source, source_camp
    _require(quotes_df, {"article_id", "start", "end", "speaker", "camp"}, "quotes")
    by_article: dict[str, list[tuple[int, int, object, object]]] = {}
    for art, qs, qe, speaker, camp in zip(quotes_df["article_id"].astype(str), quotes_df["start"], quotes_df["end"], quotes_df["speaker"], quotes_df["camp"]):
        by_article.setdefault(art, []).append((int(qs), int(qe), speaker, camp))
    for i, (art, ms, me) in enumerate(zip(mentions["article_id"], mentions["start"], mentions["end"])):
        holding = [q for q in by_article.get(art, ()) if q[0] <= ms and me <= q[1]]
        if not holding:
            continue
        qs, qe, speaker, camp = min(holding, key=lambda q: q[1] - q[0])
        source[i] = str(speaker) if isinstance(speaker, str) and speaker else "unattributed"
        source_camp[i] = str(camp) if isinstance(camp, str) and camp else None
    return source, source_camp


# --- aggregates -------------------------------------------------------------------------


def summarize(
    df: pd.DataFrame,
    by: Sequence[str] = (),
    value: str = "polarity",
    cluster: str | None = None,
    confidence: float = 0.95,
    weight: str | None = None,
    n_resamples: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Per group of ``by``: ``n``, ``mean`` of ``value`` and a bootstrap interval.

    The interval is a percentile bootstrap (``confidence``, fixed ``seed``).
    Rows are resampled independently unless ``cluster`` names a column (e.g.
    ``"article_id"``), in which case whole clusters are resampled: mentions in
    one article are not independent, and with two articles the honest interval
    is wide or missing. ``ci_low``/``ci_high`` are NaN when n < 2 (or fewer than
    2 clusters); ``mean`` is NaN when n = 0 (all values missing). ``low_n`` is
    True when n < :data:`LOW_N` (or fewer than 2 clusters). Missing values of
    ``value`` are dropped; missing ``by`` keys form their own group.

    ``weight`` names a column of non-negative weights: ``mean`` is then the
    weighted mean ``sum(w * x) / sum(w)`` (e.g. a share of quoted words, one row
    per quote weighted by its words) and each resample recomputes that ratio
    over the resampled rows (or clusters); ``n`` still counts rows.

    >>> df = pd.DataFrame({"outlet": ["A", "A", "B"], "polarity": [0.5, -0.1, 0.2]})
    >>> summarize(df, by=["outlet"])[["outlet", "n", "mean", "low_n"]].values.tolist()
    [['A', 2, 0.2, True], ['B', 1, 0.2, True]]
    """
    by = list(by)
    _require(df, set(by) | {value} | ({cluster} if cluster else set()) | ({weight} if weight else set()), "summarize input")
    rng = np.random.default_rng(seed)
    rows = []
    groups = df.groupby(by, dropna=False, sort=True) if by else [((), df)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        values = pd.to_numeric(group[value], errors="coerce")
        keep = values.notna()
        x = values[keep].to_numpy(dtype=float)
        n = len(x)
        w = np.ones(n) if weight is None else pd.to_numeric(group.loc[keep, weight], errors="coerce").fillna(0).to_numpy(dtype=float)
        mean = float((x * w).sum() / w.sum()) if n and w.sum() > 0 else float("nan")
        low = high = float("nan")
        few_clusters = False
        if cluster:
            labels = group.loc[keep, cluster].astype(str).to_numpy()
            ids, inverse = np.unique(labels, return_inverse=True)
            few_clusters = len(ids) < 2
            if not few_clusters:
                low, high = _cluster_interval(x, inverse, len(ids), confidence, n_resamples, rng, w)
        elif weight is not None and n >= 2:  # each row its own cluster: the weighted ratio, resampled
            low, high = _cluster_interval(x, np.arange(n), n, confidence, n_resamples, rng, w)
        elif n >= 2:
            if np.ptp(x) == 0:
                low = high = mean
            else:
                res = stats.bootstrap((x,), np.mean, confidence_level=confidence, n_resamples=n_resamples,
                                      method="percentile", random_state=rng, vectorized=True)
                low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
        rows.append((*key, n, mean, low, high, bool(n < LOW_N or few_clusters)))
    columns = [*by, *_SUMMARY_STATS]
    out = pd.DataFrame(rows, columns=columns)
    schema = pa.DataFrameSchema(
        {**{c: pa.Column(nullable=True) for c in by}, **_SUMMARY_STATS},
        strict=True, ordered=True, coerce=True, name="summary",
    )
    return schema.validate(out)


def _cluster_interval(x: np.ndarray, inverse: np.ndarray, k: int, confidence: float, n_resamples: int,
                      rng: np.random.Generator, w: np.ndarray | None = None) -> tuple[float, float]:
    """Percentile interval of the pooled (weighted) mean when whole clusters are resampled."""
    w = np.ones_like(x) if w is None else w
    sums = np.bincount(inverse, weights=x * w, minlength=k)
    counts = np.bincount(inverse, weights=w, minlength=k).astype(float)
    draws = rng.integers(0, k, size=(n_resamples, k))
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    means = means[np.isfinite(means)]
    if means.size == 0:
        return float("nan"), float("nan")
    alpha = (1 - confidence) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))
