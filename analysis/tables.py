"""The row-level tables every chart and measure reads, their schemas, and how to get them: :func:`load_tables`.

One corpus gives seven tables (:data:`TABLES`), made by the stage graph
(:mod:`analysis.stages`) the same way in a notebook and in a batch run
(:mod:`analysis.pipeline`), each keeping ``article_id`` and character offsets
into the article's ``text``:

========== ==================================================================
articles   one row per article (:data:`analysis.corpus.ARTICLES_SCHEMA`, ``outlet`` filled)
paragraphs :data:`analysis.text.PARAGRAPHS_SCHEMA`
sentences  :data:`SENTENCES_SCHEMA` (sentences with their outlet)
quotes     :data:`QUOTE_SCORES_SCHEMA` (attributed quotes with cue class and tone)
mentions   :data:`MENTIONS_SCHEMA` (codebook actors named in the text)
treatment  :data:`TREATMENT_SCHEMA` (target-directed sentiment per mention, and who voices it)
frames     :data:`FRAMES_SCHEMA` (every sentence scored for every frame of the chosen sets)
========== ==================================================================

:func:`load_tables` returns them in a :class:`Tables` container for one frame
set: from a corpus (built once and cached on disk, keyed by a checksum of
every input) or from a finished ``python -m analysis run`` (read, never
recomputed). :mod:`analysis.views` and :mod:`analysis.measures` read it.

>>> import pandas as pd
>>> from analysis.actors import parse_codebook
>>> book = parse_codebook({"actors": [
...     {"name": "Ann Lee", "aliases": ["Lee"], "camp": "council", "pronouns": "she"},
...     {"name": "Bo Chan", "aliases": ["Chan"], "camp": "opposition", "pronouns": "he"}]})
>>> t = build_tables(pd.DataFrame({"article_id": ["a"], "outlet": ["X"],
...     "text": ["Ann Lee said Chan is wrong about the budget."]}), book, "generic_frames")
>>> t.quotes[["speaker", "quote"]].values.tolist()
[['Ann Lee', 'Chan is wrong about the budget']]
>>> t.outlets, t.party("Lee").name
(['X'], 'Ann Lee')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
import pandera.pandas as pa

from analysis.actors import Codebook, load_codebook
from analysis.frames import FRAME_SCORES_SCHEMA
from analysis.text import PARAGRAPHS_SCHEMA
from analysis.text import SENTENCES_SCHEMA as _SENTENCE_COLUMNS

UNKNOWN_OUTLET = "(unknown outlet)"
NARRATOR = "narrator"
UNATTRIBUTED = "(unattributed)"
"""The speaker of a quote the quote finder could not attribute."""
SENTIMENT_LABELS = ("negative", "neutral", "positive")

TABLES = ("articles", "paragraphs", "sentences", "quotes", "mentions", "treatment", "frames")
"""The row-level tables of a corpus, in the order the stage graph makes them."""

SENTENCES_SCHEMA = pa.DataFrameSchema(
    {**_SENTENCE_COLUMNS.columns, "outlet": pa.Column(str)},
    strict=True,
    ordered=True,
    coerce=True,
    name="sentences",
)
""":data:`analysis.text.SENTENCES_SCHEMA` plus the article's ``outlet``."""

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
        "outer_quote_id": pa.Column("Int64", nullable=True),
        "own_word_count": pa.Column(int, pa.Check.ge(0)),
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
``cue_category`` from :func:`analysis.cues.classify_cue`; ``outer_quote_id``
the statement this one is quoted inside (Trump's words relayed in Jivani's
post), and ``own_word_count`` the words that are the speaker's own: the
quote's words less those of the statements nested in it, so voice shares
count relayed words once, for whoever said them.
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
        "is_pronoun": pa.Column(bool),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="positioning_mentions",
)
"""One row per codebook actor mention in an article's text: ``text[start:end] == mention``.

``quote_id`` is the quote the mention sits inside (null: narrator's words);
``is_speaker_mention`` marks the words a quote is attributed to ("Chan said");
``is_pronoun`` a pronoun inside a quotation resolved to the actor the speaker
talks about ("I haven’t heard **him** once": the quote's target, see
:data:`analysis.quotes.QUOTED_PRONOUNS_SCHEMA`). Names come from the codebook's
names and aliases.
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
        "label": pa.Column(str, pa.Check.isin(SENTIMENT_LABELS)),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="treatment",
)
"""Target-directed sentiment: one row per codebook mention (attributions like "Chan said" left out).

