"""Literal strings a regex's every match must contain, to skip texts that cannot match.

Python's ``re`` cannot use its fast literal search for a pattern that starts
with ``\\b`` (every frame pattern does), so it tries the pattern at every
position of the text. :func:`required_literals` reads the parsed pattern
(``re._parser``) and returns, per top-level alternative, the sets of literal
strings every match of that alternative contains one of; :class:`LiteralIndex`
finds the texts holding them, and only those need the regex
(:mod:`analysis.frame_matching`).

What counts as required: a run of literal characters in a sequence (a small
character class or alternation of literals, ``s?`` and exact repeats are
expanded into the strings they can match, up to :data:`MAX_STRINGS`); a group
or alternation gives the union of its alternatives' requirements; a repeat
with a minimum of at least one its body's. Zero-width assertions (``\\b``,
``^``, ``$``, lookbehinds) match the empty string; nothing is ever read inside
a lookaround.

Limits: ``None`` (no prefilter: scan every text) for a pattern that can
match without a literal (``\\d+%?`` ... ``\\w+``), for inline flags (``(?i)``,
``(?s:...)``), and for lookaheads, atomic groups, possessive repeats and
group references: with those, a match found in the joined texts can differ
from one found in the text alone, so only a full scan reproduces it. Patterns
must be compiled as :mod:`analysis.frame_lexicon` does (MULTILINE, no other
flag). ``re._parser`` is a private module; anything it returns that this
module does not know also gives ``None``.

>>> required_literals(r"\\bsino-\\w+")
((('sino-',),),)
>>> required_literals(r"\\bno\\s+(?:official\\s+)?(?:role|status)\\b")
((('role', 'status'), ('no',)),)
>>> required_literals(r"\\b\\w+ing\\b") is None
False
>>> required_literals(r"\\b\\d+\\b") is None
True
"""

from __future__ import annotations

import bisect
import re
from itertools import product

import numpy as np

from re import _constants as _c  # private: see the module's limits
from re import _parser as _p

MAX_STRINGS = 32
"""Most strings an expanded node or a required set may hold before it is cut (a longer list filters little)."""

Requirement = tuple[tuple[tuple[str, ...], ...], ...]
"""Per top-level alternative, its required sets (a text must hold one string of each), most selective first."""

_FLAGS = re.MULTILINE | re.UNICODE


class _Unsupported(Exception):
    """A construct after which a prefiltered scan might differ from the full one."""


class _Node:
    """What a regex node matches, as far as literals go: ``exact`` strings (all it can match) or ``required`` sets."""

    __slots__ = ("exact", "required")

    def __init__(self, exact: frozenset[str] | None = None, required: tuple[frozenset[str], ...] = ()):
        self.exact = exact
        self.required = required

    def sets(self) -> tuple[frozenset[str], ...]:
        """The required sets, an exact node counting as one (unless it can match the empty string)."""
        if self.exact is not None:
            return (self.exact,) if "" not in self.exact else ()
        return self.required


_EMPTY = frozenset({""})
_OPAQUE = _Node()


def _minimal(strings: frozenset[str]) -> frozenset[str]:
    """Drop every string that contains another one of the set (finding the shorter one suffices)."""
    ordered = sorted(strings, key=len)
    kept: list[str] = []
    for s in ordered:
        if not any(k in s for k in kept):
            kept.append(s)
    return frozenset(kept)


def _rank(strings: frozenset[str]) -> tuple[int, int, tuple[str, ...]]:
    """Sort key, most selective first: longest shortest string, then fewest strings."""
    return (-min(len(s) for s in strings), len(strings), tuple(sorted(strings)))


def _best(sets: tuple[frozenset[str], ...]) -> frozenset[str] | None:
    return min(sets, key=_rank) if sets else None


def _sequence(items: list) -> _Node:
    """A sequence: exact nodes next to each other are joined (cross product), the rest kept as requirements."""
    required: list[frozenset[str]] = []
    run = _EMPTY  # the strings the exact nodes since the last other node can match, joined
    opaque = False
    for op, av in items:
        node = _item(op, av)
        if node.exact is not None and len(run) * len(node.exact) <= MAX_STRINGS:
            run = frozenset(a + b for a, b in product(run, node.exact))
            continue
        if "" not in run:
            required.append(run)
        if node.exact is not None:
            run = node.exact
            continue
        required.extend(node.required)
        opaque, run = True, _EMPTY
    if not opaque and not required:
        return _Node(exact=run)
    if "" not in run:
        required.append(run)
    return _Node(required=tuple(required))


