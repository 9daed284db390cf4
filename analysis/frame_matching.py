"""Where a frame set's indicators match in many texts at once: the matching behind :mod:`analysis.frames`.

:func:`join_texts` joins the folded texts (:func:`analysis.frame_lexicon.fold_text`)
into one string; :func:`find_matches` gives, per frame, the text and span of
every indicator match in it, as if each text were scanned alone.

Speed
    All frames' terms of a set are found in one regex pass over all texts
    joined (a trie per frame, in one lookahead group each). A frame's patterns
    (one regex) are run only on the texts holding the literal strings every
    match needs (:mod:`analysis.pattern_literals`), or over all texts when no
    such strings can be derived or they are in most texts.

>>> from analysis.frame_lexicon import load_frames
>>> frames = tuple(load_frames()["generic_frames"].frames.values())[:1]
>>> joined = join_texts(["we fought.", "calm."])
>>> [(pos.tolist(), (spans - joined.starts[pos][:, None]).tolist()) for pos, spans in find_matches(frames, joined)]
[([0], [[3, 9]])]

Limits: spans are into the folded texts, which have the original texts'
lengths and offsets; a pattern that matches the separator itself (a bare
``\\n`` or ``\\x00``) gives spans outside any text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

import numpy as np

from analysis.frame_lexicon import BOUNDARY, Frame, asciify_boundaries, terms_regex
from analysis.pattern_literals import LiteralIndex

# Texts are joined with this separator and scanned in one pass per frame; it
# holds a newline (``.`` and ``\s+`` with a non-space stop there) and a NUL.
_JOIN = "\n\x00\n"

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


def _scan_patterns(frame: Frame, texts: JoinedTexts) -> np.ndarray:
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


def find_matches(frames: tuple[Frame, ...], texts: JoinedTexts) -> list[tuple[np.ndarray, np.ndarray]]:
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




@dataclass(frozen=True)
class JoinedTexts:
    """Folded texts joined for matching, shared by every frame set scored on them.

    ``big`` holds the texts, each preceded by the separator, text ``i`` at
    ``big[starts[i]:starts[i] + lengths[i]]``; ``term_text`` is ``big`` with
    :func:`asciify_boundaries` applied; ``literals`` which texts hold which
    literal strings (for the patterns' prefilter, filled as frames ask).
    """

    big: str
    term_text: str
    starts: np.ndarray
    lengths: np.ndarray
    literals: LiteralIndex


def join_texts(folded: list[str]) -> JoinedTexts:
    """Join folded texts (same length as the originals, offsets map back 1:1) with the separator."""
    n = len(folded)
    lengths = np.fromiter((len(t) for t in folded), dtype=np.int64, count=n)
    starts = np.cumsum(np.concatenate([[len(_JOIN)], lengths[:-1] + len(_JOIN)])).astype(np.int64) if n else np.zeros(0, np.int64)
    big = _JOIN + _JOIN.join(folded)
    return JoinedTexts(big, asciify_boundaries(big), starts, lengths, LiteralIndex(big, starts, lengths))