``text[start:end] == mention`` in the article; ``sentence`` is the sentence
holding it (``sentence_id``), the text the stance scorer read. ``polarity``
and ``label`` are the scorer's sentiment toward the mention. ``source``
narrator: outside any quote (``speaker`` and ``speaker_camp`` are
``"narrator"``); ``source`` quote: inside the quote ``quote_id``, voiced by
its ``speaker`` (``"(unattributed)"`` when none was found; ``speaker_camp``
``"other"`` when the codebook does not know them). A speaker naming themself
in their own quote is left out.
"""

FRAMES_SCHEMA = pa.DataFrameSchema(
    {
        "article_id": pa.Column(str),
        "sentence_id": pa.Column(int, pa.Check.ge(0)),
        **{name: column for name, column in FRAME_SCORES_SCHEMA.columns.items() if name != "text_id"},
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="sentence_frames",
)
"""One row per (sentence, frame) of each frame set scored: :data:`analysis.frames.FRAME_SCORES_SCHEMA` by sentence.

``match_offsets`` index the sentence's text. :attr:`Tables.frame_scores`
joins one set's rows to their sentence (``outlet``, ``start``, ``end``, ``sentence``).
"""

SCHEMAS = {
    "paragraphs": PARAGRAPHS_SCHEMA,
    "sentences": SENTENCES_SCHEMA,
    "quotes": QUOTE_SCORES_SCHEMA,
    "mentions": MENTIONS_SCHEMA,
    "treatment": TREATMENT_SCHEMA,
    "frames": FRAMES_SCHEMA,
}
"""Schema of every table but ``articles`` (the input, checked by :mod:`analysis.corpus`)."""


@dataclass(frozen=True)
class Party:
    """A focus or counterpart: one codebook actor, or a whole camp.

    >>> from analysis.actors import parse_codebook
    >>> book = parse_codebook({"actors": [{"name": "Ann Lee", "aliases": ["Lee"], "camp": "council", "pronouns": "she"}]})
    >>> Party.resolve("Lee", book)
    Party(name='Ann Lee', kind='actor', camp='council')
    >>> Party.resolve("council", book).kind
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
        """How the party reads in charts and findings ("Ann Lee", "city council" for the camp ``city_council``)."""
        return self.name if self.kind == "actor" else self.name.replace("_", " ")


@dataclass
class Tables:
    """The row-level tables of one corpus, for one frame set (see the module's table of tables).

    Make one with :func:`load_tables` or :func:`build_tables`; ``frame_scores``
    is the ``frames`` table of ``frame_set`` joined to its sentences
    (``article_id, outlet, sentence_id, start, end, sentence`` in front).
    """

    articles: pd.DataFrame
    sentences: pd.DataFrame
    quotes: pd.DataFrame
    mentions: pd.DataFrame
    treatment: pd.DataFrame
    frame_scores: pd.DataFrame
    codebook: Codebook
    frame_set: str
    paragraphs: pd.DataFrame = field(default_factory=pd.DataFrame)
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)
    """:data:`analysis.duplicates.CLUSTERS_SCHEMA`: the near-duplicate clusters :func:`load_tables` found (before its policy)."""

    @classmethod
    def from_frames(cls, frames: dict[str, pd.DataFrame], codebook: Codebook, frame_set: str) -> "Tables":
        """The container for a dict of :data:`TABLES` (a stage-graph result or a run read back), for one frame set."""
        scored = frames["frames"]
        sets = list(dict.fromkeys(scored["frame_set"]))
        if len(scored) and frame_set not in sets:
            raise ValueError(f"frame set {frame_set!r} was not scored for these tables (scored: {sets}); "
                             "re-run with --frame-set all, or pick one of those")
        sents = frames["sentences"][["article_id", "sentence_id", "outlet", "start", "end", "text"]].rename(columns={"text": "sentence"})
        chosen = scored[scored["frame_set"] == frame_set]
        joined = chosen.merge(sents, on=["article_id", "sentence_id"], how="left", validate="many_to_one")
        order = ["article_id", "outlet", "sentence_id", "start", "end", "sentence", *[c for c in FRAMES_SCHEMA.columns if c not in ("article_id", "sentence_id")]]
        return cls(
            articles=frames["articles"],
            sentences=frames["sentences"],
            quotes=frames["quotes"],
            mentions=frames["mentions"],
            treatment=frames["treatment"],
            frame_scores=joined[order].reset_index(drop=True),
            codebook=codebook,
            frame_set=frame_set,
            paragraphs=frames["paragraphs"],
        )

    @property
    def outlets(self) -> list[str]:
        """Outlets in the corpus, sorted."""
        return sorted(self.articles["outlet"].unique()) if len(self.articles) else []

    @property
    def camp_colors(self) -> dict[str, str]:
        """The codebook's camp colours (:func:`analysis.charts.camp_colors` fills in the rest)."""
        return dict(self.codebook.camp_colors)

    def party(self, name: str) -> Party:
        """Resolve an actor name, alias or camp against this corpus's codebook."""
        return Party.resolve(name, self.codebook)


def _codebook(codebook: Codebook | str | Path | None) -> Codebook:
    return codebook if isinstance(codebook, Codebook) else load_codebook(codebook)


