"""Score texts for news frames with the frame lexicon (:mod:`analysis.frame_lexicon`), with the evidence.

Each text gets, per frame of a set, the number of indicator matches, hits per
100 words, the matched words and their offsets (:func:`score_frames`,
:data:`FRAME_SCORES_SCHEMA`); :func:`aggregate_frames` gives shares per group
(:data:`FRAME_SHARES_SCHEMA`), :func:`pivot_frames` a wide view. What the
indicators are and how they match is documented in :mod:`analysis.frame_lexicon`.

Speed
    Matching is :mod:`analysis.frame_matching`: all frames' terms of a set in
    one regex pass over all texts joined, a frame's patterns only on the
    texts holding the literals their matches need
    (:mod:`analysis.pattern_literals`). The table is built once for all sets
    (:mod:`analysis.frame_table`). All three sets on a 250-article batch
    (9,243 sentences, 250k rows): ~0.4 s CPU time, one core.

>>> import pandas as pd
>>> scored = score_frames(["The minister blasted the plan.", "Families are struggling."])
>>> scored.loc[scored.hits_n > 0, ["text_id", "frame", "hits_n", "matched_terms"]].values.tolist()
[[0, 'conflict', 1, 'blasted'], [1, 'human_interest', 2, 'Families; struggling']]

Limits: a lexicon counts words, it does not read. Negation ("we are not
fighting") still fires the frame its words belong to, unless a pattern or an
``exclude`` term handles it; irony, quotation of an opponent's words and
metaphor are not recognised. Scores are indicators for finding and comparing
passages, to be validated against a hand-coded sample, not measurements of
"the frame" of an article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.frame_lexicon import Frame, FrameSet, fold_text, resolve_lexicon, select_frames
from analysis.frame_matching import JoinedTexts, find_matches, join_texts
from analysis.frame_table import SetScores, build_table
from analysis.schemas import with_leading_columns
from analysis.stats import LOW_N

FRAME_SCORES_SCHEMA = pa.DataFrameSchema(
    {
        "text_id": pa.Column(None),
        "frame_set": pa.Column(str),
        "frame": pa.Column(str),
        "hits_n": pa.Column(int, pa.Check.ge(0)),
        "score": pa.Column(float, pa.Check.ge(0)),
        "matched_terms": pa.Column(str),
        "match_offsets": pa.Column(str),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="frame_scores",
)
"""One row per (text, frame); the caller's id columns come first.

``text_id`` is the input's index label (position for a plain list);
``hits_n`` the number of indicator matches; ``score`` = hits per 100 words
(0 for an empty text); ``matched_terms`` the matched strings as they appear in
the text, in order, joined by ``"; "``; ``match_offsets`` their
``start:end`` offsets into the text, same order (``text[start:end]``).
"""

FRAME_SHARES_SCHEMA = pa.DataFrameSchema(
    {
        "frame_set": pa.Column(str),
        "frame": pa.Column(str),
        "n": pa.Column(int, pa.Check.ge(0)),
        "texts_with_frame_n": pa.Column(int, pa.Check.ge(0)),
        "share": pa.Column(float, pa.Check.in_range(0, 1)),
        "hits_n": pa.Column(int, pa.Check.ge(0)),
        "low_n": pa.Column(bool),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="frame_shares",
)
"""One row per (group, frame); the ``by`` columns come first.

