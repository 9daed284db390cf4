"""Reporting cues: the words an attribution hangs on ("said", "has also said", "Trump’s comment", "according to").

:func:`scan_cues` finds every cue in a text once, in text order, from the
lists in ``data/quote_rules/cues.yaml``; :class:`CueIndex` answers "which cues
start in ``[lo, hi)``" by binary search.

>>> from analysis.quotes.rules import load_quote_rules
>>> text = "Carney has also said no. Trump’s comment that “...” stood. According to aides, it ended."
>>> [(c.kind, text[c.start:c.end]) for c in scan_cues(text, load_quote_rules())]
[('verb', 'has also said'), ('noun', 'comment'), ('according', 'According to')]

Limits: a verb matches only its listed forms, case-sensitively; a cue noun
needs a possessive right before it ("Trump’s remarks"), so "the remarks by
Trump" is no cue.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from analysis.quotes.rules import QuoteRules


@dataclass(frozen=True)
class Cue:
    """One cue: ``text[start:end]`` with its auxiliaries ("has said"), what it can introduce, and its head."""

    start: int
    end: int
    verb: str
    kind: str  # verb | noun | according
    clause: str = "none"  # bare | that | none (cues.yaml)
    object: bool = False  # takes an audience before its clause ("told reporters ...")
    head: int = 0  # where the speaker phrase must end (noun cues: before the possessive)


def scan_cues(text: str, rules: QuoteRules) -> list[Cue]:
    """Every cue in ``text``, in order of start."""
    cues = []
    for m in rules.verb_re.finditer(text):
        spec = rules.verbs[m.group()]
        start = m.start()
        for _ in range(2):  # "has said", "had also said"
            aux = _search_before(rules.aux_re, rules.aux_ends, text, start, False)
            if aux is None:
                break
            start = aux.start()
        adverb = _search_before(rules.adverb_re, rules.adverb_ends, text, start, True)  # "Carney however dismissed"
        head = adverb.start() if adverb else start
        cues.append(Cue(start, m.end(), m.group(), "verb", spec["clause"], spec["object"], head))
    for m in rules.noun_re.finditer(text):
        cues.append(Cue(m.start("noun"), m.end("noun"), m.group("noun"), "noun", "that", False, m.start()))
    for m in rules.according_re.finditer(text):
        cues.append(Cue(m.start(), m.start() + len(m.group().rstrip()), "according to", "according", "bare"))
    cues.sort(key=lambda c: c.start)
    return cues


def _search_before(regex, ends: tuple[str, ...], text: str, start: int, comma: bool):
    """``regex.search`` in the 30 characters before ``start``, for a regex ending in ``\\s+$``, or None.

    The search runs only where a match is possible: white space just before
    ``start``, and before that (one comma dropped if ``comma``) one of ``ends``
    (str.endswith is ~20x cheaper than the search, and most cues have none).
    """
    lo = max(0, start - 30)
    if start == lo or not text[start - 1].isspace():
        return None
    before = text[lo:start].rstrip()
    if comma and before.endswith(","):
        before = before[:-1]
    if not before.endswith(ends):
        return None
    return regex.search(text, lo, start)


class CueIndex:
    """The cues of one text, looked up by position."""

    def __init__(self, cues: list[Cue]):
        self.cues = cues
        self._starts = [c.start for c in cues]

    def within(self, lo: int, hi: int) -> list[Cue]:
        """Cues that start at or after ``lo`` and end by ``hi``."""
        a = bisect.bisect_left(self._starts, lo)
        b = bisect.bisect_left(self._starts, hi)
        return [c for c in self.cues[a:b] if c.end <= hi]