def _branch(alternatives: list) -> _Node:
    nodes = [_sequence(list(a)) for a in alternatives]
    if all(n.exact is not None for n in nodes):
        union = frozenset().union(*(n.exact for n in nodes))
        if len(union) <= MAX_STRINGS:
            return _Node(exact=union)
    chosen = [_best(n.sets()) for n in nodes]
    if any(c is None for c in chosen):
        return _OPAQUE
    union = frozenset().union(*chosen)
    return _Node(required=(union,)) if len(union) <= MAX_STRINGS else _OPAQUE


def _item(op, av) -> _Node:  # noqa: C901 - one case per opcode
    if op is _c.LITERAL:
        return _Node(exact=frozenset({chr(av)}))
    if op is _c.AT:
        if av in (_c.AT_BEGINNING_STRING, _c.AT_END_STRING):
            raise _Unsupported("\\A or \\Z")
        return _Node(exact=_EMPTY)
    if op is _c.IN:
        chars = [chr(v) for o, v in av if o is _c.LITERAL]
        if len(chars) == len(av) and len(chars) <= MAX_STRINGS:
            return _Node(exact=frozenset(chars))
        return _OPAQUE
    if op in (_c.NOT_LITERAL, _c.ANY):
        return _OPAQUE
    if op is _c.BRANCH:
        return _branch(av[1])
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, body = av
        if add_flags or del_flags:
            raise _Unsupported("inline flags")
        return _sequence(list(body))
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
        low, high, body = av
        inner = _sequence(list(body))
        n = len(inner.exact) if inner.exact is not None else 0
        if n and high <= MAX_STRINGS and sum(n**c for c in range(max(low, 1), high + 1)) <= MAX_STRINGS:
            strings = {""} if low == 0 else set()
            for count in range(max(low, 1), high + 1):
                strings.update("".join(p) for p in product(sorted(inner.exact), repeat=count))
            return _Node(exact=frozenset(strings))
        return _Node(required=inner.sets()) if low >= 1 else _OPAQUE
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        direction, _body = av
        if direction != -1:
            raise _Unsupported("lookahead")
        return _Node(exact=_EMPTY)  # a lookbehind consumes nothing; its body is not looked into
    raise _Unsupported(str(op))


def required_literals(pattern: str) -> Requirement | None:
    """Per top-level alternative of ``pattern``, the literal sets each match contains one string of; None if unknown.

    Each set is sorted, strings that contain a shorter one of the set dropped;
    each alternative's sets are ordered most selective first (longest
    shortest string, then fewest strings). ``None``: no prefilter possible (see
    the module's limits).

    >>> required_literals(r"(?:help|assist)(?:ed|s)?\\s+the\\b|coach(?:'s)?\\s+team\\b")
    ((('assist', 'help'), ('the',)), (('coach',), ('team',)))
    >>> required_literals(r"\\bhelp\\s+the|\\bteam")  # re factors the common \\b out: one alternative
    ((('help', 'team'),),)
    """
    try:
        parsed = _p.parse(pattern, re.MULTILINE)
        if parsed.state.flags & ~_FLAGS:
            return None
        items = list(parsed)
        alternatives = items[0][1][1] if len(items) == 1 and items[0][0] is _c.BRANCH else [items]
        out = []
        for alternative in alternatives:
            sets = _sequence(list(alternative)).sets()
            if not sets:
                return None
            ranked = sorted(dict.fromkeys(_minimal(s) for s in sets), key=_rank)
            out.append(tuple(tuple(sorted(s)) for s in ranked))
        return tuple(out)
    except (_Unsupported, re.error, TypeError, ValueError, IndexError, AttributeError):
        return None


# Relative costs, in the time str.find takes per character (measured on CPython 3.11, news text): a
# regex starting with \b tries every position (~30x), a text found costs a Python loop step (~800 characters'
# worth), a candidate text's own regex scan a call (~5000) plus its characters.
_REGEX_PER_CHAR = 30
_PER_TEXT_FOUND = 800
_PER_TEXT_SCANNED = 5000
_SAMPLE_CHARS = 1 << 16


