"""Score texts for news frames with the frame lexicon (:mod:`analysis.frame_lexicon`), with the evidence.

Each text gets, per frame of a set, the number of indicator matches, hits per
100 words, the matched words and their offsets (:func:`score_frames`,
:data:`FRAME_SCORES_SCHEMA`); :func:`aggregate_frames` gives shares per group
(:data:`FRAME_SHARES_SCHEMA`), :func:`pivot_frames` a wide view. What the
indicators are and how they match is documented in :mod:`analysis.frame_lexicon`.

Speed
    All frames' terms of a set are found in one regex pass over all texts
    joined (a trie per frame, in one lookahead group each); patterns take one
    pass per frame. Measured ~25-30k sentences/s for ``story_frames`` and
    ~70k/s for ``generic_frames`` (CPU time, one core, 12-35-word sentences).

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
from functools import lru_cache
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.frame_lexicon import (
    BOUNDARY,
    Frame,
    FrameSet,
    asciify_boundaries,
    fold_text,
    resolve_lexicon,
    select_frames,
    terms_regex,
)
from analysis.pattern_literals import LiteralIndex
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
# Texts are joined with this separator and scanned in one pass per frame; it
# holds a newline (``.`` and ``\s+`` with a non-space stop there) and a NUL.
_JOIN = "\n\x00\n"


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


def _scan(regex: re.Pattern, big: str, starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(text position, global span) of every match of ``regex`` in the joined texts, in order.

    A match that runs over a separator is discarded and the texts it touched
    are rescanned one by one (``pos``/``endpos``), so results are as if each
    text were scanned alone.
    """
    spans = np.array([m.span() for m in regex.finditer(big)], dtype=np.int64).reshape(-1, 2)
    pos = np.searchsorted(starts, spans[:, 0], side="right") - 1
    crossing = spans[:, 1] > starts[pos] + lengths[pos]
    if crossing.any():
        ends_pos = np.searchsorted(starts, spans[crossing, 1], side="right") - 1
        redo = sorted({p for a, b in zip(pos[crossing].tolist(), ends_pos.tolist()) for p in range(a, b + 1)})
        keep = ~np.isin(pos, redo)
        extra = [
            (p, *m.span())
            for p in redo
            for m in regex.finditer(big, int(starts[p]), int(starts[p] + lengths[p]))
        ]
        pos = np.concatenate([pos[keep], np.array([e[0] for e in extra], dtype=np.int64)])
        spans = np.concatenate([spans[keep], np.array([e[1:] for e in extra], dtype=np.int64).reshape(-1, 2)])
        order = np.argsort(spans[:, 0], kind="stable")
        pos, spans = pos[order], spans[order]
    return pos, spans


# Scan only the texts holding a pattern's required literals unless more than this share of the texts do.
_PREFILTER_MAX_SHARE = 0.5


def _scan_patterns(frame: Frame, texts: _Prepared) -> np.ndarray:
    """Global spans of ``frame.pattern_regex``'s matches, in order, as :func:`_scan` finds them.

    With ``frame.pattern_literals`` only the texts holding the literals a match
    needs are scanned, each alone; for the patterns given literals (no
    lookahead, no atomic group) a match in a text alone is exactly a match
    :func:`_scan` keeps, and a text without the literals has none.
    """
    regex, big, starts, lengths = frame.pattern_regex, texts.big, texts.starts, texts.lengths
    if frame.pattern_literals is not None:
        chosen = texts.literals.candidates(frame.pattern_literals)
        if chosen is not None and len(chosen) <= _PREFILTER_MAX_SHARE * len(starts):
            firsts, ends = starts[chosen].tolist(), (starts + lengths)[chosen].tolist()
            spans = [m.span() for a, b in zip(firsts, ends) for m in regex.finditer(big, a, b)]
            return np.array(spans, dtype=np.int64).reshape(-1, 2)
    return _scan(regex, big, starts, lengths)[1]


def _overlapping(spans: np.ndarray, blockers: np.ndarray) -> np.ndarray:
    """Mask of ``spans`` (n x 2) overlapping any of ``blockers`` (m x 2, sorted by start, may overlap)."""
    mask = np.zeros(len(spans), dtype=bool)
    if not len(spans) or not len(blockers):
        return mask
    reach = np.maximum.accumulate(blockers[:, 1])  # furthest end among blockers starting so far
    last = np.searchsorted(blockers[:, 0], spans[:, 1], side="left") - 1  # last blocker starting before the end
    has = last >= 0
    mask[has] = reach[last[has]] > spans[has, 0]
    return mask


