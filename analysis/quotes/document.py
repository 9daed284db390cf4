"""One text read once for the quote finder: its units, quotations, actor mentions and cues.

:func:`read_document` does every scan a text needs up front and returns a
:class:`Document` that the later passes only read; what the passes decide
goes into a :class:`Ledger` of :class:`Record` (statements found so far),
passed along explicitly.

>>> from analysis.actors import load_codebook
>>> from analysis.quotes.rules import load_quote_rules
>>> doc = read_document("Carney spoke.\\n“We are ready,” he said.", load_codebook(), load_quote_rules())
>>> [doc.text[s:e] for s, e, _ in doc.units], [m.actor.name for m in doc.mentions]
(['Carney spoke.', '“We are ready,” he said.'], ['Mark Carney'])
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from analysis.actors import Actor, Codebook
from analysis.quotes.cues import CueIndex, scan_cues
from analysis.quotes.marks import QuoteSpan, find_quotes, join_units
from analysis.quotes.rules import QuoteRules
from analysis.text import split_sentences

_PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*")
_ASIDE = re.compile(r"\([^()\n]*\)|\[[^\[\]\n]*\]")


@dataclass(frozen=True)
class Mention:
    """A codebook actor named in the text, with what pronoun resolution needs to know about its place."""

    start: int
    end: int
    actor: Actor
    prep: bool  # in a prepositional phrase ("a letter to Carney", "between Carney and Trump")
    quoted: bool  # inside a quotation
    unit: int
    aside: bool = False  # inside parentheses or brackets: never the topic a later pronoun refers to


@dataclass
class Record:
    """One attributed statement: content span, kind, speaker and the words it hangs on."""

    start: int
    end: int
    kind: str
    speaker: str | None
    actor: Actor | None
    mention: tuple[int, int] | None
    cue: tuple[int, int] | None
    unit: int
    para: int


@dataclass
class Ledger:
    """Statements found so far, in the order found, also grouped by unit."""

    records: list[Record] = field(default_factory=list)
    by_unit: dict[int, list[Record]] = field(default_factory=dict)
    units_held: list[int] = field(default_factory=list)  # units with statements, ascending

    def add(self, record: Record) -> Record:
        self.records.append(record)
        held = self.by_unit.setdefault(record.unit, [])
        if not held:
            bisect.insort(self.units_held, record.unit)
        held.append(record)
        return record

    def in_unit(self, unit: int) -> list[Record]:
        return self.by_unit.get(unit, [])

    def unit_before(self, unit: int) -> int | None:
        """The latest unit before ``unit`` that holds a statement."""
        k = bisect.bisect_left(self.units_held, unit) - 1
        return self.units_held[k] if k >= 0 else None


@dataclass(frozen=True)
class Document:
    """A text with its units (sentences joined across quotations), quotations, mentions and cues."""

    text: str
    book: Codebook
    rules: QuoteRules
    units: list[tuple[int, int, int]]  # (start, end, paragraph)
    quotes: list[QuoteSpan]  # top-level quotations in text order
    mentions: list[Mention]  # in text order
    cues: CueIndex
    asides: list[tuple[int, int]] = field(repr=False)  # parenthesised spans, in text order
    aside_starts: list[int] = field(repr=False)
    unit_starts: list[int] = field(repr=False)
    quote_opens: list[int] = field(repr=False)
    mention_starts: list[int] = field(repr=False)
    mentions_by_unit: dict[int, list[Mention]] = field(repr=False)

    def unit_of(self, pos: int) -> int:
        """Index of the unit holding ``pos`` (the last unit starting at or before it)."""
        return max(0, bisect.bisect_right(self.unit_starts, pos) - 1)

    def quotes_opening(self, lo: int, hi: int) -> list[QuoteSpan]:
        """Quotations whose opening mark lies in ``[lo, hi)``."""
        return self.quotes[bisect.bisect_left(self.quote_opens, lo) : bisect.bisect_left(self.quote_opens, hi)]

    def in_aside(self, pos: int) -> bool:
        """Is ``pos`` inside parentheses or brackets ("(U.S. President Donald Trump has said ...)")?"""
        k = bisect.bisect_right(self.aside_starts, pos) - 1
        return k >= 0 and self.asides[k][0] <= pos < self.asides[k][1]

    def mentions_before(self, pos: int) -> list[Mention]:
        """Mentions starting before ``pos``."""
        return self.mentions[: bisect.bisect_left(self.mention_starts, pos)]


def read_document(text: str, book: Codebook, rules: QuoteRules, sentence_spans=None) -> Document:
    """Scan ``text`` once: paragraphs, quotations, units, actor mentions and cues.

    ``sentence_spans``: ``(start, end, paragraph_id)`` from
    :func:`analysis.text.sentences` when the caller has them (splitting is
    the costly part); otherwise each paragraph is split here with the same
    splitter.
    """
    by_para: dict[int, list[tuple[int, int]]] = {}
    for s, e, p in sentence_spans or ():
        by_para.setdefault(p, []).append((s, e))
    units: list[tuple[int, int, int]] = []
    quotes: list[QuoteSpan] = []
    for p_idx, m in enumerate(_PARAGRAPH.finditer(text)):
        p_start, p_end = m.start(), m.end()
        while p_start < p_end and text[p_start].isspace():
            p_start += 1
        found = find_quotes(text, p_start, p_end, p_idx, rules)
        quotes.extend(found)
        sents = by_para.get(p_idx) or [(p_start + s, p_start + e) for s, e in split_sentences(text[p_start:p_end])]
        units.extend((s, e, p_idx) for s, e in join_units(sents, found, p_start, p_end))
    unit_starts = [u[0] for u in units]
    asides = [(m.start(), m.end()) for m in _ASIDE.finditer(text)]
    mentions = _find_mentions(text, book, rules, quotes, unit_starts, asides)
    by_unit: dict[int, list[Mention]] = {}
    for mention in mentions:
        by_unit.setdefault(mention.unit, []).append(mention)
    return Document(
        text=text,
        book=book,
        rules=rules,
        units=units,
        quotes=quotes,
        mentions=mentions,
        cues=CueIndex(scan_cues(text, rules)),
        asides=asides,
        aside_starts=[a for a, _ in asides],
        unit_starts=unit_starts,
        quote_opens=[q.open for q in quotes],
        mention_starts=[m.start for m in mentions],
        mentions_by_unit=by_unit,
    )


def _find_mentions(text: str, book: Codebook, rules: QuoteRules, quotes: list[QuoteSpan], unit_starts: list[int],
                   asides: list[tuple[int, int]]) -> list[Mention]:
    out: list[Mention] = []
    q_starts = [q.start for q in quotes]
    a_starts = [a for a, _ in asides]
    for s, e, _, actor in book.mentions_in(text):
        prev = text[max(0, s - 20) : s].split()
        before = prev[-1].lower().strip(",") if prev else ""
        prep = before in rules.prepositions
        if not prep and before in ("and", "or") and out and out[-1].prep and s - out[-1].end < 8:
            prep = True  # "between Carney and Trump": the second name is in the same phrase
        k = bisect.bisect_right(q_starts, s) - 1
        quoted = k >= 0 and quotes[k].start <= s < quotes[k].end
        j = bisect.bisect_right(a_starts, s) - 1
        aside = j >= 0 and asides[j][0] <= s < asides[j][1]
        unit = max(0, bisect.bisect_right(unit_starts, s) - 1)
        out.append(Mention(s, e, actor, prep, quoted, unit, aside))
    return out