class LiteralIndex:
    """Which texts of the joined texts hold which literal strings, looked up once per string.

    ``big`` holds the texts, text ``i`` at ``big[starts[i]:starts[i] + lengths[i]]``
    (separated by characters no literal spans). :meth:`candidates` gives the
    texts that can match a :data:`Requirement`. Searching is ``str.find``
    (about 1 ms per string per million characters, plus a little per text
    found), so for each alternative the required set cheapest to look up
    (strings not yet looked up, their frequency estimated on the first
    64k characters) is searched in the whole of ``big``; the other sets are
    checked only in the texts found.

    >>> index = LiteralIndex("\\n\\x00\\nno role\\n\\x00\\nno way", np.array([3, 13]), np.array([7, 6]))
    >>> sorted(index.texts_with("no")), sorted(index.texts_with("role"))
    ([0, 1], [0])
    >>> index.candidates(((("role",), ("no",)),)) is None  # two short texts: scanning them all is cheaper
    True
    """

    def __init__(self, big: str, starts: np.ndarray, lengths: np.ndarray):
        self.big = big
        self.starts = starts.tolist()
        self.ends = (starts + lengths).tolist()
        self._sample = big[:_SAMPLE_CHARS]
        self._found: dict[str, set[int]] = {}
        self._share: dict[str, float] = {}
        self._cut: dict[int, str] = {}

    def texts_with(self, literal: str) -> set[int]:
        """Positions of the texts containing ``literal`` (wholly inside the text)."""
        found = self._found.get(literal)
        if found is None:
            big, starts, ends, size = self.big, self.starts, self.ends, len(literal)
            found = set()
            i = big.find(literal)
            while i >= 0:
                p = bisect.bisect_right(starts, i) - 1
                if p >= 0 and i + size <= ends[p]:
                    found.add(p)
                    i = big.find(literal, ends[p])  # this text is found: go on from the next
                else:
                    i = big.find(literal, i + 1)
            self._found[literal] = found
        return found

    def _texts_share(self, strings: tuple[str, ...]) -> float:
        """Estimated share of the texts holding one of ``strings`` (exact once they were looked up)."""
        n = max(len(self.starts), 1)
        total = 0.0
        for s in strings:
            if s in self._found:
                total += len(self._found[s]) / n
                continue
            share = self._share.get(s)
            if share is None:
                texts_in_sample = max(bisect.bisect_right(self.starts, len(self._sample)), 1)
                share = self._share[s] = min(self._sample.count(s) / texts_in_sample, 1.0)
            total += share
        return min(total, 1.0)

    def _lookup_cost(self, strings: tuple[str, ...]) -> float:
        new = [s for s in strings if s not in self._found]
        return len(new) * len(self.big) + _PER_TEXT_FOUND * len(self.starts) * self._texts_share(tuple(new))

    def _texts(self, positions: set[int]) -> dict[int, str]:
        """The texts at ``positions``, sliced from ``big`` once each (kept for the next check)."""
        big, starts, ends, cut = self.big, self.starts, self.ends, self._cut
        for p in positions:
            if p not in cut:
                cut[p] = big[starts[p]:ends[p]]
        return cut

    def candidates(self, requirement: Requirement) -> np.ndarray | None:
        """Sorted positions of the texts holding, for some alternative, one string of each of its sets.

        None when looking the strings up would likely cost more than scanning
        every text with a regex that starts with ``\\b`` (common strings).
        """
        n, size = len(self.starts), len(self.big)
        firsts = [min(sets, key=self._lookup_cost) for sets in requirement]
        cost = sum(self._lookup_cost(first) for first in firsts)
        scanned = sum(min(self._texts_share(s) for s in sets) for sets in requirement) * n
        if cost + scanned * (_PER_TEXT_SCANNED + _REGEX_PER_CHAR * size / max(n, 1)) >= _REGEX_PER_CHAR * size:
            return None
        found: set[int] = set()
        for sets, first in zip(requirement, firsts):
            hits = set().union(*(self.texts_with(s) for s in first)) - found
            for strings in sorted(sets, key=self._texts_share):
                if not hits:
                    break
                if strings is first or self._texts_share(strings) > _CHECK_MAX_SHARE:
                    continue  # a string in nearly every text filters nothing
                if all(s in self._found for s in strings):
                    hits &= set().union(*(self._found[s] for s in strings))
                else:
                    texts = self._texts(hits)
                    hits = {p for p in hits if any(s in texts[p] for s in strings)}
            found |= hits
        return np.array(sorted(found), dtype=np.int64)


_CHECK_MAX_SHARE = 0.8
