"""How each outlet positions a focus actor relative to a counterpart, and who gets to speak.

Two steps. :func:`build_tables` reads an articles table once and returns a
:class:`Tables` container with every row-level table the measures need
(sentences, quotes with their tone, actor mentions, target-directed
sentiment per mention, frame scores). The measures then read from it, for any focus and
counterpart, each of which is a codebook actor name (or alias) or a camp:

- :func:`outlet_positioning`: the wide table, one row per outlet;
- :func:`positioning_measures`: the same numbers as a tidy long table, one row
  per (outlet, measure, group) with ``n``, a bootstrap 95% interval, the
  ``low_n`` flag and the evidence (``article_id:start-end`` spans);
- tidy tables behind the charts: :func:`voice_quotes`, :func:`article_order`,
  :func:`speaker_tone`, :func:`speaker_target`, :func:`frame_profile`,
  :func:`attribution_verbs`.

Every number can be traced to text: the row-level tables keep ``article_id``,
character offsets into the article's ``text`` and the sentence or quote itself.

>>> import pandas as pd
>>> from analysis.actors import load_codebook
>>> arts = pd.DataFrame({"article_id": ["a"], "outlet": ["X"], "title": [None],
...     "text": ["Mark Carney said Jivani is not the trade critic. Jivani said the Liberals snubbed his good offers."]})
>>> tables = build_tables(arts, frame_set="generic_frames")
>>> wide = outlet_positioning(tables, focus="Jamil Jivani", counterpart="liberal_government")
>>> same = outlet_positioning(arts, focus="Jamil Jivani", counterpart="liberal_government", frame_set="generic_frames")
>>> wide.equals(same)
True
>>> wide[["outlet", "quotes_n", "quote_share_focus", "quote_share_counterpart"]].values.tolist()
[['X', 2, 0.5, 0.5]]

Group precedence for a quote's speaker: the focus, else the counterpart, else
the focus's own camp (``focus_camp``: allies), else ``other`` (other camps and
speakers the codebook does not know).

Limits, plainly:

- Treatment is *target-directed*: each codebook mention is scored by
  :func:`analysis.sentiment.actor_sentiment` (a model trained on NewsMTSC) for
  how its sentence treats that mention, so "X praised Jivani but called the
  Liberals a failure" is positive toward Jivani and negative toward the
  Liberals. Who voices it (the narrator, or the speaker of the quote the
  mention sits in) is actor_sentiment's assignment. The model reads the whole
  sentence (a quote inside a narrator sentence included), is not a parser, and
  is out of domain on Canadian politics (dev macro-F1 about 0.68 on US news);
  read it as a pointer to passages, not as stance detection.
- A speaker's own tone (``quote_polarity``, :func:`speaker_tone`) stays
  lexicon-based (TextBlob over the whole quote): it is how the speaker sounds,
  not whom they are talking about.
- Targets are found by codebook names and aliases only; a pronoun ("he said
  the minister ...") is not a target mention. The speaker's own attribution
  ("Carney said") is not counted as the narrator talking about Carney.
- Intervals come from :func:`analysis.sentiment.summarize` (percentile
  bootstrap, 2,000 resamples, fixed seed). Treatment resamples whole
  *articles* (mentions in one article, often in one sentence, are not
  independent): with a single article the interval is empty (NaN) and the
  number is flagged ``low_n``. Every other measure resamples its own units
  (quotes, words' quotes, sentences or articles, as ``unit`` says). ``low_n``
  means n < 5 (or treatment from fewer than 2 articles); with n = 1 the
  interval is empty (NaN).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis import frames as frames_mod
from analysis import sentiment as sentiment_mod
from analysis.actors import Codebook, find_mentions, load_codebook
from analysis.quotes import extract_corpus_quotes
from analysis.text import paragraphs as split_paragraphs
from analysis.text import SENTENCES_SCHEMA
from analysis.text import sentences as split_sentences

LOW_N = sentiment_mod.LOW_N
"""Groups with fewer units than this are flagged ``low_n`` (:func:`analysis.sentiment.summarize`; :mod:`analysis.frames` uses the same 5)."""

GROUPS = ("focus", "counterpart", "focus_camp", "other")
"""Voice groups, in precedence order."""
UNKNOWN_OUTLET = "(unknown outlet)"
NARRATOR = "narrator"
UNATTRIBUTED = "(unattributed)"
"""The speaker of a quote the quote finder could not attribute."""
EVIDENCE_LIMIT = 20
"""At most this many ``article_id:start-end`` spans are listed as evidence per measure."""

QUOTE_SCORES_SCHEMA = pa.DataFrameSchema(
    {
        "article_id": pa.Column(str),
        "outlet": pa.Column(str),
        "quote_id": pa.Column(int, pa.Check.ge(0)),
        "quote": pa.Column(str),
        "start": pa.Column(int, pa.Check.ge(0)),
        "end": pa.Column(int, pa.Check.ge(0)),
        "kind": pa.Column(str),
        "speaker": pa.Column(str, nullable=True),
        "speaker_mention": pa.Column(str, nullable=True),
        "speaker_start": pa.Column("Int64", nullable=True),
        "speaker_end": pa.Column("Int64", nullable=True),
        "camp": pa.Column(str, nullable=True),
        "cue": pa.Column(str, nullable=True),
        "cue_category": pa.Column(str),
        "paragraph_id": pa.Column(int, pa.Check.ge(0)),
        "sentence_id": pa.Column(int, pa.Check.ge(0)),
        "word_count": pa.Column(int, pa.Check.ge(0)),
        "position": pa.Column(float, pa.Check.in_range(0, 1)),
        "order": pa.Column(int, pa.Check.ge(0)),
        "polarity": pa.Column(float, pa.Check.in_range(-1, 1)),
        "subjectivity": pa.Column(float, pa.Check.in_range(0, 1)),
        "compound": pa.Column(float, pa.Check.in_range(-1, 1)),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="quote_scores",
)
"""One row per quote (:data:`analysis.quotes.CORPUS_QUOTES_SCHEMA`, trimmed) with its sentiment.