def build_tables(
    articles: pd.DataFrame,
    codebook: Codebook | str | Path | None = None,
    frame_set: str = "generic_frames",
    *,
    frames_path: str | Path | None = None,
    stance: str | None = None,
) -> Tables:
    """Every row-level table of an articles table, computed in memory by the stage graph (no cache, no files).

    ``articles`` needs ``article_id`` and ``text`` (``outlet`` and ``title``
    are used when present); ``codebook`` is a :class:`~analysis.actors.Codebook`,
    a YAML path or None (``data/actors.yaml``); ``frame_set`` names a set in
    ``frames_path`` (default ``data/frames.yaml``); ``stance`` names the
    target-directed scorer (:data:`analysis.stages.STANCE_SCORERS`). An empty
    articles table gives empty tables, never an error.

    >>> t = build_tables(pd.DataFrame({"article_id": [], "text": []}))
    >>> len(t.quotes), len(t.treatment), t.outlets
    (0, 0, [])
    """
    from analysis.stages import StageParams, run_stages

    book = _codebook(codebook)
    params = StageParams(codebook=book, frame_sets=(frame_set,), frames_path=None if frames_path is None else str(frames_path),
                         stance=stance)
    return Tables.from_frames(run_stages(articles, params), book, frame_set)


def load_tables(
    corpus: str | Path | None = None,
    results: str | Path | None = None,
    codebook: Codebook | str | Path | None = None,
    frame_set: str = "generic_frames",
    *,
    frames_path: str | Path | None = None,
    stance: str | None = None,
    duplicates: str = "once_per_outlet",
    cache: bool = True,
) -> tuple[Tables, pd.DataFrame]:
    """The notebooks' one entry point: ``(tables, rejected)`` from a corpus or a finished pipeline run.

    Near-duplicate articles (wire copy, re-publications: :mod:`analysis.duplicates`)
    are counted by the ``duplicates`` policy: ``"once_per_outlet"`` (default),
    ``"once"`` or ``"all"``; the copies dropped (and every row of theirs) join
    ``rejected`` with their reason, and the clusters are in ``tables.duplicates``.
    The policy is applied to the tables as read, so one build (or run) serves
    every policy.

    With ``results`` (an ``out/`` folder of ``python -m analysis run``) every
    table is read from its Parquet parts, nothing is recomputed, and
    ``corpus`` is ignored; the run must have used the same codebook (checked
    by SHA-256) and, when ``stance`` is given, the same stance scorer, and
    scored ``frame_set``. Otherwise ``corpus`` (anything
    :func:`analysis.corpus.load_articles` reads; None: the project's data
    folder) goes through the stage graph once and the tables are kept under
    ``.cache/tables/`` (:mod:`analysis.table_cache`), keyed by a checksum of
    the corpus files, the codebook, lexicons and word lists, the stance model,
    the parameters and the package's code: the notebooks of a report build
    them once; ``cache=False`` computes them in memory every time. ``rejected``
    lists the inputs that could not be read.

    >>> tables, rejected = load_tables("results/run-2026-02", frame_set="story_frames")   # doctest: +SKIP
    >>> tables.quotes.groupby("outlet").size()                                             # doctest: +SKIP
    """
    from analysis import results as results_mod
    from analysis.stages import StageParams

    book = _codebook(codebook)
    if results is None:
        params = StageParams(codebook=book, frames_path=None if frames_path is None else str(frames_path), stance=stance)
        if not cache:
            from analysis.corpus import load_articles
            from analysis.stages import run_stages

            articles, rejected = load_articles(corpus, errors="collect")
            return _counted(run_stages(articles, params), rejected, book, frame_set, duplicates)
        from analysis.table_cache import cached_run

        results = cached_run(corpus, params)
    folder = Path(results).expanduser()
    results_mod.check_run_codebook(folder, book)
    run_stance = (results_mod.read_run_info(folder).get("parameters") or {}).get("stance")
    if stance is not None and run_stance and run_stance != stance:
        raise ValueError(f"{folder} was run with the stance scorer {run_stance!r}, not {stance!r}: "
                         f"ask for stance={run_stance!r} (STANCE in a notebook) or run it again with --stance {stance}")
    frames = results_mod.read_results(folder)
    return _counted(frames, frames.pop("rejected"), book, frame_set, duplicates)


def _counted(frames: dict[str, pd.DataFrame], rejected: pd.DataFrame, book: Codebook, frame_set: str,
             policy: str) -> tuple[Tables, pd.DataFrame]:
    """The tables with the near copies ``policy`` leaves out removed (every table), and those copies added to ``rejected``."""
    from analysis.duplicates import apply_duplicate_policy, find_near_duplicates

    clusters = find_near_duplicates(frames["articles"])
    kept, dropped = apply_duplicate_policy(frames["articles"], clusters, policy)
    if len(dropped):
        keep = set(kept["article_id"])
        frames = {name: frame[frame["article_id"].isin(keep)].reset_index(drop=True) for name, frame in frames.items()}
        rejected = pd.concat([rejected, dropped], ignore_index=True)
    tables = Tables.from_frames(frames, book, frame_set)
    tables.duplicates = clusters
    return tables, rejected