def _leftmost_longest(spans: np.ndarray) -> np.ndarray:
    """Mask keeping the matches ``finditer`` would return: left to right, none overlapping a kept one."""
    keep = np.ones(len(spans), dtype=bool)
    if len(spans) < 2 or np.all(spans[1:, 0] >= spans[:-1, 1]):
        return keep
    last_end = -1
    for i, (start, end) in enumerate(spans.tolist()):
        if start < last_end:
            keep[i] = False
        else:
            last_end = end
    return keep


@lru_cache(maxsize=64)
def _set_scanner(frames: tuple[Frame, ...]) -> tuple[re.Pattern | None, list[tuple[int, str]]]:
    """One regex that visits every word start where any frame's term (or exclude) starts.

    It consumes the non-word character before the word, then captures, in one
    optional lookahead group per frame (and per exclude list), the term that
    frame's own regex would match there. Returns the regex and, per group,
    ``(frame index, "terms" | "exclude")``.
    """
    slots: list[tuple[int, str]] = []
    tries: list[str] = []
    for i, frame in enumerate(frames):
        for kind, trie in (("terms", frame.term_trie), ("exclude", frame.exclude_trie)):
            if trie:
                slots.append((i, kind))
                tries.append(trie)
    if not tries:
        return None, slots
    union = terms_regex([t for f in frames for t in (*f.terms, *f.exclude)])
    groups = "".join(f"(?=({trie})?)" for trie in tries)
    return re.compile(f"{BOUNDARY}(?={union}){groups}"), slots


def _find_matches(frames: tuple[Frame, ...], texts: _Prepared) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per frame, (text position, global span) of its indicators in the joined texts (``texts.big``), in order.

    Terms come from one scan for all
    frames; patterns from one scan per frame. Pattern matches win over term
    matches they overlap; matches overlapping an exclude match are dropped.
    """
    empty = np.zeros((0, 2), dtype=np.int64)
    term_spans = [empty] * len(frames)
    exclude_spans = [empty] * len(frames)
    big, starts, lengths = texts.big, texts.starts, texts.lengths
    scanner, slots = _set_scanner(frames)
    if scanner is not None:
        flat = chain.from_iterable(chain.from_iterable(m.regs for m in scanner.finditer(texts.term_text)))
        regs = np.fromiter(flat, dtype=np.int64).reshape(-1, len(slots) + 1, 2)
        for g, (i, kind) in enumerate(slots, start=1):
            found = regs[:, g, :][regs[:, g, 0] >= 0]
            if kind == "terms":
                term_spans[i] = found[_leftmost_longest(found)]
            else:
                exclude_spans[i] = found
    out = []
    for i, frame in enumerate(frames):
        spans = term_spans[i]
        if frame.pattern_regex is not None:
            p_spans = _scan_patterns(frame, texts)
            if len(p_spans):
                spans = np.concatenate([spans[~_overlapping(spans, p_spans)], p_spans])
                spans = spans[np.argsort(spans[:, 0], kind="stable")]
        if len(spans) and len(exclude_spans[i]):
            spans = spans[~_overlapping(spans, exclude_spans[i])]
        pos = np.searchsorted(starts, spans[:, 0], side="right") - 1
        out.append((pos, spans))
    return out


def _collect_evidence(pos: np.ndarray, local: np.ndarray, values: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per text, the matched strings and their ``start:end`` offsets, each ``"; "``-joined."""
    n = len(values)
    matched = np.full(n, "", dtype=object)
    where = np.full(n, "", dtype=object)
    current, strings, offsets = -1, [], []
    for p, s, e in zip(pos.tolist(), local[:, 0].tolist(), local[:, 1].tolist()):
        if p != current:
            if strings:
                matched[current], where[current] = "; ".join(strings), "; ".join(offsets)
            current, strings, offsets = p, [], []
        strings.append(values[p][s:e])
        offsets.append(f"{s}:{e}")
    if strings:
        matched[current], where[current] = "; ".join(strings), "; ".join(offsets)
    return matched, where


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
    return _score_set(sets, frame_set, chosen, _prepare(texts, text_column, keep), validate)


def score_frame_sets(
    texts: pd.DataFrame | pd.Series | Sequence[str],
    frame_sets: Sequence[str],
    *,
    lexicon: Mapping[str, FrameSet] | str | Path | None = None,
    text_column: str = "text",
    keep: Sequence[str] | None = None,
    validate: bool = True,
) -> pd.DataFrame:
    """:func:`score_frames` for several frame sets, stacked in the order given (every frame of each).

    The texts are lower-cased, joined and their words counted once, for all
    sets; the rows equal ``pd.concat([score_frames(texts, s, ...) for s in
    frame_sets], ignore_index=True)``.

    >>> stacked = score_frame_sets(["They fought."], ["generic_frames", "policy_frames"])
    >>> stacked.groupby("frame_set", sort=False)["hits_n"].sum().to_dict()
    {'generic_frames': 1, 'policy_frames': 1}
    """
    if isinstance(frame_sets, str):
        raise TypeError("score_frame_sets expects a sequence of frame set names; for one set call score_frames")
    sets = resolve_lexicon(lexicon)
    chosen = [select_frames(sets, name, None) for name in frame_sets]
    prepared = _prepare(texts, text_column, keep)
    parts = [_score_set(sets, name, frames, prepared, validate) for name, frames in zip(frame_sets, chosen)]
    if not parts:
        raise ValueError("score_frame_sets needs at least one frame set")
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