``n`` texts in the group, ``texts_with_frame_n`` of them with at least one
hit, ``share`` = texts_with_frame_n / n, ``hits_n`` total matches,
``low_n`` = n < :data:`LOW_N`.
"""

# Same word definition as analysis.corpus.count_words.
_WORD = re.compile(r"\w+(?:['’-]\w+)*")


# --------------------------------------------------------------------------- scoring


def _coerce_texts(
    texts: pd.DataFrame | pd.Series | Sequence[str], text_column: str, keep: Sequence[str] | None
) -> tuple[list[str], pd.Index, pd.DataFrame | None]:
    """Texts as strings ('' for missing), their ids, and the id columns to carry (or None)."""
    if isinstance(texts, pd.DataFrame):
        if text_column not in texts.columns:
            raise KeyError(f"expected a column {text_column!r} holding the texts; columns are {list(texts.columns)}")
        carry = [c for c in texts.columns if c != text_column] if keep is None else list(keep)
        missing = [c for c in carry if c not in texts.columns]
        if missing:
            raise KeyError(f"keep names columns not in the table: {missing}")
        clash = [c for c in carry if c in FRAME_SCORES_SCHEMA.columns]
        if clash:
            raise ValueError(f"id columns {clash} clash with output columns; rename them first")
        series = texts[text_column]
        ids_frame = texts[carry]
    elif isinstance(texts, pd.Series):
        series, ids_frame = texts, None
    elif isinstance(texts, str):
        raise TypeError("score_frames expects a sequence of texts; wrap a single text in a list")
    else:
        series, ids_frame = pd.Series(list(texts), dtype=object), None
    values = ["" if not isinstance(t, str) else t for t in series.tolist()]
    return values, series.index, ids_frame


def _collect_evidence(pos: np.ndarray, local: np.ndarray, values: list[str]) -> tuple[list[int], list[str], list[str]]:
    """The texts with matches, in order, and per text the matched strings and their ``start:end`` offsets, ``"; "``-joined."""
    if not len(pos):
        return [], [], []
    texts, begin, ends = pos.tolist(), local[:, 0].tolist(), local[:, 1].tolist()
    strings = [values[p][s:e] for p, s, e in zip(texts, begin, ends)]
    offsets = [f"{s}:{e}" for s, e in zip(begin, ends)]
    first = np.flatnonzero(np.concatenate([[True], pos[1:] != pos[:-1]]))  # each text's first match
    if len(first) == len(texts):  # one match per text
        return texts, strings, offsets
    bounds = list(zip(first.tolist(), [*first[1:].tolist(), len(texts)]))
    return (
        [texts[a] for a, _ in bounds],
        ["; ".join(strings[a:b]) for a, b in bounds],
        ["; ".join(offsets[a:b]) for a, b in bounds],
    )


def score_frames(
    texts: pd.DataFrame | pd.Series | Sequence[str],
    frame_set: str = "generic_frames",
    frames: Iterable[str] | None = None,
    *,
    lexicon: Mapping[str, FrameSet] | str | Path | None = None,
    text_column: str = "text",
    keep: Sequence[str] | None = None,
    validate: bool = True,
) -> pd.DataFrame:
    """Score each text for each frame of a set: one row per (text, frame), with the evidence.

    ``texts`` is a list of strings (``text_id`` = position), a Series
    (``text_id`` = its index) or a DataFrame with a ``text`` column
    (``text_id`` = its index; every other column, or only those named in
    ``keep``, is carried through in front, e.g. article_id, sentence_id,
    quote_id, speaker, outlet). ``frames`` limits the frames scored (in the
    order given); ``lexicon`` is a loaded lexicon or a path to one (default
    :data:`analysis.frame_lexicon.FRAMES_PATH`). Columns: see :data:`FRAME_SCORES_SCHEMA`;
    ``validate=False`` skips the schema check (for a caller checking its own table once).

    A *residual* frame (``residual: true`` in the YAML, e.g. the policy set's
    ``other``) gets ``hits_n`` 1 for a non-empty text in which no other frame
    of its set matched, whichever frames were asked for.

    >>> df = pd.DataFrame({"sentence_id": [7], "text": ["Critics slammed the deal."]})
    >>> score_frames(df, frames=["conflict"])[["sentence_id", "hits_n", "matched_terms", "match_offsets"]].values.tolist()
    [[7, 2, 'Critics; slammed', '0:7; 8:15']]

    Limits: missing texts score as empty; overlapping indicators of one frame
    count once (the leftmost, then longest, match wins); a word counted by two
    frames counts in both.
    """
    sets = resolve_lexicon(lexicon)
    chosen = select_frames(sets, frame_set, frames)
    prepared = _prepare(texts, text_column, keep)
    parts = [_score_set(sets, frame_set, chosen, prepared)]
    return build_table(parts, prepared.index, prepared.ids_frame, FRAME_SCORES_SCHEMA, validate)


def score_frame_sets(
    texts: pd.DataFrame | pd.Series | Sequence[str],
    frame_sets: Sequence[str],
    *,
    lexicon: Mapping[str, FrameSet] | str | Path | None = None,
    text_column: str = "text",
    keep: Sequence[str] | None = None,
    validate: bool = True,
    order_by: str | None = None,
) -> pd.DataFrame:
    """:func:`score_frames` for several frame sets, stacked in the order given (every frame of each).

    The texts are lower-cased, joined and their words counted once, for all
    sets; the rows equal ``pd.concat([score_frames(texts, s, ...) for s in
    frame_sets], ignore_index=True)``. ``order_by`` names a carried column to
    sort the rows by, stably, as ``.sort_values(order_by, kind="stable")
    .reset_index(drop=True)`` would (cheaper: the rows are put in that order
    before the table is built).

    >>> stacked = score_frame_sets(["They fought."], ["generic_frames", "policy_frames"])
    >>> stacked.groupby("frame_set", sort=False)["hits_n"].sum().to_dict()
    {'generic_frames': 1, 'policy_frames': 1}
    """
    if isinstance(frame_sets, str):
        raise TypeError("score_frame_sets expects a sequence of frame set names; for one set call score_frames")
    sets = resolve_lexicon(lexicon)
    chosen = [select_frames(sets, name, None) for name in frame_sets]
    if not chosen:
        raise ValueError("score_frame_sets needs at least one frame set")
    prepared = _prepare(texts, text_column, keep)
    if order_by is not None and (prepared.ids_frame is None or order_by not in prepared.ids_frame.columns):
        raise KeyError(f"order_by names {order_by!r}, which is not a carried column")
    parts = [_score_set(sets, name, frames, prepared) for name, frames in zip(frame_sets, chosen)]
    return build_table(parts, prepared.index, prepared.ids_frame, FRAME_SCORES_SCHEMA, validate, order_by)


@dataclass(frozen=True)
class _Prepared:
    """Texts made ready for matching, shared by every frame set scored on them.

    ``values`` the texts ('' for missing), ``index`` their ids, ``ids_frame``
    the columns carried (or None); ``joined`` the folded texts joined
    (:func:`analysis.frame_matching.join_texts`); ``words`` the word count of
    each original text.
    """

    values: list[str]
    index: pd.Index
    ids_frame: pd.DataFrame | None
    joined: JoinedTexts
    words: np.ndarray


def _prepare(texts: pd.DataFrame | pd.Series | Sequence[str], text_column: str, keep: Sequence[str] | None) -> _Prepared:
    values, index, ids_frame = _coerce_texts(texts, text_column, keep)
    words = np.fromiter((len(_WORD.findall(t)) for t in values), dtype=np.int64, count=len(values))
    return _Prepared(values, index, ids_frame, join_texts([fold_text(t) for t in values]), words)


def _score_set(sets: Mapping[str, FrameSet], frame_set: str, chosen: list[Frame], texts: _Prepared) -> SetScores:
    """The scores of :func:`score_frames` for the frames ``chosen`` of ``frame_set``."""
    values, starts, words = texts.values, texts.joined.starts, texts.words
    n = len(values)
    residual_wanted = any(f.residual for f in chosen)
    scan = [f for f in (sets[frame_set].frames.values() if residual_wanted else chosen) if not f.residual]
    scan = list(dict.fromkeys(scan))

    hits: dict[str, np.ndarray] = {}
    evidence: dict[str, tuple[list[int], list[str], list[str]]] = {}
    for frame, (pos, spans) in zip(scan, find_matches(tuple(scan), texts.joined)):
        hits[frame.name] = np.bincount(pos, minlength=n).astype(np.int64)
        evidence[frame.name] = _collect_evidence(pos, spans - starts[pos][:, None], values)
    if residual_wanted:
        none_fired = np.ones(n, dtype=bool) if not hits else ~np.any(np.vstack(list(hits.values())) > 0, axis=0)
        for frame in chosen:
            if frame.residual:
                hits[frame.name] = (none_fired & (words > 0)).astype(np.int64)
                evidence[frame.name] = ([], [], [])

    names = [f.name for f in chosen]
    hit_matrix = np.column_stack([hits[name] for name in names]) if names else np.zeros((n, 0), dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(words[:, None] > 0, hit_matrix * 100.0 / np.maximum(words, 1)[:, None], 0.0)
    return SetScores(frame_set, names, hit_matrix, score, [evidence[name] for name in names])


def pivot_frames(scored: pd.DataFrame, value: str = "score") -> pd.DataFrame:
    """Wide view of :func:`score_frames`: one row per text, one column per frame.

    ``value`` is ``score``, ``hits_n`` or ``matched_terms``. Columns are named by
    frame, or ``set.frame`` when several frame sets are stacked in ``scored``.

    >>> wide = pivot_frames(score_frames(["They attacked the plan."], frames=["conflict", "morality"]))
    >>> wide.columns.tolist(), wide["conflict"].round(1).tolist()
    (['text_id', 'conflict', 'morality'], [25.0])
    """
    if value not in ("score", "hits_n", "matched_terms", "match_offsets"):
        raise ValueError(f"value must be score, hits_n, matched_terms or match_offsets, got {value!r}")
    core = set(FRAME_SCORES_SCHEMA.columns)
    keys = [c for c in scored.columns if c not in core] + ["text_id"]
    several = scored["frame_set"].nunique() > 1
    column = scored["frame_set"] + "." + scored["frame"] if several else scored["frame"]
    order = list(dict.fromkeys(column))
    frame = scored[keys].assign(_column=column.to_numpy(), _value=scored[value].to_numpy())
    wide = frame.set_index(keys + ["_column"])["_value"].unstack("_column")
    wide = wide.reindex(columns=order).reset_index()
    wide.columns.name = None
    # unstack sorts rows by key; return them in input order
    first_seen = pd.Index(pd.MultiIndex.from_frame(scored[keys]).unique()) if len(keys) > 1 else pd.Index(scored[keys[0]].unique())
    current = pd.MultiIndex.from_frame(wide[keys]) if len(keys) > 1 else pd.Index(wide[keys[0]])
    return wide.iloc[current.get_indexer(first_seen)].reset_index(drop=True)


def aggregate_frames(scored: pd.DataFrame, by: Sequence[str] | str | None = None) -> pd.DataFrame:
    """Share of texts showing each frame, per group (e.g. speaker, camp, outlet).

    ``scored`` is a :func:`score_frames` table (or several concatenated); ``by``
    names its carried columns. Groups with a missing key are kept. Columns:
    ``by`` + :data:`FRAME_SHARES_SCHEMA`.

    >>> s = score_frames(pd.DataFrame({"outlet": ["A", "A", "B"], "text": ["They fought.", "Calm day.", "Calm."]}), frames=["conflict"])
    >>> aggregate_frames(s, by="outlet")[["outlet", "n", "texts_with_frame_n", "share", "low_n"]].values.tolist()
    [['A', 2, 1, 0.5, True], ['B', 1, 0, 0.0, True]]

    Limits: ``n`` counts rows, i.e. texts, per frame; a text scored twice (two
    tables concatenated) counts twice. Shares of a small group (``low_n``) are
    not worth comparing.
    """
    by = [by] if isinstance(by, str) else list(by or [])
    missing = [c for c in by + ["frame_set", "frame", "hits_n"] if c not in scored.columns]
    if missing:
        raise KeyError(f"scored table lacks columns {missing}; pass the output of score_frames with those id columns")
    keys = by + ["frame_set", "frame"]
    fired = scored["hits_n"].to_numpy() > 0
    grouped = scored.assign(_fired=fired).groupby(keys, sort=False, dropna=False)
    out = grouped.agg(n=("hits_n", "size"), texts_with_frame_n=("_fired", "sum"), hits_n=("hits_n", "sum")).reset_index()
    out["share"] = np.where(out["n"] > 0, out["texts_with_frame_n"] / out["n"].clip(lower=1), 0.0)
    out["low_n"] = out["n"] < LOW_N
    out = out[keys + ["n", "texts_with_frame_n", "share", "hits_n", "low_n"]]
    if by:
        out = out.sort_values(by, kind="stable", na_position="last").reset_index(drop=True)
    return with_leading_columns(FRAME_SHARES_SCHEMA, by).validate(out)