``position`` is where the quote starts, as a share of the article's length;
``order`` its rank among the article's quotes (0 = first to speak);
``polarity``/``subjectivity`` from TextBlob, ``compound`` from VADER
(:func:`analysis.sentiment.score_texts`, the whole quote: the speaker's tone);
``cue_category`` from :func:`analysis.frames.classify_cue`.
"""

MENTIONS_SCHEMA = pa.DataFrameSchema(
    {
        "article_id": pa.Column(str),
        "outlet": pa.Column(str),
        "paragraph_id": pa.Column(int, pa.Check.ge(0)),
        "sentence_id": pa.Column(int, pa.Check.ge(0)),
        "start": pa.Column(int, pa.Check.ge(0)),
        "end": pa.Column(int, pa.Check.ge(0)),
        "mention": pa.Column(str),
        "actor": pa.Column(str),
        "camp": pa.Column(str),
        "quote_id": pa.Column("Int64", nullable=True),
        "is_speaker_mention": pa.Column(bool),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="positioning_mentions",
)
"""One row per codebook actor mention in an article's text: ``text[start:end] == mention``.

``quote_id`` is the quote the mention sits inside (null: narrator's words);
``is_speaker_mention`` marks the words a quote is attributed to ("Carney said").
"""

TREATMENT_SCHEMA = pa.DataFrameSchema(
    {
        "article_id": pa.Column(str),
        "outlet": pa.Column(str),
        "source": pa.Column(str, pa.Check.isin(["narrator", "quote"])),
        "speaker": pa.Column(str),
        "speaker_camp": pa.Column(str),
        "target": pa.Column(str),
        "target_camp": pa.Column(str),
        "mention": pa.Column(str),
        "start": pa.Column(int, pa.Check.ge(0)),
        "end": pa.Column(int, pa.Check.ge(0)),
        "sentence_id": pa.Column(int, pa.Check.ge(0)),
        "quote_id": pa.Column("Int64", nullable=True),
        "sentence": pa.Column(str),
        "polarity": pa.Column(float, pa.Check.in_range(-1, 1)),
        "label": pa.Column(str, pa.Check.isin(sentiment_mod.LABELS)),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="treatment",
)
"""Target-directed sentiment: one row per codebook mention (attributions like "Carney said" left out).

``text[start:end] == mention`` in the article; ``sentence`` is the sentence
holding it (``sentence_id``), the text the model read. ``polarity`` and
``label`` are :func:`analysis.sentiment.actor_sentiment`'s sentiment toward the
mention. ``source`` narrator: outside any quote (``speaker`` and
``speaker_camp`` are ``"narrator"``); ``source`` quote: inside the quote
``quote_id``, voiced by its ``speaker`` (``"(unattributed)"`` when none was
found; ``speaker_camp`` ``"other"`` when the codebook does not know them).
A speaker naming themself in their own quote is left out.
"""

MEASURES_SCHEMA = pa.DataFrameSchema(
    {
        "outlet": pa.Column(str),
        "dimension": pa.Column(str, pa.Check.isin(["voice", "order", "tone", "treatment", "frames", "verbs"])),
        "measure": pa.Column(str),
        "group": pa.Column(str),
        "group_label": pa.Column(str),
        "value": pa.Column(float, nullable=True),
        "ci_low": pa.Column(float, nullable=True),
        "ci_high": pa.Column(float, nullable=True),
        "n": pa.Column(int, pa.Check.ge(0)),
        "low_n": pa.Column(bool),
        "unit": pa.Column(str),
        "evidence": pa.Column(str),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="positioning_measures",
)
"""One row per (outlet, measure, group): the long form of :func:`outlet_positioning`.

``value`` is a share (0-1) or a mean score; ``n`` how many ``unit`` (quotes,
words' quotes, articles, sentences, mentions) it rests on; ``ci_low``/``ci_high``
a bootstrap 95% interval from :func:`analysis.sentiment.summarize` (NaN when
n < 2; treatment resamples whole articles, so NaN with one article);
``evidence`` the spans behind it (``article_id:start-end``, at most
:data:`EVIDENCE_LIMIT`; for treatment, the mentions).
"""

SPEAKER_TARGET_SCHEMA = pa.DataFrameSchema(
    {
        "outlet": pa.Column(str),
        "speaker": pa.Column(str),
        "speaker_camp": pa.Column(str),
        "target": pa.Column(str),
        "target_camp": pa.Column(str),
        "n": pa.Column(int, pa.Check.ge(1)),
        "polarity": pa.Column(float),
        "ci_low": pa.Column(float, nullable=True),
        "ci_high": pa.Column(float, nullable=True),
        "low_n": pa.Column(bool),
        "example": pa.Column(str),
        "evidence": pa.Column(str),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="speaker_target",
)
"""One row per (outlet, speaker, target): mean target-directed ``polarity`` of the speaker's mentions of the target.

``speaker`` is ``"narrator"`` for the outlet's own words; ``n`` counts
mentions; ``ci_low``/``ci_high``/``low_n`` from :func:`analysis.sentiment.summarize`
with whole articles resampled; ``example`` the sentence behind the most
extreme score.
"""

SPEAKER_TONE_SCHEMA = pa.DataFrameSchema(
    {
        "outlet": pa.Column(str),
        "speaker": pa.Column(str),
        "camp": pa.Column(str),
        "n": pa.Column(int, pa.Check.ge(1)),
        "polarity": pa.Column(float),
        "ci_low": pa.Column(float, nullable=True),
        "ci_high": pa.Column(float, nullable=True),
        "subjectivity": pa.Column(float),
        "compound": pa.Column(float),
        "words_n": pa.Column(int, pa.Check.ge(0)),
        "low_n": pa.Column(bool),
        "example": pa.Column(str),
        "evidence": pa.Column(str),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="speaker_tone",
)
"""One row per (outlet, speaker): mean TextBlob polarity (with interval) and subjectivity of their quotes."""

FRAME_PROFILE_SCHEMA = pa.DataFrameSchema(
    {
        "outlet": pa.Column(str),
        "about": pa.Column(str),
        "about_kind": pa.Column(str, pa.Check.isin(["focus", "counterpart", "camp"])),
        "frame_set": pa.Column(str),
        "frame": pa.Column(str),
        "n": pa.Column(int, pa.Check.ge(0)),
        "texts_with_frame_n": pa.Column(int, pa.Check.ge(0)),
        "share": pa.Column(float, pa.Check.in_range(0, 1)),
        "ci_low": pa.Column(float, nullable=True),
        "ci_high": pa.Column(float, nullable=True),
        "low_n": pa.Column(bool),
        "matched_terms": pa.Column(str),
        "example": pa.Column(str),
        "evidence": pa.Column(str),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="frame_profile",
)
"""One row per (outlet, subject, frame): share of sentences naming the subject that show the frame.

``about`` is the focus, the counterpart or a camp; ``matched_terms`` the
indicator words that fired, ``example`` one such sentence.
"""

ARTICLE_ORDER_SCHEMA = pa.DataFrameSchema(
    {
        "article_id": pa.Column(str),
        "outlet": pa.Column(str),
        "headline": pa.Column(str),
        "quotes_n": pa.Column(int, pa.Check.ge(0)),
        "first_speaker": pa.Column(str, nullable=True),
        "first_group": pa.Column(str, nullable=True),
        "first_quote": pa.Column(str, nullable=True),
        "last_speaker": pa.Column(str, nullable=True),
        "last_group": pa.Column(str, nullable=True),
        "last_quote": pa.Column(str, nullable=True),
        "focus_in_headline": pa.Column(bool),
        "counterpart_in_headline": pa.Column(bool),
        "focus_in_lead": pa.Column(bool),
        "counterpart_in_lead": pa.Column(bool),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="article_order",
)
"""One row per article: who speaks first and last, and who is named in the headline and lead.

``headline`` is the article's title, else its first paragraph when that is a
heading, else empty; the lead is the first two paragraphs that are not headings.
"""


@dataclass(frozen=True)
class Party:
    """A focus or counterpart: one codebook actor, or a whole camp.

    >>> Party.resolve("Jivani", load_codebook())
    Party(name='Jamil Jivani', kind='actor', camp='conservative')
    >>> Party.resolve("liberal_government", load_codebook()).kind
    'camp'
    """

    name: str
    kind: Literal["actor", "camp"]
    camp: str

    @classmethod
    def resolve(cls, name: str, codebook: Codebook) -> "Party":
        """The actor (by canonical name or alias) or camp called ``name``; ValueError otherwise."""
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"focus and counterpart must be an actor name or a camp, not {name!r}")
        actor = codebook.resolve(name)
        if actor is not None:
            return cls(actor.name, "actor", actor.camp)
        if name in codebook.camps:
            return cls(name, "camp", name)
        raise ValueError(
            f"{name!r} is neither an actor nor a camp in the codebook {codebook.source or ''}; "
            f"camps: {list(codebook.camps)}; actors: {sorted(a.name for a in codebook.actors)}"
        )

    def matches(self, actors: pd.Series, camps: pd.Series) -> pd.Series:
        """Boolean mask: which (actor, camp) rows are this party."""
        return (actors == self.name) if self.kind == "actor" else (camps == self.name)

    @property
    def label(self) -> str:
        """How the party reads in charts and findings ("Jamil Jivani", "liberal government")."""
        return self.name if self.kind == "actor" else self.name.replace("_", " ")


@dataclass
class Tables:
    """Every row-level table the positioning measures read, built once per corpus by :func:`build_tables`.

    Each table keeps ``article_id`` and character offsets into the article text.
    """

    articles: pd.DataFrame
    sentences: pd.DataFrame
    """:data:`analysis.text.SENTENCES_SCHEMA` plus ``outlet``."""
    quotes: pd.DataFrame
    """:data:`QUOTE_SCORES_SCHEMA`."""
    mentions: pd.DataFrame
    """:data:`MENTIONS_SCHEMA`."""
    treatment: pd.DataFrame
    """:data:`TREATMENT_SCHEMA`: target-directed sentiment per mention."""
    frame_scores: pd.DataFrame
    """:func:`analysis.frames.score_frames` of every sentence, with ``article_id, outlet, sentence_id, start, end, sentence``."""
    codebook: Codebook
    frame_set: str
    paragraphs: pd.DataFrame = field(default_factory=pd.DataFrame)
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)
    """:data:`analysis.duplicates.CLUSTERS_SCHEMA`: the near-duplicate clusters found when loading (before the policy)."""

    @property
    def outlets(self) -> list[str]:
        """Outlets in the corpus, sorted."""
        return sorted(_outlet_series(self.articles).unique()) if len(self.articles) else []

    def party(self, name: str) -> Party:
        """Resolve an actor name, alias or camp against this corpus's codebook."""
        return Party.resolve(name, self.codebook)


# --------------------------------------------------------------------------- building the tables


def _outlet_series(articles: pd.DataFrame) -> pd.Series:
    if "outlet" not in articles:
        return pd.Series(UNKNOWN_OUTLET, index=articles.index, dtype=object)
    return articles["outlet"].astype(object).where(articles["outlet"].notna(), UNKNOWN_OUTLET).astype(str)


def _empty(schema: pa.DataFrameSchema) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype=_dtype_of(col)) for name, col in schema.columns.items()})
    return schema.validate(frame)


