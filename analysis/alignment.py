"""What each outlet includes that the others leave out: the articles of one story aligned sentence by sentence.

Every sentence (headings left out) gets its best match among the sentences of
all *other* outlets, by cosine similarity of TF-IDF vectors (scikit-learn):
word 1-2 grams and character 3-5 grams within words, each space L2-normalised
and the two joined with equal weight, fitted on the story's own sentences (so
a word's weight is its rarity in this story; no stop-word list, no model
download). A sentence whose best match scores below the threshold is
**unique** to its outlet: a statement, quote or fact no other outlet carries.
Each row keeps its offsets (``text[start:end] == sentence``), the speaker when
it is a quote, and the best match with its score, so every verdict can be
checked by reading the two sentences.

**The threshold** is not a tuned constant. Sentences of one article are, by
construction, different statements about the same story; how close a sentence
comes to its nearest sibling in its own article is what "same topic, different
statement" looks like. The threshold is the 95th percentile (``quantile``) of
those within-article nearest-sibling scores, over the whole story: a sentence
counts as carried by another outlet only when its best match there is closer
than 95% of sentences come to anything else their own article says. On the
seed story that is 0.263 (median sibling score 0.155). A sentence compared with
``K`` articles of other outlets gets ``K`` chances of a close match by chance,
so its threshold is the ``0.95 ** (1 / K)`` quantile instead (Šidák's
correction: an unrelated sentence is matched somewhere with probability 5%,
however many articles the story has). Beyond the 95th percentile the quantile
is extrapolated from a normal fitted to the scores' logits (median and
interquartile range), because the far tail of sibling scores is where an
article repeats itself (a pull quote, a caption, leftover markup in scraped
pages); sentences an article repeats word for word are left out of the scores. It adapts to the corpus (longer
sentences, shared jargon); ``threshold=`` overrides it, and
:data:`FALLBACK_THRESHOLD` is used when no article has two sentences.
``benchmarks/bench_alignment.py`` measures it on generated stories with
planted shared sentences.

Limits: lexical similarity. A paraphrase in other words ("dismissed the
significance of the trip" for "was not worried about it") can fall under the
threshold and be listed as unique; two sentences naming the same people and
places about different things can score above it. One corpus is taken to be
one story; with one outlet there is nothing to align (no rows come back
unique: every ``match_*`` is empty). BM25 (rank-bm25) was considered: its
scores are unbounded and grow with query length, so no one threshold would
hold across sentences; cosine over TF-IDF is bounded in [0, 1].

>>> import pandas as pd
>>> from analysis.text import sentences
>>> arts = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["X", "Y"], "text": [
...     "The council passed the budget on Monday. The mayor thanked the staff.",
...     "The council passed the budget on Monday. Critics said taxes will rise."]})
>>> sents = sentences(arts).merge(arts[["article_id", "outlet"]], on="article_id")
>>> aligned = align_sentences(sents, threshold=0.5)
>>> aligned[["outlet", "sentence", "is_unique"]].values.tolist()
[['X', 'The council passed the budget on Monday.', False], ['X', 'The mayor thanked the staff.', True], ['Y', 'The council passed the budget on Monday.', False], ['Y', 'Critics said taxes will rise.', True]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from analysis.schemas import empty_table

NULL_QUANTILE = 0.95
"""Quantile of the within-article nearest-sibling scores taken as the threshold (see the module's docstring)."""
CELLS_PER_CHUNK = 4_000_000
"""Similarities computed at once (32 MB): sentences are compared to the whole story a chunk of rows at a time."""
FALLBACK_THRESHOLD = 0.5
"""Threshold when no article has two sentences to compare (the middle of the cosine scale)."""
CONTENT_KINDS = ("quote", "statement", "narration")
"""``quote``: the sentence holds a direct (or mixed) quote; ``statement``: reported speech; ``narration``: the outlet's own words."""

ALIGNMENT_SCHEMA = pa.DataFrameSchema(
    {
        "outlet": pa.Column(str),
        "article_id": pa.Column(str),
        "sentence_id": pa.Column(int, pa.Check.ge(0)),
        "start": pa.Column(int, pa.Check.ge(0)),
        "end": pa.Column(int, pa.Check.ge(0)),
        "sentence": pa.Column(str),
        "content_kind": pa.Column(str, pa.Check.isin(CONTENT_KINDS)),
        "speaker": pa.Column(str, nullable=True),
        "match_outlet": pa.Column(str, nullable=True),
        "match_article_id": pa.Column(str, nullable=True),
        "match_sentence_id": pa.Column("Int64", nullable=True),
        "match_start": pa.Column("Int64", nullable=True),
        "match_end": pa.Column("Int64", nullable=True),
        "match_sentence": pa.Column(str, nullable=True),
        "similarity_score": pa.Column(float, pa.Check.in_range(0, 1.000001), nullable=True),
        "threshold_score": pa.Column(float),
        "is_unique": pa.Column(bool),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="sentence_alignment",
)
"""One row per sentence (headings left out) with its best match in any other outlet.

``text[start:end] == sentence`` in the article ``article_id``; the match's
offsets index its own article. ``threshold_score`` is the sentence's
threshold (the same for every sentence of an outlet). ``similarity_score`` is the cosine similarity
(null when no other outlet has a sentence); ``is_unique`` is
``similarity_score < threshold_score``. ``speaker`` is the speaker of the
quote overlapping the sentence most (null for narration).
"""


def _vectors(texts: list[str]) -> csr_matrix:
    """Word 1-2 gram and char_wb 3-5 gram TF-IDF rows, each L2-normalised, joined with equal weight, L2-normalised."""
    parts = []
    for options in ({"analyzer": "word", "ngram_range": (1, 2)}, {"analyzer": "char_wb", "ngram_range": (3, 5)}):
        try:
            parts.append(TfidfVectorizer(sublinear_tf=True, **options).fit_transform(texts))
        except ValueError:  # empty vocabulary: no word (or no character n-gram) in any sentence
            continue
    if not parts:
        return csr_matrix((len(texts), 1))
    return normalize(hstack(parts).tocsr())


def _thresholds(vectors: csr_matrix, texts: list[str], articles: np.ndarray, outlets: np.ndarray, quantile: float) -> np.ndarray:
    """Per sentence: the ``quantile ** (1 / K)`` quantile of the within-article nearest-sibling scores.

    ``K`` is the number of articles of other outlets the sentence is compared with; with one (the usual
    two-outlet story) it is the plain ``quantile``. A sentence an article repeats word for word (a
    caption, a page's leftover markup) is not a different statement: such pairs are left out.
    """
    keys = np.array([" ".join(t.casefold().split()) for t in texts], dtype=object)
    best = []
    for rows in pd.Series(np.arange(len(articles))).groupby(articles, sort=False).indices.values():
        if len(rows) < 2:
            continue
        block = (vectors[rows] @ vectors[rows].T).toarray()
        block[keys[rows][:, None] == keys[rows][None, :]] = -1.0  # the diagonal, and repeats
        found = block.max(axis=1)
        best.extend(found[found > -1.0])
    if not best:
        return np.full(len(articles), FALLBACK_THRESHOLD)
    frame = pd.DataFrame({"article": articles, "outlet": outlets}).drop_duplicates()
    compared = len(frame) - frame.groupby("outlet")["article"].size()  # articles of other outlets, per outlet
    cuts = {outlet: _corrected_quantile(np.asarray(best), quantile, max(int(k), 1)) for outlet, k in compared.items()}
    return np.array([cuts[o] for o in outlets])


def _corrected_quantile(scores: np.ndarray, quantile: float, k: int) -> float:
    """The ``quantile ** (1 / k)`` quantile of ``scores``: the empirical ``quantile``, then the rest of the way on a
    normal fitted to the scores' logits by their median and interquartile range.

    The far tail of the sibling scores is where an article repeats itself (a pull quote, a caption, leftover
    markup in scraped pages), not how close different statements come, so it is extrapolated from the bulk.
    """
    from scipy.stats import norm

    base = float(np.quantile(scores, quantile))
    if k <= 1:
        return base
    logits = np.log(np.clip(scores, 1e-6, 1 - 1e-6) / (1 - np.clip(scores, 1e-6, 1 - 1e-6)))
    spread = float(np.subtract(*np.quantile(logits, [0.75, 0.25]))) / 1.349
    shift = spread * (norm.ppf(quantile ** (1 / k)) - norm.ppf(quantile))
    logit = np.log(max(base, 1e-6) / max(1 - base, 1e-6)) + shift
    return float(1 / (1 + np.exp(-logit)))


def _best_other(vectors: csr_matrix, outlets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per sentence: the row of its most similar sentence in another outlet, and that score (-1 when none).

    Rows are compared in chunks of at most :data:`CELLS_PER_CHUNK` similarities, so memory stays flat
    however many sentences a story has.
    """
    n = vectors.shape[0]
    codes = pd.factorize(outlets)[0]
    best, score = np.zeros(n, dtype=np.int64), np.full(n, -1.0)
    step = max(1, CELLS_PER_CHUNK // max(n, 1))
    transposed = vectors.T.tocsc()
    for start in range(0, n, step):
        rows = slice(start, min(n, start + step))
        block = (vectors[rows] @ transposed).toarray()
        block[codes[rows][:, None] == codes[None, :]] = -1.0
        best[rows] = block.argmax(axis=1)
        score[rows] = block[np.arange(block.shape[0]), best[rows]]
    return best, score


def _speakers(sents: pd.DataFrame, quotes: pd.DataFrame | None) -> tuple[list, list]:
    """Per sentence: the content kind and the speaker of the quote overlapping it most."""
    kinds, speakers = ["narration"] * len(sents), [None] * len(sents)
    if quotes is None or quotes.empty:
        return kinds, speakers
    by_article = {a: g for a, g in quotes.groupby("article_id", sort=False)}
    for i, (article, start, end) in enumerate(zip(sents["article_id"], sents["start"], sents["end"])):
        found = by_article.get(article)
        if found is None:
            continue
        overlap = (np.minimum(found["end"].to_numpy(), end) - np.maximum(found["start"].to_numpy(), start))
        if overlap.max() <= 0:
            continue
        best = found.iloc[int(overlap.argmax())]
        kinds[i] = "statement" if best["kind"] == "indirect" else "quote"
        speakers[i] = None if pd.isna(best["speaker"]) else str(best["speaker"])
    return kinds, speakers


def align_sentences(
    sentences: pd.DataFrame, quotes: pd.DataFrame | None = None, *, threshold: float | None = None,
    quantile: float = NULL_QUANTILE,
) -> pd.DataFrame:
    """Every sentence's best match in the other outlets, and whether it is unique (:data:`ALIGNMENT_SCHEMA`).

    ``sentences`` is :attr:`analysis.tables.Tables.sentences` (``article_id,
    sentence_id, start, end, text, is_heading, outlet``); ``quotes``
    :attr:`~analysis.tables.Tables.quotes` (optional: speakers and content
    kinds). ``threshold`` fixes the cut-off; by default it is the
    ``quantile`` of within-article nearest-sibling scores (module docstring).
    Rows come in the order of ``sentences``.

    >>> one = pd.DataFrame({"article_id": ["a"], "sentence_id": [0], "start": [0], "end": [3], "text": ["Hi."],
    ...                     "is_heading": [False], "outlet": ["X"]})
    >>> row = align_sentences(one).iloc[0]
    >>> row["sentence"], pd.isna(row["match_outlet"]), bool(row["is_unique"])
    ('Hi.', True, False)
    """
    if not 0 < quantile <= 1:
        raise ValueError(f"quantile must be in (0, 1], not {quantile!r}")
    missing = {"article_id", "sentence_id", "start", "end", "text", "outlet"} - set(sentences.columns)
    if missing:
        raise ValueError(f"sentences lack the columns {sorted(missing)} (give analysis.tables.Tables.sentences)")
    sents = sentences
    if "is_heading" in sents:
        sents = sents[~sents["is_heading"].astype(bool)]
    sents = sents.reset_index(drop=True)
    if sents.empty:
        return empty_table(ALIGNMENT_SCHEMA)
    vectors = _vectors(sents["text"].tolist())
    outlets, articles = sents["outlet"].to_numpy(), sents["article_id"].to_numpy()
    cut = np.full(len(sents), float(threshold)) if threshold is not None else _thresholds(vectors, sents["text"].tolist(), articles, outlets, quantile)
    best, found = _best_other(vectors, outlets)
    has_match = np.full(len(sents), len(set(outlets)) > 1)  # every sentence has another outlet to match, or none has
    score = np.where(has_match, np.clip(found, 0.0, 1.0), np.nan)
    kinds, speakers = _speakers(sents, quotes)
    match = sents.iloc[best].reset_index(drop=True)
    opt = lambda column: [v if ok else None for v, ok in zip(match[column], has_match)]  # noqa: E731
    table = pd.DataFrame({
        "outlet": sents["outlet"], "article_id": sents["article_id"], "sentence_id": sents["sentence_id"],
        "start": sents["start"], "end": sents["end"], "sentence": sents["text"],
        "content_kind": kinds, "speaker": speakers,
        "match_outlet": opt("outlet"), "match_article_id": opt("article_id"),
        "match_sentence_id": pd.array(opt("sentence_id"), dtype="Int64"),
        "match_start": pd.array(opt("start"), dtype="Int64"), "match_end": pd.array(opt("end"), dtype="Int64"),
        "match_sentence": opt("text"), "similarity_score": score, "threshold_score": cut,
        "is_unique": has_match & (np.nan_to_num(score, nan=1.0) < cut),
    })
    return ALIGNMENT_SCHEMA.validate(table)


def unique_content(aligned: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`align_sentences` unique to their outlet, by outlet and position in the article.

    >>> unique_content(align_sentences(pd.DataFrame(columns=["article_id", "sentence_id", "start", "end", "text", "outlet"]))).empty
    True
    """
    found = aligned[aligned["is_unique"]]
    return found.sort_values(["outlet", "article_id", "start"], kind="stable").reset_index(drop=True)


def count_unique(aligned: pd.DataFrame) -> pd.DataFrame:
    """Per outlet: sentences aligned, sentences unique, and the share unique (``sentences_n``, ``unique_n``, ``unique_share``).

    >>> count_unique(align_sentences(pd.DataFrame(columns=["article_id", "sentence_id", "start", "end", "text", "outlet"]))).columns.tolist()
    ['outlet', 'sentences_n', 'unique_n', 'unique_share']
    """
    grouped = aligned.groupby("outlet", sort=True)["is_unique"]
    table = pd.DataFrame({"sentences_n": grouped.size(), "unique_n": grouped.sum()}).reset_index()
    table["unique_n"] = table["unique_n"].astype(int)
    table["unique_share"] = (table["unique_n"] / table["sentences_n"]).astype(float)
    return table[["outlet", "sentences_n", "unique_n", "unique_share"]]


def describe_unique(aligned: pd.DataFrame, examples: int = 3) -> str:
    """The unique content in words (Markdown, data escaped): per outlet, how much, and the ``examples`` quotes or
    statements whose best match elsewhere is weakest.

    >>> describe_unique(align_sentences(pd.DataFrame(columns=["article_id", "sentence_id", "start", "end", "text", "outlet"])))
    '**No sentences to align**: the corpus has no article text (see notebook 01).'
    """
    from analysis.markup import escape_markdown

    if aligned.empty:
        return "**No sentences to align**: the corpus has no article text (see notebook 01)."
    if aligned["match_outlet"].isna().all():
        return (f"Only one outlet ({escape_markdown(aligned['outlet'].iloc[0])}) is in the corpus: "
                "there is no other coverage to compare its sentences with.")
    lines = ["A sentence is unique to its outlet when its best match in every other outlet scores below the outlet's "
             "threshold (TF-IDF cosine; by default how close sentences come to their nearest sibling in their own article, "
             "95th percentile, corrected for the number of articles compared)."]
    for row in count_unique(aligned).itertuples(index=False):
        own = aligned[aligned["outlet"] == row.outlet]
        unique = unique_content(own)
        said = unique[unique["content_kind"] != "narration"].nsmallest(examples, "similarity_score").sort_values("start")
        shown = "; ".join(
            f"{escape_markdown(s if isinstance(s, str) else 'unattributed')} — {escape_markdown(_short(t))} "
            f"({escape_markdown(a)}:{b}-{e}, best match {m:.2f})"
            for s, t, a, b, e, m in zip(said["speaker"], said["sentence"], said["article_id"], said["start"], said["end"],
                                        said["similarity_score"]))
        lines.append(f"- **{escape_markdown(row.outlet)}** (threshold {own['threshold_score'].iloc[0]:.3f}): "
                     f"{row.unique_n} of {row.sentences_n} sentences "
                     f"({row.unique_share:.0%}) carry what no other outlet does" + (f"; among its quotes and statements: {shown}" if shown else "."))
    return "\n".join(lines)


def _short(text: str, limit: int = 110) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
