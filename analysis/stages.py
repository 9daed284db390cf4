"""The stage graph: one batch of articles in, every row-level table out (:data:`analysis.tables.TABLES`).

Both the notebooks (:func:`analysis.tables.load_tables`) and batch runs
(:mod:`analysis.pipeline`) call :func:`run_stages`; nothing else chains the
per-article work. The stages, in order (:data:`STAGES`), each read tables made
before it and add its own:

============ ============================================ =======================
stage        reads                                        makes
============ ============================================ =======================
segmentation articles                                     paragraphs, sentences
quotes       articles, sentences                          quotes (speaker, cue class, position, nesting)
tone         quotes                                       quotes (+ polarity, subjectivity, compound)
mentions     articles, sentences, quotes                  mentions (names, and pronouns quotes aim at)
treatment    sentences, quotes, mentions                  treatment (stance scorer)
frames       sentences                                    frames (every frame set chosen)
============ ============================================ =======================

To add a stage, write ``_stage_<name>(tables, context) -> {table: frame}``,
list it in :data:`STAGES`, and give a new table a schema in
:mod:`analysis.tables`. :class:`StageParams` holds what the stages need
(picklable, sent with every batch); :func:`describe` records it, with the
checksum of every data file the stages read, in ``run.json`` and in the table
cache's key.

Every table comes out sorted by ``article_id`` (stably: rows within an article
keep the stage's order, by sentence, quote or offset), so the result does not
depend on the input's order or on how articles fall into batches.

The stance scorer (target-directed sentiment of each mention) is chosen by name
(:data:`STANCE_SCORERS`, ``stance=`` in :class:`StageParams`, ``--stance`` on
the command line); the default is ``"accurate"`` (the fine-tuned transformer:
NewsMTSC dev macro-F1 0.81 against 0.69, about 190 mentions/s per core);
``"fast"`` (the linear model, ~2,700 mentions/s) is there for corpora where
that cost matters.

>>> import pandas as pd
>>> from analysis.actors import parse_codebook
>>> book = parse_codebook({"actors": [{"name": "Ann Lee", "aliases": ["Lee"], "camp": "council", "pronouns": "she"}]})
>>> arts = pd.DataFrame({"article_id": ["a"], "outlet": ["X"], "text": ["“We will win,” Ann Lee said."]})
>>> tables = run_stages(arts, StageParams(codebook=book, frame_sets=("generic_frames",)))
>>> sorted(tables), tables["quotes"][["speaker", "quote"]].values.tolist()
(['articles', 'frames', 'mentions', 'paragraphs', 'quotes', 'sentences', 'treatment'], [['Ann Lee', 'We will win,']])
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.actors import DEFAULT_CODEBOOK, Codebook, load_codebook
from analysis.schemas import empty_table
from analysis.tables import (
    NARRATOR,
    QUOTE_SCORES_SCHEMA,
    SCHEMAS,
    TABLES,
    UNATTRIBUTED,
    UNKNOWN_OUTLET,
)

STANCE_SCORERS: dict[str, str] = {
    "fast": "analysis.sentiment:target_sentiments",
    "accurate": "analysis.stance:score_stance",
}
"""Stance scorers by name, as ``module:function``: ``function(frame) -> frame`` where ``frame`` has
``sentence``, ``start``, ``end`` (the mention's offsets in the sentence) and the result, on the same
index, ``polarity`` in [-1, 1] and ``label`` (negative / neutral / positive). Imported on first use.
``fast`` is the NewsMTSC-trained linear model of :mod:`analysis.sentiment`; ``accurate`` the fine-tuned
transformer of :mod:`analysis.stance` (ONNX, ``models/stance/``, its probabilities blended with the linear
model's by ``fast_weight``: higher macro-F1, slower per mention)."""
STANCE_DATA: dict[str, tuple[str, ...]] = {
    "fast": ("data/benchmarks/newsmtsc/train.jsonl",),
    "accurate": ("models/stance", "data/benchmarks/newsmtsc/train.jsonl"),  # the encoder, and the linear model it is blended with
}
"""Files or folders each stance scorer's model comes from (``models/...`` beside the code, see
:data:`analysis.paths.MODELS_DIR`; anything else relative to the project root): their SHA-256 goes
into ``run.json`` and the table cache's key, so a retrained model makes new tables. To add a scorer, add its
``module:function`` to :data:`STANCE_SCORERS` and its files here; ``stance="<name>"`` then works in
:func:`run_stages`, ``load_tables``, ``pipeline.run`` and ``--stance``."""
DEFAULT_STANCE = "accurate"

_QUOTE_TONE = ["polarity", "subjectivity", "compound"]


class StageError(ValueError):
    """Parameters the stages cannot run with (unknown frame set or stance scorer)."""


@dataclass(frozen=True)
class StageParams:
    """What the stages need besides the articles; picklable, sent with every batch.

    ``codebook``: a YAML path, a loaded :class:`~analysis.actors.Codebook` or
    None (``data/actors.yaml``); ``frame_sets``: names in the frame lexicon
    ``frames_path`` (default ``data/frames.yaml``), None for every set;
    ``stance``: a key of :data:`STANCE_SCORERS` (None: :data:`DEFAULT_STANCE`).
    """

    codebook: object = None
    frame_sets: tuple[str, ...] | None = None
    frames_path: str | None = None
    stance: str | None = None

    @property
    def stance_name(self) -> str:
        return self.stance or DEFAULT_STANCE


@dataclass(frozen=True)
class _Context:
    codebook: Codebook
    cues: object
    lexicon: dict
    frame_sets: tuple[str, ...]
    stance: Callable[[pd.DataFrame], pd.DataFrame]


def _context(params: StageParams) -> _Context:
    from analysis.cues import load_cues
    from analysis.frame_lexicon import load_frames

    book = params.codebook if isinstance(params.codebook, Codebook) else load_codebook(params.codebook)
    lexicon = load_frames(params.frames_path)
    return _Context(book, load_cues(), lexicon, frame_sets(params, lexicon), stance_scorer(params.stance_name))


def frame_sets(params: StageParams, lexicon: dict | None = None) -> tuple[str, ...]:
    """The frame sets the stages score for ``params`` (all of the lexicon's when none are named)."""
    if lexicon is None:  # the names will do: compiling the sets' regexes is the stages' job
        from analysis.frame_lexicon import frame_set_names

        lexicon = dict.fromkeys(frame_set_names(params.frames_path))
    if params.frame_sets is None or tuple(params.frame_sets) == ("all",):
        return tuple(lexicon)
    unknown = [s for s in params.frame_sets if s not in lexicon]
    if unknown:
        raise StageError(f"unknown frame set(s) {unknown}; the lexicon has {', '.join(lexicon)}")
    return tuple(params.frame_sets)


@lru_cache(maxsize=8)
def stance_scorer(name: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """The stance scorer called ``name`` in :data:`STANCE_SCORERS`, imported now."""
    if name not in STANCE_SCORERS:
        raise StageError(f"unknown stance scorer {name!r}; choose one of {', '.join(STANCE_SCORERS)}")
    module, _, function = STANCE_SCORERS[name].partition(":")
    return getattr(importlib.import_module(module), function)


def _codebook_file(params: StageParams) -> Path | None:
    """The codebook's file (None for one built in code)."""
    book = params.codebook
    if isinstance(book, Codebook):
        return Path(book.source) if book.source and Path(book.source).is_file() else None
    return Path(book or DEFAULT_CODEBOOK)


def data_files(params: StageParams) -> list[Path]:
    """Every data file the stages read besides the articles: codebook, lexicons, quote rules, stance training data."""
    from analysis.cues import CUES_PATH
    from analysis.frame_lexicon import FRAMES_PATH
    from analysis.paths import MODELS_DIR, PROJECT_ROOT
    from analysis.quotes import RULES_DIR

    from analysis.words import WORDS_PATH

    files = [Path(params.frames_path or FRAMES_PATH), CUES_PATH, RULES_DIR, WORDS_PATH]
    codebook = _codebook_file(params)
    if codebook is not None:
        files.insert(0, codebook)
    files += [(MODELS_DIR.parent if path.startswith("models/") else PROJECT_ROOT) / path
              for path in STANCE_DATA.get(params.stance_name, ())]
    return files


def describe(params: StageParams) -> dict:
    """The parameters as recorded in ``run.json`` and keyed in the table cache, with the data files' SHA-256.

    A codebook built in code (no file) is identified by the SHA-256 of its
    actors and camps instead. Raises :class:`StageError` on an unknown frame
    set or stance scorer.
    """
    import hashlib

    from analysis.datafiles import files_sha256

    sets = frame_sets(params)
    stance_scorer(params.stance_name)
    files = files_sha256(data_files(params))
    codebook = _codebook_file(params)
    if codebook is not None:
        book_sha = files[str(codebook)]
    else:
        book = params.codebook
        book_sha = hashlib.sha256(repr((book.actors, book.camps, sorted(book.camp_colors.items()))).encode()).hexdigest()
    return {
        "codebook": None if codebook is None else str(codebook.resolve()),
        "codebook_sha256": book_sha,
        "frame_sets": list(sets),
        "stance": params.stance_name,
        "data_sha256": files,
    }


# --------------------------------------------------------------------------- stages


def _stage_segmentation(t: dict[str, pd.DataFrame], ctx: _Context) -> dict[str, pd.DataFrame]:
    from analysis.text import paragraphs, sentences

    texts = t["articles"][["article_id", "text"]]
    paras = paragraphs(texts, validate=False)
    sents = sentences(texts, paras, validate=False)
    outlet_of = dict(zip(t["articles"]["article_id"], t["articles"]["outlet"]))
    return {"paragraphs": paras, "sentences": sents.assign(outlet=sents["article_id"].map(outlet_of).astype(object))}


def _stage_quotes(t: dict[str, pd.DataFrame], ctx: _Context) -> dict[str, pd.DataFrame]:
    from analysis.cues import label_cues
    from analysis.quotes import extract_corpus_attributions

    arts = t["articles"]
    raw, pronouns = extract_corpus_attributions(
        arts[["article_id", "outlet", "text"]], ctx.codebook, progress=False, sentences_df=t["sentences"], validate=False
    )
    if raw.empty:
        return {"quotes": empty_table(QUOTE_SCORES_SCHEMA).drop(columns=_QUOTE_TONE), "quoted_pronouns": pronouns}
    raw = raw.assign(outlet=raw["outlet"].fillna(UNKNOWN_OUTLET))
    nested = raw[raw["outer_quote_id"].notna()].groupby(["article_id", "outer_quote_id"])["word_count"].sum()
    inner_words = pd.Series(list(zip(raw["article_id"], raw["quote_id"]))).map(
        {(a, int(q)): int(n) for (a, q), n in nested.items()}).fillna(0).astype(int).to_numpy()
    raw["own_word_count"] = (raw["word_count"].to_numpy() - inner_words).clip(min=0)
    lengths = raw["article_id"].map(dict(zip(arts["article_id"], arts["text"].str.len().clip(lower=1))))
    raw["position"] = (raw["start"] / lengths).clip(0, 1)
    raw["order"] = raw.sort_values(["article_id", "start"]).groupby("article_id").cumcount()
    raw = label_cues(raw, ctx.cues)
    quotes = raw[[c for c in QUOTE_SCORES_SCHEMA.columns if c not in _QUOTE_TONE]].reset_index(drop=True)
    return {"quotes": quotes, "quoted_pronouns": pronouns}


def _stage_tone(t: dict[str, pd.DataFrame], ctx: _Context) -> dict[str, pd.DataFrame]:
    from analysis.sentiment import score_texts

    quotes = t["quotes"]
    if quotes.empty:
        return {"quotes": empty_table(QUOTE_SCORES_SCHEMA)}
    tone = score_texts(quotes["quote"].tolist(), validate=False)[_QUOTE_TONE]
    return {"quotes": pd.concat([quotes.reset_index(drop=True), tone], axis=1)[list(QUOTE_SCORES_SCHEMA.columns)]}


def _stage_mentions(t: dict[str, pd.DataFrame], ctx: _Context) -> dict[str, pd.DataFrame]:
    sents, quotes = t["sentences"], t["quotes"]
    sentence_rows = _rows_by_article(sents["article_id"])
    s_start, s_id, s_para = (sents[c].to_numpy() for c in ("start", "sentence_id", "paragraph_id"))
    quote_rows = _rows_by_article(quotes["article_id"])
    q_start, q_end, q_id = (quotes[c].to_numpy() for c in ("start", "end", "quote_id"))
    q_sp_start, q_sp_end = quotes["speaker_start"].to_numpy(dtype=object), quotes["speaker_end"].to_numpy(dtype=object)
    pronouns = t.get("quoted_pronouns")
    if pronouns is None or pronouns.empty:
        pronoun_rows, pronoun_columns = {}, ()
    else:
        pronoun_rows = _rows_by_article(pronouns["article_id"])
        pronoun_columns = tuple(pronouns[c].to_numpy(dtype=object) for c in ("start", "end", "mention", "actor"))
    rows = []
    for article_id, outlet, text in zip(*(t["articles"][c].tolist() for c in ("article_id", "outlet", "text"))):
        found = [(s, e, m, a, False) for s, e, m, a in ctx.codebook.mentions_in(text)]
        if article_id in pronoun_rows:
            p_rows = pronoun_rows[article_id]
            found += [(s, e, m, ctx.codebook.actor(a), True) for s, e, m, a in zip(*(c[p_rows].tolist() for c in pronoun_columns))]
            found.sort(key=lambda f: (f[0], f[1]))
        if not found:
            continue
        f_start = np.array([f[0] for f in found], dtype=np.int64)
        f_end = np.array([f[1] for f in found], dtype=np.int64)
        s_rows = sentence_rows.get(article_id)
        if s_rows is not None:
            k = np.maximum(np.searchsorted(s_start[s_rows], f_start, side="right") - 1, 0)
            sentence_ids, paragraph_ids = s_id[s_rows[k]].tolist(), s_para[s_rows[k]].tolist()
        else:
            sentence_ids = paragraph_ids = [0] * len(found)
        quote_ids, is_speaker = _quote_of_mentions(quote_rows.get(article_id), f_start, f_end, (q_start, q_end, q_id, q_sp_start, q_sp_end))
        rows += [(article_id, outlet, paragraph_id, sentence_id, start, end, mention, actor.name, actor.camp, quote_id, speaker, is_pronoun)
                 for (start, end, mention, actor, is_pronoun), sentence_id, paragraph_id, quote_id, speaker
                 in zip(found, sentence_ids, paragraph_ids, quote_ids, is_speaker)]
    schema = SCHEMAS["mentions"]
    frame = pd.DataFrame(rows, columns=list(schema.columns))
    frame["quote_id"] = frame["quote_id"].astype("Int64")
    frame = frame.astype({"article_id": str, "outlet": str, "mention": str, "actor": str, "camp": str,
                          "is_speaker_mention": bool, "is_pronoun": bool})
    return {"mentions": frame}


def _quote_of_mentions(q_rows: np.ndarray | None, f_start: np.ndarray, f_end: np.ndarray, columns: tuple) -> tuple[list, list]:
    """Per mention of one article: the innermost quote holding it (None if none), and whether it overlaps a quote's speaker.

    The innermost is the shortest quote span holding the mention, the lower ``quote_id`` on a tie,
    as :func:`analysis.treatment.actor_sentiment` picks its speaker.
    """
    n = len(f_start)
    if q_rows is None or not len(q_rows):
        return [None] * n, [False] * n
    q_start, q_end, q_id, sp_start, sp_end = columns
    qs, qe, qid = q_start[q_rows].astype(np.int64), q_end[q_rows].astype(np.int64), q_id[q_rows].astype(np.int64)
    order = np.lexsort((qid, qe - qs))  # by length, then id: the first quote holding a mention is the innermost
    inside = (qs[order][None, :] <= f_start[:, None]) & (f_end[:, None] <= qe[order][None, :])
    first = inside.argmax(axis=1)
    quote_ids = [int(q) if has else None for q, has in zip(qid[order][first].tolist(), inside.any(axis=1).tolist())]
    spans = [(int(a), int(b)) for a, b in zip(sp_start[q_rows], sp_end[q_rows]) if pd.notna(a) and pd.notna(b)]
    if not spans:
        return quote_ids, [False] * n
    a, b = np.array(spans, dtype=np.int64).T
    is_speaker = ((a[None, :] < f_end[:, None]) & (f_start[:, None] < b[None, :])).any(axis=1).tolist()
    return quote_ids, is_speaker


def _rows_by_article(article_ids: pd.Series) -> dict[str, np.ndarray]:
    """Row positions of each article's rows, in table order."""
    return {a: np.asarray(rows) for a, rows in article_ids.groupby(article_ids, sort=False).indices.items()}


def _stage_treatment(t: dict[str, pd.DataFrame], ctx: _Context) -> dict[str, pd.DataFrame]:
    """:func:`analysis.treatment.actor_sentiment` of every mention but attributions, with who voices it."""
    from analysis.treatment import NARRATOR as SOURCE_NARRATOR
    from analysis.treatment import actor_sentiment

    schema = SCHEMAS["treatment"]
    mentions = t["mentions"]
    about = mentions[~mentions["is_speaker_mention"]]
    if about.empty:
        return {"treatment": empty_table(schema)}
    key = ["article_id", "start", "end", "actor"]
    quotes = t["quotes"][["article_id", "start", "end", "speaker", "camp"]]
    scored = actor_sentiment(t["sentences"], about, quotes, scorer=ctx.stance, validate=False).rename(columns={"target": "actor"})
    frame = about.drop(columns=["sentence_id", "mention"]).merge(
        scored[key + ["mention", "sentence_id", "source", "source_camp", "sentence", "polarity", "label"]], on=key, how="inner")
    narrator = frame["source"] == SOURCE_NARRATOR
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
        return {"treatment": empty_table(schema)}
    frame = frame.sort_values(["article_id", "start", "end"], kind="stable").reset_index(drop=True)
    return {"treatment": frame[list(schema.columns)]}


def _stage_frames(t: dict[str, pd.DataFrame], ctx: _Context) -> dict[str, pd.DataFrame]:
    from analysis.frames import score_frame_sets

    schema = SCHEMAS["frames"]
    texts = t["sentences"][["article_id", "sentence_id", "text"]].reset_index(drop=True)
    frames = score_frame_sets(
        texts, ctx.frame_sets, lexicon=ctx.lexicon, keep=["article_id", "sentence_id"], validate=False, order_by="article_id"
    )  # in article order already, so sort_table leaves it as it is
    return {"frames": frames[list(schema.columns)]}


STAGES: tuple[tuple[str, Callable[[dict, _Context], dict]], ...] = (
    ("segmentation", _stage_segmentation),
    ("quotes", _stage_quotes),
    ("tone", _stage_tone),
    ("mentions", _stage_mentions),
    ("treatment", _stage_treatment),
    ("frames", _stage_frames),
)
"""``(name, function)`` in run order; :func:`run_stages` times each by name."""


# --------------------------------------------------------------------------- running


def prepare_articles(articles: pd.DataFrame) -> pd.DataFrame:
    """The articles table the stages read: ``article_id`` as text, ``outlet`` filled (:data:`UNKNOWN_OUTLET`), a ``title`` column.

    Needs ``article_id`` and ``text``; every other column is kept.
    """
    missing = {"article_id", "text"} - set(articles.columns)
    if missing:
        raise KeyError(f"expected an articles table with article_id and text; missing {sorted(missing)}")
    arts = articles.copy()
    arts["article_id"] = arts["article_id"].astype(str)
    if "outlet" in arts:
        arts["outlet"] = arts["outlet"].astype(object).where(arts["outlet"].notna(), UNKNOWN_OUTLET).astype(str)
    else:
        arts["outlet"] = UNKNOWN_OUTLET
    if "title" not in arts:
        arts["title"] = None
    return arts


def run_stages(
    articles: pd.DataFrame,
    params: StageParams | None = None,
    *,
    timings: dict[str, float] | None = None,
    validate: bool = True,
) -> dict[str, pd.DataFrame]:
    """Every row-level table of ``articles`` (:data:`analysis.tables.TABLES`), computed in memory.

    ``timings`` (a dict) gets each stage's seconds added under its name.
    ``validate=False`` skips the schema checks (a batch run checks the tables
    of a whole batch once). Raises on an article that cannot be processed; a
    batch run rejects that article instead.
    """
    params = params or StageParams()
    ctx = _context(params)
    tables = {"articles": prepare_articles(articles)}
    for name, stage in STAGES:
        began = time.perf_counter()
        try:
            tables.update(stage(tables, ctx))
        finally:
            if timings is not None:
                timings[name] = timings.get(name, 0.0) + time.perf_counter() - began
    out = {name: sort_table(tables[name]) for name in TABLES}
    return validate_tables(out) if validate else out


def sort_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by ``article_id``, stably (each article's rows keep their order).

    A table already in that order is only re-indexed (what the stable sort
    would give, without its cost).
    """
    if _in_order(frame["article_id"]):
        return frame.reset_index(drop=True)
    return frame.sort_values("article_id", kind="stable").reset_index(drop=True)


def _in_order(key: pd.Series) -> bool:
    """Whether ``key`` has no missing value and never decreases (Arrow strings compared by Arrow, in C)."""
    if key.hasnans:
        return False
    if isinstance(key.dtype, pd.StringDtype) and key.dtype.storage == "pyarrow" and len(key) > 1:
        import pyarrow as pa
        import pyarrow.compute as pc

        values = pa.array(key.array)  # zero-copy (the array's __arrow_array__); UTF-8 byte order is code point order, as sort_values sorts
        return bool(pc.all(pc.less_equal(values[:-1], values[1:])).as_py())
    return bool(key.is_monotonic_increasing)


def validate_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Each table checked (and its dtypes coerced) against its schema in :data:`analysis.tables.SCHEMAS`, once."""
    return {name: SCHEMAS[name].validate(frame) if name in SCHEMAS else frame for name, frame in tables.items()}