def _dtype_of(column: pa.Column):
    dtype = str(column.dtype) if column.dtype is not None else "object"
    return {"str": object, "int64": "int64", "float64": "float64", "bool": bool}.get(dtype, dtype)


def _sentence_at(starts: np.ndarray, position: int) -> int:
    return max(int(np.searchsorted(starts, position, side="right")) - 1, 0)


SCORE_KEYS = ("actor_sentiment", "frame_scores")
"""Keys of the ``scores`` mapping that :func:`build_tables` and :func:`outlet_positioning` accept."""

_QUOTE_INPUT = ["article_id", "quote_id", "quote", "start", "end", "kind", "speaker", "speaker_mention", "speaker_start",
                "speaker_end", "camp", "cue", "paragraph_id", "sentence_id", "word_count"]
"""Columns read from a precomputed quotes table (:data:`analysis.quotes.CORPUS_QUOTES_SCHEMA` or :data:`QUOTE_SCORES_SCHEMA`)."""
_QUOTE_TONE = ["polarity", "subjectivity", "compound"]


def _score_inputs(scores) -> dict[str, pd.DataFrame]:
    """``scores`` as a dict of :data:`SCORE_KEYS` (a bare DataFrame is the ``actor_sentiment`` table)."""
    if scores is None:
        return {}
    if isinstance(scores, pd.DataFrame):
        return {"actor_sentiment": scores}
    if not isinstance(scores, Mapping):
        raise TypeError(f"scores must be None, an actor_sentiment DataFrame or a mapping with keys {SCORE_KEYS}, not {type(scores).__name__}")
    unknown = set(scores) - set(SCORE_KEYS)
    if unknown:
        raise ValueError(f"unknown scores keys {sorted(unknown)}; expected some of {list(SCORE_KEYS)}")
    return {k: v for k, v in scores.items() if v is not None}


def build_tables(
    articles: pd.DataFrame,
    codebook: Codebook | str | Path | None = None,
    frame_set: str = "story_frames",
    *,
    frames_path: str | Path | None = None,
    quotes: pd.DataFrame | None = None,
    scores: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None,
    sentences: pd.DataFrame | None = None,
) -> Tables:
    """Segment, attribute quotes, find mentions, score sentiment and frames, once per corpus.

    ``articles`` is an :func:`analysis.corpus.load_articles` table (needs
    ``article_id`` and ``text``; ``outlet`` and ``title`` are used when
    present). ``codebook`` is a loaded :class:`~analysis.actors.Codebook`, a
    path to a YAML codebook or None (``data/actors.yaml``); ``frame_set`` names
    a set in ``frames_path`` (default ``data/frames.yaml``). An empty articles
    table gives empty tables, never an error.

    Precomputed inputs, used instead of being recomputed:

    - ``quotes``: :func:`analysis.quotes.extract_corpus_quotes` output (or a
      :attr:`Tables.quotes`); rows of other articles are ignored, and the
      quotes' position, order and cue class are derived again; their tone
      (``polarity``, ``subjectivity``, ``compound``) is kept when the table
      has it, as a pipeline run's quotes merged with its quote_scores do.
    - ``sentences``: :func:`analysis.text.sentences` output for these articles
      (a pipeline run's ``sentences`` table), used instead of splitting again.
    - ``scores``: a mapping with any of :data:`SCORE_KEYS`:
      ``"actor_sentiment"``, an :func:`analysis.sentiment.actor_sentiment`
      table (:data:`analysis.sentiment.ACTOR_SENTIMENT_SCHEMA`), matched to the
      mentions by ``(article_id, start, end, target)``, its ``source`` taken as
      given (mentions it lacks are scored by the model); ``"frame_scores"``, a
      :attr:`Tables.frame_scores` table for ``frame_set``. A bare DataFrame is
      taken as the ``actor_sentiment`` table.

    >>> import pandas as pd
    >>> t = build_tables(pd.DataFrame({"article_id": [], "text": []}), frame_set="generic_frames")
    >>> len(t.quotes), len(t.treatment), t.outlets
    (0, 0, [])
    """
    given = _score_inputs(scores)
    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    lexicon = frames_mod.load_frames(frames_path)
    if frame_set not in lexicon:
        raise KeyError(f"unknown frame set {frame_set!r}; the lexicon has {', '.join(lexicon)}")
    arts = articles.copy()
    arts["article_id"] = arts["article_id"].astype(str)
    arts["outlet"] = _outlet_series(arts)
    if "title" not in arts:
        arts["title"] = None
    outlet_of = dict(zip(arts["article_id"], arts["outlet"]))
    text_of = dict(zip(arts["article_id"], arts["text"]))

    paras = split_paragraphs(arts[["article_id", "text"]])
    sents = split_sentences(arts[["article_id", "text"]], paras) if sentences is None else _given_sentences(sentences, arts)
    sents = sents.assign(outlet=sents["article_id"].map(outlet_of).astype(object))
    quote_scores = _score_quotes(arts, book, text_of, quotes)
    mentions = _find_mentions(arts, book, sents, quote_scores)
    treatment = _treatment(sents, quote_scores, mentions, given.get("actor_sentiment"))
    if "frame_scores" in given:
        scored = given["frame_scores"]
        scored = scored[scored["article_id"].astype(str).isin(set(arts["article_id"]))].reset_index(drop=True)
    else:
        frame_input = sents.rename(columns={"text": "sentence"})[["article_id", "outlet", "sentence_id", "start", "end", "sentence"]]
        scored = frames_mod.score_frames(
            frame_input.assign(text=frame_input["sentence"]).reset_index(drop=True),
            frame_set,
            lexicon=lexicon,
            keep=["article_id", "outlet", "sentence_id", "start", "end", "sentence"],
        )
    return Tables(
        articles=arts,
        sentences=sents,
        quotes=quote_scores,
        mentions=mentions,
        treatment=treatment,
        frame_scores=scored,
        codebook=book,
        frame_set=frame_set,
        paragraphs=paras,
    )