@dataclass(frozen=True)
class _Prepared:
    """Texts made ready for matching, shared by every frame set scored on them.

    ``big`` holds the folded texts (:func:`fold_text`), each preceded by the
    separator, text ``i`` at ``big[starts[i]:starts[i] + lengths[i]]``;
    ``term_text`` is ``big`` with :func:`asciify_boundaries` applied; ``words``
    the word count of each original text; ``literals`` which texts hold which
    literal strings (for the patterns' prefilter, filled as frames ask).
    """

    values: list[str]
    index: pd.Index
    ids_frame: pd.DataFrame | None
    big: str
    term_text: str
    starts: np.ndarray
    lengths: np.ndarray
    words: np.ndarray
    literals: LiteralIndex


def _prepare(texts: pd.DataFrame | pd.Series | Sequence[str], text_column: str, keep: Sequence[str] | None) -> _Prepared:
    values, index, ids_frame = _coerce_texts(texts, text_column, keep)
    n = len(values)
    # One lower-cased string, each text preceded by the separator; offsets map back 1:1.
    normalized = [fold_text(t) for t in values]
    lengths = np.fromiter((len(t) for t in normalized), dtype=np.int64, count=n)
    starts = np.cumsum(np.concatenate([[len(_JOIN)], lengths[:-1] + len(_JOIN)])).astype(np.int64) if n else np.zeros(0, np.int64)
    big = _JOIN + _JOIN.join(normalized)
    words = np.fromiter((len(_WORD.findall(t)) for t in values), dtype=np.int64, count=n)
    literals = LiteralIndex(big, starts, lengths)
    return _Prepared(values, index, ids_frame, big, asciify_boundaries(big), starts, lengths, words, literals)


def _score_set(sets: Mapping[str, FrameSet], frame_set: str, chosen: list[Frame], texts: _Prepared, validate: bool) -> pd.DataFrame:
    """The rows of :func:`score_frames` for the frames ``chosen`` of ``frame_set``."""
    values, index, ids_frame, starts, words = texts.values, texts.index, texts.ids_frame, texts.starts, texts.words
    n = len(values)
    residual_wanted = any(f.residual for f in chosen)
    scan = [f for f in (sets[frame_set].frames.values() if residual_wanted else chosen) if not f.residual]
    scan = list(dict.fromkeys(scan))

    hits: dict[str, np.ndarray] = {}
    terms_out: dict[str, np.ndarray] = {}
    offsets_out: dict[str, np.ndarray] = {}
    for frame, (pos, spans) in zip(scan, _find_matches(tuple(scan), texts)):
        hits[frame.name] = np.bincount(pos, minlength=n).astype(np.int64)
        terms_out[frame.name], offsets_out[frame.name] = _collect_evidence(pos, spans - starts[pos][:, None], values)
    if residual_wanted:
        none_fired = np.ones(n, dtype=bool) if not hits else ~np.any(np.vstack(list(hits.values())) > 0, axis=0)
        for frame in chosen:
            if frame.residual:
                hits[frame.name] = (none_fired & (words > 0)).astype(np.int64)
                terms_out[frame.name] = offsets_out[frame.name] = np.full(n, "", dtype=object)

    k = len(chosen)
    names = [f.name for f in chosen]
    hit_matrix = np.column_stack([hits[name] for name in names]) if k else np.zeros((n, 0), dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(words[:, None] > 0, hit_matrix * 100.0 / np.maximum(words, 1)[:, None], 0.0)
    rep = np.repeat(np.arange(n), k)
    out = pd.DataFrame(
        {
            "text_id": index.take(rep),
            "frame_set": frame_set,
            "frame": np.tile(np.array(names, dtype=object), n),
            "hits_n": hit_matrix.ravel(),
            "score": score.ravel(),
            "matched_terms": np.column_stack([terms_out[name] for name in names]).ravel() if k else [],
            "match_offsets": np.column_stack([offsets_out[name] for name in names]).ravel() if k else [],
        }
    )
    schema = FRAME_SCORES_SCHEMA
    if ids_frame is not None and len(ids_frame.columns):
        ids = ids_frame.take(rep).reset_index(drop=True)
        out = pd.concat([ids, out], axis=1)
        schema = with_leading_columns(FRAME_SCORES_SCHEMA, list(ids.columns))
    return schema.validate(out) if validate else out


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

