"""Target-directed sentiment toward each actor mention, and who voices it (the narrator or a quote's speaker).

:func:`actor_sentiment` joins each codebook mention to the sentence holding
it, asks a stance scorer how that sentence treats the mention (default: the
NewsMTSC-trained model, :func:`analysis.sentiment.target_sentiments`; the
stage graph passes the one chosen in :data:`analysis.stages.STANCE_SCORERS`),
and says who voices it: the speaker of the innermost quote holding the
mention, else the narrator (:data:`ACTOR_SENTIMENT_SCHEMA`).

>>> import pandas as pd
>>> sents = pd.DataFrame({"article_id": ["a"], "sentence_id": [0], "start": [0], "end": [40],
...                       "text": ["“Brown is a liar,” Smith said of Brown."]})
>>> ments = pd.DataFrame({"article_id": ["a"], "start": [1], "end": [6], "mention": ["Brown"], "actor": ["Brown"], "camp": ["B"]})
>>> quotes = pd.DataFrame({"article_id": ["a"], "start": [1], "end": [17], "speaker": ["Smith"], "camp": ["S"]})
>>> actor_sentiment(sents, ments, quotes)[["target", "source", "label"]].values.tolist()
[['Brown', 'Smith', 'negative']]

Limits: a mention is scored within the sentence holding its start (cut at
that sentence's end); whose voice it is comes from quote spans only, so a
paraphrase outside quotation marks and attribution is the narrator's.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.sentiment import LABELS, target_sentiments

NARRATOR = "narrator"

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



def _require(frame: pd.DataFrame, columns: set[str], name: str) -> None:
    missing = columns - set(frame.columns)
    if missing:
        raise KeyError(f"{name} table is missing columns {sorted(missing)}")


def actor_sentiment(
    sentences_df: pd.DataFrame,
    mentions_df: pd.DataFrame,
    quotes_df: pd.DataFrame | None = None,
    model=None,
    *,
    scorer: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    validate: bool = True,
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
    raises ``ValueError``. ``scorer`` is the stance scorer: a function from a
    table of ``sentence, start, end`` to one with ``polarity`` and ``label``
    (default :func:`target_sentiments` with ``model``; see
    :data:`analysis.stages.STANCE_SCORERS`). ``validate=False`` skips the
    schema check, for a caller that checks the table it builds once.

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
    targets = pd.DataFrame({"sentence": joined["sentence"], "start": rel_start, "end": rel_end})
    scores = scorer(targets) if scorer is not None else target_sentiments(targets, model=model, validate=validate)

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
    return ACTOR_SENTIMENT_SCHEMA.validate(out) if validate else out


def _empty(columns: list[str]) -> pd.DataFrame:
    dtypes = {c: ("float" if c == "polarity" else "int" if c in {"sentence_id", "start", "end"} else "object") for c in columns}
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


def _speakers(mentions: pd.DataFrame, quotes_df: pd.DataFrame | None) -> tuple[list[str], list[str | None]]:
    """Speaker (or narrator) and camp for each mention: the innermost quote span holding it.

    Innermost is the shortest span; of equally long ones the first in
    ``quotes_df``. Every (mention, quote of its article) pair is tested in
    NumPy, in chunks of at most :data:`_PAIRS_PER_CHUNK` pairs.
    """
    n = len(mentions)
    source: list[str] = [NARRATOR] * n
    source_camp: list[str | None] = [None] * n
    if quotes_df is None or len(quotes_df) == 0:
        return source, source_camp
    _require(quotes_df, {"article_id", "start", "end", "speaker", "camp"}, "quotes")
    articles: dict = {}
    q_article = np.fromiter((articles.setdefault(a, len(articles)) for a in quotes_df["article_id"].astype(str).tolist()),
                            dtype=np.int64, count=len(quotes_df))
    q_start = np.array([int(x) for x in quotes_df["start"].tolist()], dtype=np.int64)
    q_end = np.array([int(x) for x in quotes_df["end"].tolist()], dtype=np.int64)
    by_article = np.argsort(q_article, kind="stable")  # each article's quotes together, in their table order
    first = np.searchsorted(q_article[by_article], np.arange(len(articles)))
    n_quotes = np.bincount(q_article, minlength=len(articles))
    m_article = np.fromiter((articles.get(a, -1) for a in mentions["article_id"].tolist()), dtype=np.int64, count=n)
    m_start, m_end = np.asarray(mentions["start"].tolist(), dtype=np.int64), np.asarray(mentions["end"].tolist(), dtype=np.int64)
    pairs = np.where(m_article >= 0, n_quotes[np.maximum(m_article, 0)], 0)
    chosen_m, chosen_q = [], []
    chunk_ends = np.searchsorted(np.cumsum(pairs), np.arange(1, int(pairs.sum()) // _PAIRS_PER_CHUNK + 2) * _PAIRS_PER_CHUNK)
    lo = 0
    for hi in dict.fromkeys(np.minimum(chunk_ends + 1, n).tolist()):
        count = pairs[lo:hi]
        m = np.repeat(np.arange(lo, hi), count)
        within = np.arange(len(m)) - np.repeat(np.cumsum(count) - count, count)
        q = by_article[first[m_article[m]] + within]
        holds = (q_start[q] <= m_start[m]) & (m_end[m] <= q_end[q])
        m, q = m[holds], q[holds]
        order = np.lexsort((q, q_end[q] - q_start[q], m))  # per mention: shortest span, then first in the table
        m, q = m[order], q[order]
        head = np.ones(len(m), dtype=bool)
        head[1:] = m[1:] != m[:-1]
        chosen_m += m[head].tolist()
        chosen_q += q[head].tolist()
        lo = hi
    speakers, camps = quotes_df["speaker"].tolist(), quotes_df["camp"].tolist()
    for i, j in zip(chosen_m, chosen_q):
        speaker, camp = speakers[j], camps[j]
        source[i] = str(speaker) if isinstance(speaker, str) and speaker else "unattributed"
        source_camp[i] = str(camp) if isinstance(camp, str) and camp else None
    return source, source_camp


_PAIRS_PER_CHUNK = 1_000_000