def load_tables(
    corpus: str | Path | None = None,
    results: str | Path | None = None,
    codebook: Codebook | str | Path | None = None,
    frame_set: str = "story_frames",
    *,
    frames_path: str | Path | None = None,
    duplicates: str = "once_per_outlet",
) -> tuple[Tables, pd.DataFrame]:
    """The notebooks' one entry point: ``(tables, rejected)`` from a corpus or a finished pipeline run.

    Near-duplicate articles (wire copy, re-publications: :mod:`analysis.duplicates`)
    are counted by the ``duplicates`` policy: ``"once_per_outlet"`` (default),
    ``"once"`` or ``"all"``; the copies dropped join ``rejected`` with their
    reason, and the clusters are in ``tables.duplicates``.

    With ``results`` (an ``out/`` folder of ``python -m analysis run``), the
    run's articles, sentences, quotes and quote tone are read from Parquet and
    only mentions, target-directed treatment and sentence frames are computed;
    ``corpus`` is then ignored. Otherwise ``corpus`` (anything
    :func:`analysis.corpus.load_articles` reads; None: the project's data
    folder) is loaded with ``errors="collect"`` and processed from scratch.
    ``rejected`` lists the inputs that could not be read (the run's
    ``rejected.parquet``, or the loader's).

    A run made with another codebook would attribute quotes to other actors,
    so a ``results`` folder whose ``run.json`` records a different codebook
    file (by SHA-256) is refused with a message saying which.

    >>> tables, rejected = load_tables("results/run-2026-02")   # doctest: +SKIP
    >>> tables.quotes.groupby("outlet").size()                   # doctest: +SKIP
    """
    if results is None:
        from analysis.corpus import load_articles

        articles, rejected = load_articles(corpus, errors="collect")
        articles, dropped, clusters = _count_duplicates(articles, duplicates)
        tables = build_tables(articles, codebook, frame_set, frames_path=frames_path)
        tables.duplicates = clusters
        return tables, pd.concat([rejected, dropped], ignore_index=True) if len(dropped) else rejected
    from analysis import pipeline

    book = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    _check_run_codebook(Path(results).expanduser(), book)
    run = pipeline.read_results(results, tables=["articles", "sentences", "quotes", "quote_scores", "rejected"])
    articles, dropped, clusters = _count_duplicates(run["articles"], duplicates)
    quotes = run["quotes"].merge(run["quote_scores"], on=["article_id", "quote_id"], how="left", validate="one_to_one")
    sentences = run["sentences"][run["sentences"]["article_id"].isin(articles["article_id"])]
    tables = build_tables(articles, book, frame_set, frames_path=frames_path, quotes=quotes, sentences=sentences)
    tables.duplicates = clusters
    return tables, pd.concat([run["rejected"], dropped], ignore_index=True) if len(dropped) else run["rejected"]


def _count_duplicates(articles: pd.DataFrame, policy: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(articles kept, dropped as rejected rows, clusters)`` under the duplicates ``policy``."""
    from analysis.duplicates import apply_duplicate_policy, find_near_duplicates

    clusters = find_near_duplicates(articles)
    kept, dropped = apply_duplicate_policy(articles, clusters, policy)
    return kept, dropped, clusters


def _check_run_codebook(results: Path, book: Codebook) -> None:
    import json

    from analysis.pipeline import RUN_FILE, _file_sha256

    run_file = results / RUN_FILE
    if not run_file.is_file():
        return
    recorded = (json.loads(run_file.read_text(encoding="utf-8")).get("parameters") or {})
    recorded_sha = recorded.get("codebook_sha256")
    source = getattr(book, "source", None)
    if not recorded_sha or not source or not Path(source).is_file():
        return
    if _file_sha256(Path(source)) != recorded_sha:
        raise ValueError(
            f"{results} was run with the codebook {recorded.get('codebook')} (sha256 {recorded_sha[:12]}...), "
            f"not {source}: its quotes are attributed with the other codebook. Pass that codebook, "
            f"or re-run the pipeline with --codebook {source} into a fresh folder."
        )


def _given_sentences(sentences: pd.DataFrame, arts: pd.DataFrame) -> pd.DataFrame:
    columns = list(SENTENCES_SCHEMA.columns)
    missing = set(columns) - set(sentences.columns)
    if missing:
        raise KeyError(f"the sentences table is missing columns {sorted(missing)}")
    sents = sentences[columns].assign(article_id=sentences["article_id"].astype(str))
    sents = sents[sents["article_id"].isin(set(arts["article_id"]))]
    return SENTENCES_SCHEMA.validate(sents.sort_values(["article_id", "sentence_id"], kind="stable").reset_index(drop=True))


def _score_quotes(arts: pd.DataFrame, book: Codebook, text_of: dict, given: pd.DataFrame | None = None) -> pd.DataFrame:
    if arts.empty:
        return _empty(QUOTE_SCORES_SCHEMA)
    if given is None:
        raw = extract_corpus_quotes(arts[["article_id", "outlet", "text"]], book)
    else:
        missing = set(_QUOTE_INPUT) - set(given.columns)
        if missing:
            raise KeyError(f"the quotes table is missing columns {sorted(missing)}")
        keep = _QUOTE_INPUT + [c for c in _QUOTE_TONE if c in given.columns and given[c].notna().all()]
        raw = given[keep].assign(article_id=given["article_id"].astype(str))
        raw = raw[raw["article_id"].isin(set(arts["article_id"]))].reset_index(drop=True)
        raw.insert(1, "outlet", raw["article_id"].map(dict(zip(arts["article_id"], arts["outlet"]))))
    if raw.empty:
        return _empty(QUOTE_SCORES_SCHEMA)
    raw = raw.assign(outlet=raw["outlet"].fillna(UNKNOWN_OUTLET))
    lengths = raw["article_id"].map(lambda a: max(len(text_of[a]), 1))
    raw["position"] = (raw["start"] / lengths).clip(0, 1)
    raw["order"] = raw.sort_values(["article_id", "start"]).groupby("article_id").cumcount()
    raw = frames_mod.label_cues(raw)
    if all(c in raw.columns for c in _QUOTE_TONE):
        out = raw.reset_index(drop=True)
    else:
        tone = sentiment_mod.score_texts(raw["quote"].tolist())[_QUOTE_TONE]
        out = pd.concat([raw.drop(columns=[c for c in _QUOTE_TONE if c in raw.columns]).reset_index(drop=True), tone], axis=1)
    return QUOTE_SCORES_SCHEMA.validate(out[list(QUOTE_SCORES_SCHEMA.columns)])


def _find_mentions(arts: pd.DataFrame, book: Codebook, sents: pd.DataFrame, quotes: pd.DataFrame) -> pd.DataFrame:
    rows = []
    sents_by_article = {a: g for a, g in sents.groupby("article_id", sort=False)}
    quotes_by_article = {a: g for a, g in quotes.groupby("article_id", sort=False)}
    for article_id, outlet, text in zip(arts["article_id"], arts["outlet"], arts["text"]):
        found = find_mentions(text, book)
        if found.empty:
            continue
        s = sents_by_article.get(article_id)
        starts = s["start"].to_numpy() if s is not None else np.zeros(1, dtype=int)
        q = quotes_by_article.get(article_id)
        spans = list(zip(q["start"], q["end"], q["quote_id"])) if q is not None else []
        speaker_spans = []
        if q is not None:
            speaker_spans = [(int(a), int(b)) for a, b in zip(q["speaker_start"], q["speaker_end"]) if pd.notna(a) and pd.notna(b)]
        for row in found.itertuples(index=False):
            k = _sentence_at(starts, row.start)
            sentence_id = int(s["sentence_id"].iloc[k]) if s is not None else 0
            paragraph_id = int(s["paragraph_id"].iloc[k]) if s is not None else 0
            # the innermost quote holding the mention, as analysis.sentiment.actor_sentiment picks its speaker
            inside = [(qe - qs, qid) for qs, qe, qid in spans if qs <= row.start and row.end <= qe]
            rows.append((article_id, outlet, paragraph_id, sentence_id, row.start, row.end, row.mention, row.actor, row.camp,
                         min(inside)[1] if inside else None, any(a < row.end and row.start < b for a, b in speaker_spans)))
    frame = pd.DataFrame(rows, columns=list(MENTIONS_SCHEMA.columns))
    frame["quote_id"] = frame["quote_id"].astype("Int64")
    frame = frame.astype({"article_id": str, "outlet": str, "mention": str, "actor": str, "camp": str, "is_speaker_mention": bool})
    return MENTIONS_SCHEMA.validate(frame)


def _treatment(sents: pd.DataFrame, quotes: pd.DataFrame, mentions: pd.DataFrame, given: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows of :data:`TREATMENT_SCHEMA`: :func:`analysis.sentiment.actor_sentiment` of every mention but attributions.

    ``given`` (an actor_sentiment table) supplies scores already computed; only
    the mentions it lacks go through the model.
    """
    about = mentions[~mentions["is_speaker_mention"]]
    if about.empty:
        return _empty(TREATMENT_SCHEMA)
    key = ["article_id", "start", "end", "actor"]
    parts = []
    todo = about
    if given is not None and len(given):
        known = sentiment_mod.ACTOR_SENTIMENT_SCHEMA.validate(given.copy()).rename(columns={"target": "actor"})
        known = known.drop_duplicates(key)
        parts.append(known)
        todo = about[~pd.MultiIndex.from_frame(about[key]).isin(pd.MultiIndex.from_frame(known[key]))]
    if len(todo):
        scored = sentiment_mod.actor_sentiment(sents, todo, quotes[["article_id", "start", "end", "speaker", "camp"]])
        parts.append(scored.rename(columns={"target": "actor"}))
    scored = pd.concat(parts, ignore_index=True)
    frame = about.drop(columns=["sentence_id", "mention"]).merge(
        scored[key + ["mention", "sentence_id", "source", "source_camp", "sentence", "polarity", "label"]], on=key, how="inner")
    narrator = frame["source"] == sentiment_mod.NARRATOR
    speaker = frame["source"].replace({"unattributed": UNATTRIBUTED})
    frame = frame.assign(
        source=np.where(narrator, NARRATOR, "quote"),
        speaker=np.where(narrator, NARRATOR, speaker),
        speaker_camp=np.where(narrator, NARRATOR, frame["source_camp"].where(frame["source_camp"].notna(), "other")),
        target=frame["actor"],
        target_camp=frame["camp"],
    )
    frame = frame[narrator | (frame["speaker"] != frame["target"])]  # a speaker naming themself is not treatment
    if frame.empty:
        return _empty(TREATMENT_SCHEMA)
    frame = frame.sort_values(["article_id", "start", "end"], kind="stable").reset_index(drop=True)
    return TREATMENT_SCHEMA.validate(frame[list(TREATMENT_SCHEMA.columns)])


# --------------------------------------------------------------------------- tidy tables for one focus / counterpart


def _parties(tables: Tables, focus: str | Party, counterpart: str | Party) -> tuple[Party, Party]:
    f = focus if isinstance(focus, Party) else tables.party(focus)
    c = counterpart if isinstance(counterpart, Party) else tables.party(counterpart)
    if f == c:
        raise ValueError(f"focus and counterpart are the same ({f.name!r}); pick two different actors or camps")
    return f, c


def camp_label(camp: str) -> str:
    """How a camp reads as a group: "conservative camp"; a camp already named as one stays as it is.

    >>> camp_label("conservative"), camp_label("ruiz_camp"), camp_label("Ruiz Camp")
    ('conservative camp', 'ruiz camp', 'Ruiz Camp')
    """
    words = camp.replace("_", " ").strip()
    return words if words.split()[-1:] and words.split()[-1].casefold() == "camp" else f"{words} camp"


def group_labels(focus: Party, counterpart: Party) -> dict[str, str]:
    """Readable names of the voice groups.

    >>> book = load_codebook()
    >>> group_labels(Party.resolve("Jamil Jivani", book), Party.resolve("liberal_government", book))["focus_camp"]
    'conservative camp (not Jamil Jivani)'
    """
    allies = f"{camp_label(focus.camp)} (not {focus.label})" if focus.kind == "actor" else "(none: the focus is a camp)"
    return {"focus": focus.label, "counterpart": counterpart.label, "focus_camp": allies, "other": "everyone else"}


def _assign_groups(actors: pd.Series, camps: pd.Series, focus: Party, counterpart: Party) -> np.ndarray:
    conditions = [focus.matches(actors, camps).to_numpy(), counterpart.matches(actors, camps).to_numpy()]
    conditions.append((camps == focus.camp).to_numpy() if focus.kind == "actor" else np.zeros(len(actors), dtype=bool))
    return np.select(conditions, list(GROUPS[:3]), default="other").astype(object)


def _spans(frame: pd.DataFrame, limit: int = EVIDENCE_LIMIT) -> str:
    """``article_id:start-end`` of the first rows, to trace a number back to its text."""
    if frame.empty:
        return ""
    refs = [f"{a}:{s}-{e}" for a, s, e in zip(frame["article_id"], frame["start"], frame["end"])]
    return "; ".join(refs[:limit]) + (f"; … {len(refs) - limit} more" if len(refs) > limit else "")


def voice_quotes(tables: Tables, focus: str | Party = "Jamil Jivani", counterpart: str | Party = "liberal_government") -> pd.DataFrame:
    """The quotes table with each quote's voice ``group`` and display labels, for charts and the quote list.

    Adds ``group`` (:data:`GROUPS`), ``group_label``, ``speaker_label``
    (``"(unattributed)"`` when no speaker was found), ``camp_label``
    (``"unknown"`` when the speaker is not in the codebook) and
    ``word_share``: the quote's words over all quoted words in its outlet.
    """
    f, c = _parties(tables, focus, counterpart)
    q = tables.quotes.copy()
    q["group"] = _assign_groups(q["speaker"], q["camp"], f, c)
    q["group_label"] = q["group"].map(group_labels(f, c)).astype(object)
    q["speaker_label"] = q["speaker"].where(q["speaker"].notna(), UNATTRIBUTED).astype(str)
    q["camp_label"] = q["camp"].where(q["camp"].notna(), "unknown").astype(str)
    totals = q.groupby("outlet")["word_count"].transform("sum")
    q["word_share"] = np.where(totals > 0, q["word_count"] / totals.clip(lower=1), 0.0)
    return q


def _headline(article: pd.Series, paras: pd.DataFrame) -> str:
    title = article.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    if not paras.empty and bool(paras["is_heading"].iloc[0]):
        return str(paras["text"].iloc[0])
    return ""


def _names(text: str, party: Party, book: Codebook) -> bool:
    if not text:
        return False
    found = find_mentions(text, book)
    return bool(party.matches(found["actor"], found["camp"]).any())


def article_order(tables: Tables, focus: str | Party = "Jamil Jivani", counterpart: str | Party = "liberal_government") -> pd.DataFrame:
    """Who speaks first and last in each article, and whether focus and counterpart are in headline and lead.

    Columns: :data:`ARTICLE_ORDER_SCHEMA`.
    """
    f, c = _parties(tables, focus, counterpart)
    q = voice_quotes(tables, f, c).sort_values(["article_id", "start"])
    by_article = {a: g for a, g in q.groupby("article_id", sort=False)}
    paras_by = {a: g for a, g in tables.paragraphs.groupby("article_id", sort=False)} if len(tables.paragraphs) else {}
    rows = []
    for _, art in tables.articles.iterrows():
        paras = paras_by.get(art["article_id"], pd.DataFrame(columns=["text", "is_heading"]))
        headline = _headline(art, paras)
        lead = " \n".join(paras.loc[~paras["is_heading"].astype(bool), "text"].head(2)) if len(paras) else ""
        quotes = by_article.get(art["article_id"])
        first = quotes.iloc[0] if quotes is not None else None
        last = quotes.iloc[-1] if quotes is not None else None
        rows.append(
            dict(
                article_id=art["article_id"], outlet=art["outlet"], headline=headline,
                quotes_n=0 if quotes is None else len(quotes),
                first_speaker=None if first is None else first["speaker_label"],
                first_group=None if first is None else first["group"],
                first_quote=None if first is None else first["quote"],
                last_speaker=None if last is None else last["speaker_label"],
                last_group=None if last is None else last["group"],
                last_quote=None if last is None else last["quote"],
                focus_in_headline=_names(headline, f, tables.codebook),
                counterpart_in_headline=_names(headline, c, tables.codebook),
                focus_in_lead=_names(lead, f, tables.codebook),
                counterpart_in_lead=_names(lead, c, tables.codebook),
            )
        )
    if not rows:
        return _empty(ARTICLE_ORDER_SCHEMA)
    return ARTICLE_ORDER_SCHEMA.validate(pd.DataFrame(rows, columns=list(ARTICLE_ORDER_SCHEMA.columns)))


def _summaries(frame: pd.DataFrame, by: list[str], value: str, **options) -> pd.DataFrame:
    """:func:`analysis.sentiment.summarize` indexed by the ``by`` keys (``n``, ``mean``, ``ci_low``, ``ci_high``, ``low_n``)."""
    return sentiment_mod.summarize(frame, by=by, value=value, **options).set_index(by)


def _extreme(frame: pd.DataFrame, column: str, text: str) -> str:
    """The text behind the most extreme score: the example a reader checks first."""
    if frame.empty:
        return ""
    return str(frame.loc[frame[column].abs().idxmax(), text])


def speaker_tone(tables: Tables) -> pd.DataFrame:
    """One row per (outlet, speaker): tone of the speaker's quotes (:data:`SPEAKER_TONE_SCHEMA`).

    Unattributed quotes are listed as ``"(unattributed)"``. The interval
    resamples the speaker's quotes.
    """
    q = tables.quotes.assign(
        speaker=tables.quotes["speaker"].where(tables.quotes["speaker"].notna(), UNATTRIBUTED).astype(str),
        camp=tables.quotes["camp"].where(tables.quotes["camp"].notna(), "unknown").astype(str),
    )
    rows = []
    stats = _summaries(q, ["outlet", "speaker"], "polarity")
    for (outlet, speaker), g in q.groupby(["outlet", "speaker"], sort=True):
        st = stats.loc[(outlet, speaker)]
        rows.append(dict(outlet=outlet, speaker=speaker, camp=g["camp"].mode().iloc[0], n=st["n"], polarity=st["mean"],
                         ci_low=st["ci_low"], ci_high=st["ci_high"], subjectivity=g["subjectivity"].mean(),
                         compound=g["compound"].mean(), words_n=int(g["word_count"].sum()), low_n=st["low_n"],
                         example=_extreme(g, "polarity", "quote"), evidence=_spans(g)))
    if not rows:
        return _empty(SPEAKER_TONE_SCHEMA)
    return SPEAKER_TONE_SCHEMA.validate(pd.DataFrame(rows, columns=list(SPEAKER_TONE_SCHEMA.columns)))


def speaker_target(tables: Tables, *, by_camp: bool = False) -> pd.DataFrame:
    """Who says what about whom: mean target-directed polarity per (outlet, speaker, target) (:data:`SPEAKER_TARGET_SCHEMA`).

    Reads :attr:`Tables.treatment` (one row per mention). The narrator (the
    outlet's own words) is a speaker too. ``by_camp=True`` puts targets
    together by camp (``target`` is then the camp name), e.g. "Jamil Jivani on
    the liberal_government camp". Intervals resample whole articles.

    >>> import pandas as pd
    >>> t = build_tables(pd.DataFrame({"article_id": ["a"], "outlet": ["X"],
    ...     "text": ["Jivani said the Liberals had snubbed him, a terrible insult."]}), frame_set="generic_frames")
    >>> speaker_target(t)[["speaker", "target", "n"]].values.tolist()
    [['Jamil Jivani', 'Liberal government', 1]]
    """
    t = tables.treatment
    if by_camp:
        t = t.assign(target=t["target_camp"])
    rows = []
    stats = _summaries(t, ["outlet", "speaker", "target"], "polarity", cluster="article_id")
    for (outlet, speaker, target), g in t.groupby(["outlet", "speaker", "target"], sort=True):
        st = stats.loc[(outlet, speaker, target)]
        rows.append(dict(outlet=outlet, speaker=speaker, speaker_camp=g["speaker_camp"].iloc[0], target=target,
                         target_camp=g["target_camp"].iloc[0], n=st["n"], polarity=st["mean"], ci_low=st["ci_low"],
                         ci_high=st["ci_high"], low_n=st["low_n"], example=_extreme(g, "polarity", "sentence"), evidence=_spans(g)))
    if not rows:
        return _empty(SPEAKER_TARGET_SCHEMA)
    return SPEAKER_TARGET_SCHEMA.validate(pd.DataFrame(rows, columns=list(SPEAKER_TARGET_SCHEMA.columns)))


def _subject_sentences(tables: Tables, focus: Party, counterpart: Party) -> list[tuple[str, str, set]]:
    """(about, about_kind, {(article_id, sentence_id)}) for focus, counterpart and every camp named."""
    m = tables.mentions[~tables.mentions["is_speaker_mention"]]
    keys = lambda mask: set(zip(m.loc[mask, "article_id"], m.loc[mask, "sentence_id"]))  # noqa: E731
    subjects = [(focus.label, "focus", keys(focus.matches(m["actor"], m["camp"]))),
                (counterpart.label, "counterpart", keys(counterpart.matches(m["actor"], m["camp"])))]
    for camp in tables.codebook.camps:
        if camp not in {p.name for p in (focus, counterpart) if p.kind == "camp"}:  # already a row above
            subjects.append((camp, "camp", keys(m["camp"] == camp)))
    return [s for s in subjects if s[2]]


def frame_profile(tables: Tables, focus: str | Party = "Jamil Jivani", counterpart: str | Party = "liberal_government") -> pd.DataFrame:
    """Frames of the sentences about the focus, the counterpart and each camp, per outlet (:data:`FRAME_PROFILE_SCHEMA`).

    A sentence is *about* an actor when it names them (quotes included, the
    "X said" attribution excluded); ``share`` is the share of those sentences
    where the frame's lexicon fires (the interval resamples sentences).
    """
    f, c = _parties(tables, focus, counterpart)
    scored = tables.frame_scores
    rows = []
    if scored.empty:
        return _empty(FRAME_PROFILE_SCHEMA)
    keys = pd.MultiIndex.from_frame(scored[["article_id", "sentence_id"]])
    for about, kind, sentence_keys in _subject_sentences(tables, f, c):
        chosen = scored[keys.isin(list(sentence_keys))]
        chosen = chosen.assign(fired=(chosen["hits_n"] > 0).astype(float))
        stats = _summaries(chosen, ["outlet", "frame"], "fired")
        for (outlet, frame), g in chosen.groupby(["outlet", "frame"], sort=True):
            st = stats.loc[(outlet, frame)]
            hits = g[g["hits_n"] > 0]
            terms = pd.Series([t.strip().lower() for ts in hits["matched_terms"] for t in ts.split(";") if t.strip()])
            top = "; ".join(f"{t} ({n})" for t, n in terms.value_counts().head(8).items())
            rows.append(dict(outlet=outlet, about=about, about_kind=kind, frame_set=tables.frame_set, frame=frame, n=len(g),
                             texts_with_frame_n=len(hits), share=st["mean"], ci_low=st["ci_low"], ci_high=st["ci_high"], low_n=st["low_n"],
                             matched_terms=top, example=str(hits["sentence"].iloc[0]) if len(hits) else "",
                             evidence=_spans(hits)))
    if not rows:
        return _empty(FRAME_PROFILE_SCHEMA)
    return FRAME_PROFILE_SCHEMA.validate(pd.DataFrame(rows, columns=list(FRAME_PROFILE_SCHEMA.columns)))


def attribution_verbs(tables: Tables, focus: str | Party = "Jamil Jivani", counterpart: str | Party = "liberal_government") -> pd.DataFrame:
    """Attribution-verb classes per outlet and voice group (:data:`analysis.frames.CUE_COUNTS_SCHEMA` plus ``group``).

    Every class is listed for every (outlet, group) with quotes, zeros kept;
    ``cues`` names the verbs counted.
    """
    q = voice_quotes(tables, focus, counterpart)
    if q.empty:
        counted = frames_mod.count_cues(pd.DataFrame({"outlet": [], "group": [], "group_label": [], "cue": []}), by=["outlet", "group", "group_label"])
        return counted
    return frames_mod.count_cues(q[["outlet", "group", "group_label", "cue"]], by=["outlet", "group", "group_label"])


# --------------------------------------------------------------------------- measures


class _Measures:
    """Unit-level values of every measure, summarized together by :func:`analysis.sentiment.summarize`.

    ``add`` takes one measure's values (one per unit), optional ``weights``
    (a weighted mean: word shares) and ``clusters`` (resample whole clusters,
    e.g. articles, instead of units); ``add_summary`` a row already summarized.
    ``table`` returns :data:`MEASURES_SCHEMA` rows in the order added.
    """

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.units: list[pd.DataFrame] = []

    def add(self, outlet, dimension, measure, group, label, values, *, weights=None, clusters=None, unit="quotes", evidence="") -> None:
        i = len(self.rows)
        self.rows.append(dict(outlet=outlet, dimension=dimension, measure=measure, group=group, group_label=label, unit=unit, evidence=evidence))
        values = np.asarray(values, dtype=float)
        self.units.append(pd.DataFrame({
            "row": i, "value": values,
            "weight": 1.0 if weights is None else np.asarray(weights, dtype=float),
            "cluster": "" if clusters is None else np.asarray(clusters, dtype=str),
            "weighted": weights is not None, "clustered": clusters is not None,
        }, index=range(values.size)))

    def add_summary(self, **row) -> None:
        self.rows.append(row)

    def table(self) -> pd.DataFrame:
        if not self.rows:
            return _empty(MEASURES_SCHEMA)
        stats: dict[int, dict] = {}
        units = pd.concat(self.units, ignore_index=True) if self.units else pd.DataFrame()
        if len(units):
            for (weighted, clustered), sub in units.groupby(["weighted", "clustered"], sort=True):
                found = _summaries(sub, ["row"], "value", weight="weight" if weighted else None, cluster="cluster" if clustered else None)
                stats.update(found.rename(columns={"mean": "value"}).to_dict("index"))
        nothing = dict(value=np.nan, ci_low=np.nan, ci_high=np.nan, n=0, low_n=True)  # a measure with no units
        rows = [row if "n" in row else {**row, **stats.get(i, nothing)} for i, row in enumerate(self.rows)]
        return MEASURES_SCHEMA.validate(pd.DataFrame(rows, columns=list(MEASURES_SCHEMA.columns)))


def positioning_measures(
    tables: Tables, focus: str | Party = "Jamil Jivani", counterpart: str | Party = "liberal_government"
) -> pd.DataFrame:
    """Every positioning number, one row per (outlet, measure, group) (:data:`MEASURES_SCHEMA`).

    Measures (``dimension``: ``measure``; groups are focus / counterpart, and
    for voice also focus_camp / other):

    - voice: ``quote_share`` (share of quotes), ``word_share`` (share of quoted words);
    - order: ``speaks_first``, ``last_word`` (share of articles with quotes whose
      first/last quote is the group's), ``in_headline``, ``in_lead`` (share of articles);
    - tone: ``quote_polarity``, ``quote_subjectivity`` (TextBlob, the group's own quotes);
    - treatment: ``narrator_sentiment``, ``quoted_sentiment`` (mean target-directed
      polarity of the group's mentions in the narrator's words / in other speakers'
      quotes, :data:`TREATMENT_SCHEMA`), ``treatment`` (both); unit: mentions;
      the interval resamples whole articles;
    - frames: ``frame_<name>`` (share of sentences about the group showing the frame);
    - verbs: ``cue_<class>`` (share of the group's quotes introduced by a verb of that
      class) and ``loaded_cue`` (any class but neutral and unknown).

    Intervals and ``low_n`` come from :func:`analysis.sentiment.summarize`: other
    than treatment, each measure resamples its own units (``unit``); word shares
    are quote-level weighted means (quotes resampled with their word counts).
    """
    f, c = _parties(tables, focus, counterpart)
    labels = group_labels(f, c)
    q = voice_quotes(tables, f, c)
    order = article_order(tables, f, c)
    frames = frame_profile(tables, f, c)
    categories = list(frames_mod.load_cues().categories) + [frames_mod.OTHER_CUE]
    rows = _Measures()
    for outlet in tables.outlets:
        oq = q[q["outlet"] == outlet]
        for g in GROUPS:
            mine = (oq["group"] == g).to_numpy()
            ev = _spans(oq[mine])
            rows.add(outlet, "voice", "quote_share", g, labels[g], mine, evidence=ev)
            rows.add(outlet, "voice", "word_share", g, labels[g], mine, weights=oq["word_count"].to_numpy(), evidence=ev)
        oa = order[order["outlet"] == outlet]
        spoken = oa[oa["quotes_n"] > 0]
        with_headline = oa[oa["headline"] != ""]
        for g, party in (("focus", f), ("counterpart", c)):
            label = labels[g]
            for measure, column in (("speaks_first", "first_group"), ("last_word", "last_group")):
                hit = (spoken[column] == g).to_numpy()
                rows.add(outlet, "order", measure, g, label, hit, unit="articles with quotes",
                         evidence="; ".join(spoken.loc[hit, "article_id"]))
            hit = with_headline[f"{g}_in_headline"].to_numpy()
            rows.add(outlet, "order", "in_headline", g, label, hit, unit="articles with a headline",
                     evidence="; ".join(with_headline.loc[hit, "article_id"]))
            hit = oa[f"{g}_in_lead"].to_numpy()
            rows.add(outlet, "order", "in_lead", g, label, hit, unit="articles", evidence="; ".join(oa.loc[hit, "article_id"]))
            own = oq[oq["group"] == g]
            rows.add(outlet, "tone", "quote_polarity", g, label, own["polarity"], evidence=_spans(own))
            rows.add(outlet, "tone", "quote_subjectivity", g, label, own["subjectivity"], evidence=_spans(own))
            t = tables.treatment[tables.treatment["outlet"] == outlet]
            about = t[party.matches(t["target"], t["target_camp"])]
            # a party's own words about itself are not its treatment by others
            about = about[~party.matches(about["speaker"], about["speaker_camp"])]
            narr, quoted = about[about["source"] == "narrator"], about[about["source"] == "quote"]
            for measure, chosen in (("narrator_sentiment", narr), ("quoted_sentiment", quoted), ("treatment", about)):
                rows.add(outlet, "treatment", measure, g, label, chosen["polarity"], clusters=chosen["article_id"], unit="mentions",
                         evidence=_spans(chosen))
            fr = frames[(frames["outlet"] == outlet) & (frames["about_kind"] == g)]
            for r in fr.itertuples(index=False):
                rows.add_summary(outlet=outlet, dimension="frames", measure=f"frame_{r.frame}", group=g, group_label=label,
                                 value=r.share, ci_low=r.ci_low, ci_high=r.ci_high, n=r.n, low_n=r.low_n, unit="sentences",
                                 evidence=r.evidence)
            for category in categories:
                hit = (own["cue_category"] == category).to_numpy()
                rows.add(outlet, "verbs", f"cue_{category}", g, label, hit, evidence=_spans(own[hit]))
            loaded = (~own["cue_category"].isin(["neutral", frames_mod.OTHER_CUE])).to_numpy()
            rows.add(outlet, "verbs", "loaded_cue", g, label, loaded, evidence=_spans(own[loaded]))
    return rows.table()


def outlet_positioning(
    articles: Tables | pd.DataFrame,
    quotes: pd.DataFrame | None = None,
    scores: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None,
    *,
    focus: str | Party = "Jamil Jivani",
    counterpart: str | Party = "liberal_government",
    codebook: Codebook | str | Path | None = None,
    frame_set: str | None = None,
    measures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The wide positioning table: one row per outlet.

    Two ways to call it, giving the same rows:

    - ``outlet_positioning(tables, focus=..., counterpart=...)`` with a
      :class:`Tables` from :func:`build_tables` (``quotes``, ``scores``,
      ``codebook`` and ``frame_set`` must then be left out: the tables already
      fix them);
    - ``outlet_positioning(articles, quotes, scores, focus=..., counterpart=...)``
      with an articles table: it goes through :func:`build_tables` with
      ``codebook`` and ``frame_set`` (None: ``story_frames``), and ``quotes`` / ``scores`` (see there:
      an extracted quotes table; an ``actor_sentiment`` table or a mapping with
      :data:`SCORE_KEYS`), when given, are used instead of being recomputed.

    Columns: ``outlet``, ``articles_n``, ``quotes_n``, ``quoted_words_n``,
    then for each measure of :func:`positioning_measures` and group,
    ``<measure>_<group>`` (the value) with ``_n``, ``_ci_low``, ``_ci_high``
    and ``_low_n`` beside it, e.g. ``quote_share_focus``,
    ``quote_share_focus_n``. Pass ``measures`` when you already have them.
    """
    if isinstance(quotes, (str, Party)):
        raise TypeError("focus and counterpart are keyword-only: outlet_positioning(tables, focus=..., counterpart=...)")
    if isinstance(articles, Tables):
        extra = {"quotes": quotes, "scores": scores, "codebook": codebook, "frame_set": frame_set}
        given = [name for name, value in extra.items() if value is not None]
        if given:
            raise TypeError(f"outlet_positioning got Tables and {given}: the tables already fix those; "
                            "pass an articles table to build them anew")
        tables = articles
    elif isinstance(articles, pd.DataFrame):
        tables = build_tables(articles, codebook, frame_set or "story_frames", quotes=quotes, scores=scores)
    else:
        raise TypeError(f"articles must be Tables or an articles DataFrame, not {type(articles).__name__}")
    long = positioning_measures(tables, focus, counterpart) if measures is None else measures
    base = pd.DataFrame({"outlet": pd.Series(tables.outlets, dtype=object)})
    arts = tables.articles.groupby("outlet").size().rename("articles_n")
    qs = tables.quotes.groupby("outlet").agg(quotes_n=("quote_id", "size"), quoted_words_n=("word_count", "sum"))
    base = base.join(arts, on="outlet").join(qs, on="outlet")
    for column in ("articles_n", "quotes_n", "quoted_words_n"):
        base[column] = base[column].fillna(0).astype(int)
    if long.empty:
        return base
    long = long.assign(column=long["measure"] + "_" + long["group"])
    columns = list(dict.fromkeys(long["column"]))
    pieces = []
    for suffix, source in (("", "value"), ("_n", "n"), ("_ci_low", "ci_low"), ("_ci_high", "ci_high"), ("_low_n", "low_n")):
        wide = long.pivot(index="outlet", columns="column", values=source).reindex(columns=columns)
        wide.columns = [f"{col}{suffix}" for col in wide.columns]
        pieces.append(wide)
    wide = pd.concat(pieces, axis=1)
    ordered = [f"{col}{suffix}" for col in columns for suffix in ("", "_n", "_ci_low", "_ci_high", "_low_n")]
    wide = wide[ordered]
    for col in wide.columns:  # a measure another outlet has and this one lacks: n = 0, flagged
        if col.endswith("_low_n"):
            wide[col] = wide[col].fillna(True).astype(bool)
        elif col.endswith("_n"):
            wide[col] = wide[col].fillna(0).astype(int)
        else:
            wide[col] = wide[col].astype(float)
    return base.join(wide, on="outlet").reset_index(drop=True)


def positioning_map_table(
    tables: Tables,
    focus: str | Party = "Jamil Jivani",
    counterpart: str | Party = "liberal_government",
    *,
    measures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per outlet for the positioning map: treatment of the focus (``x``) and of the counterpart (``y``).

    ``x``/``y`` are the ``treatment`` measure of :func:`positioning_measures`
    (mean target-directed polarity of the side's mentions by the narrator and by
    other speakers), with ``_low``/``_high`` (95% interval, articles resampled),
    ``_n``, ``_low_n`` and ``_example`` (the sentence behind the most extreme
    score, with the mention's ``article_id:start-end``);
    ``voice`` sums up who got quoted.
    """
    f, c = _parties(tables, focus, counterpart)
    long = positioning_measures(tables, f, c) if measures is None else measures
    columns = ["outlet", "x", "x_low", "x_high", "x_n", "x_low_n", "x_example", "y", "y_low", "y_high", "y_n", "y_low_n",
               "y_example", "x_label", "y_label", "voice"]
    if long.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    t = tables.treatment
    for outlet in tables.outlets:
        row = {"outlet": outlet, "x_label": f"treatment of {f.label}", "y_label": f"treatment of {c.label}"}
        for axis, group, party in (("x", "focus", f), ("y", "counterpart", c)):
            m = long[(long["outlet"] == outlet) & (long["measure"] == "treatment") & (long["group"] == group)].iloc[0]
            row.update({axis: m["value"], f"{axis}_low": m["ci_low"], f"{axis}_high": m["ci_high"], f"{axis}_n": int(m["n"]), f"{axis}_low_n": bool(m["low_n"])})
            about = t[(t["outlet"] == outlet) & party.matches(t["target"], t["target_camp"])]
            about = about[~party.matches(about["speaker"], about["speaker_camp"])]
            if about.empty:
                row[f"{axis}_example"] = ""
            else:
                e = about.loc[about["polarity"].abs().idxmax()]
                row[f"{axis}_example"] = f"{e['speaker']} on {e['mention']}: “{e['sentence']}” ({e['article_id']}:{e['start']}-{e['end']})"
        share = long[(long["outlet"] == outlet) & (long["measure"] == "quote_share")].set_index("group")
        row["voice"] = ", ".join(
            f"{share.loc[g, 'group_label']} {share.loc[g, 'value']:.0%}" for g in ("focus", "counterpart") if g in share.index and pd.notna(share.loc[g, "value"])
        ) or "no quotes"
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)
