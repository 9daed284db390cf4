"""The attribution passes: which statements a text holds and who made each.

For each unit (a sentence, or sentences one quotation runs across), in text
order, :func:`find_statements` runs three passes, then one over nested
quotations:

1. attribution after a quotation: ``“...,” he said`` / ``“...,” said the MP``;
2. each remaining cue: the quotation it introduces (``said: “...”``) or the
   clause it reports (``said he met ...``, mixed when the clause holds a
   quotation);
3. quotations with no cue: the continuation of the previous speaker, or an
   unattributed quotation;
4. quotations nested inside a direct quote with a cue of their own.

Each pass reads the :class:`~analysis.quotes.document.Document` and adds to
the :class:`~analysis.quotes.document.Ledger`; quotations already attributed
are tracked in an explicit ``taken`` set.

>>> from analysis.actors import load_codebook
>>> from analysis.quotes.document import read_document
>>> from analysis.quotes.rules import load_quote_rules
>>> doc = read_document("“We are ready,” Carney said. “And willing.”", load_codebook(), load_quote_rules())
>>> [(doc.text[r.start:r.end], r.speaker) for r in find_statements(doc)]
[('We are ready,', 'Mark Carney'), ('And willing.', 'Mark Carney')]
"""

from __future__ import annotations

import re

from analysis.quotes.clauses import introduces_quote, reported_clause
from analysis.quotes.cues import Cue
from analysis.quotes.document import Document, Ledger, Record
from analysis.quotes.marks import QuoteSpan
from analysis.quotes.speakers import clause_subject, coordinated_subject, resolve_speaker, speaker_after, speaker_before
from analysis.quotes.tokens import count_words, words_in

_AFTER_GAP = re.compile(r"\s*(?:[,—–-]\s*)?")
_APPOSITIVE_OPENERS = frozenset({"who", "whose", "which", "a", "an", "the", "now", "then", "also", "himself", "herself"})


def find_statements(doc: Document) -> list[Record]:
    """Every statement in ``doc``, in text order, one per content span."""
    ledger = Ledger()
    for u in range(len(doc.units)):
        _attribute_unit(doc, ledger, u)
    _attribute_nested(doc, ledger)
    seen, out = set(), []
    for r in sorted(ledger.records, key=lambda r: (r.start, -r.end)):
        if (r.start, r.end) not in seen and r.end > r.start:
            seen.add((r.start, r.end))
            out.append(r)
    return out


def _add(doc: Document, ledger: Ledger, start: int, end: int, kind: str, mention, cue, unit: int, para: int,
         inherit: Record | None = None) -> Record:
    if inherit is not None:
        speaker, actor = inherit.speaker, inherit.actor
    elif mention is not None:
        speaker, actor = resolve_speaker(doc, ledger, mention[0], mention[1], start)
    else:
        speaker, actor = None, None
    return ledger.add(Record(start, end, kind, speaker, actor, mention, cue, unit, para))


def _attribution_after(doc: Document, q: QuoteSpan, limit: int, cues: list[Cue]) -> tuple[Cue, tuple[int, int]] | None:
    """``“...,” he said`` / ``“...,” said the Ontario MP``: the cue and speaker right after a quote."""
    text = doc.text
    content = text[q.start : q.end]
    after = text[q.close : q.close + 1] if q.close is not None else ""
    if not content or not (content[-1] in ",.?!…—-" or after in ",—–"):
        return None
    gap = _AFTER_GAP.match(text, q.close, limit) if q.close is not None and q.close < limit else None
    if gap is None:  # the quotation closes at (or after) the end of its unit: nothing can follow it here
        return None
    p = gap.end()
    for cue in cues:
        if cue.kind != "verb" or cue.start < p or cue.start >= limit or cue.start - p > 120:
            continue
        if cue.start == p:
            np = speaker_after(doc, cue.end, limit)
            return (cue, np) if np else None
        gap = text[p : cue.start]
        if doc.rules.mark_re.search(gap):
            return None
        np = speaker_before(doc, p, cue.start)
        if np and np[0] == p:
            return cue, np
        comma = gap.find(",")
        if comma > 0 and gap.rstrip().endswith(","):  # "Jivani, who ..., said"
            np = speaker_before(doc, p, p + comma)
            if np and np[0] == p:
                return cue, np
        return None
    return None


def _cue_speaker(doc: Document, ledger: Ledger, cue: Cue, lo: int, unit: int) -> tuple[int, int] | None:
    """Span of the words the cue's speaker is named by."""
    if cue.kind == "according":
        return speaker_after(doc, cue.end, doc.units[unit][1])
    np = speaker_before(doc, lo, cue.head)
    if np is not None and cue.kind == "noun":  # keep the possessive: "Trump’s"
        np = (np[0], cue.head + 2)  # "’s" or "s’"
    gap = doc.text[lo : cue.head].rstrip()
    last = gap.rsplit(None, 1)[-1].lower() if gap.strip() else ""
    if np is None and cue.kind == "verb" and last in doc.rules.coordinators:
        return coordinated_subject(doc, lo, lo + len(gap) - len(last))
    if np is None and gap.endswith(","):
        if cue.verb.endswith("ing") and cue.kind == "verb":
            return clause_subject(doc, ledger, lo, cue.head, unit)
        # "Jivani, who represents Oshawa, said": the phrase before the appositive
        opening = gap.rfind(",", 0, len(gap) - 1)
        if opening > 0:
            aside = words_in(doc.text, lo + opening, lo + len(gap))
            # an appositive that opens like one (a relative pronoun, an article) may run longer
            limit = 25 if aside and aside[0][2].lower() in _APPOSITIVE_OPENERS else 12
            if len(aside) <= limit:
                return speaker_before(doc, lo, lo + opening)
    return np


def _is_participle(doc: Document, cue: Cue) -> bool:
    """", saying ...": a participle cue right after a comma, elaborating the clause before it."""
    return cue.verb in doc.rules.participles and doc.text[: cue.head].rstrip().endswith(",")


def _inner_attribution(doc: Document, q: QuoteSpan, lo: int, hi: int) -> tuple[Cue, tuple[int, int]] | None:
    """A cue and speaker inside ``text[lo:hi]`` that introduce the quote ``q`` (nested quotes)."""
    for cue in reversed(doc.cues.within(lo, q.open)):
        if cue.kind == "according" or not introduces_quote(doc, cue, cue.end, q.open):
            continue
        np = speaker_before(doc, lo, cue.head)
        if np:
            return cue, np
    return _attribution_after(doc, q, hi, doc.cues.within(q.stop, hi)) if q.close else None


def _attribute_unit(doc: Document, ledger: Ledger, u: int) -> None:
    u_start, u_end, para = doc.units[u]
    text = doc.text
    quotes = doc.quotes_opening(u_start, u_end)
    cues = [c for c in doc.cues.within(u_start, u_end) if not any(q.start <= c.start < q.end for q in quotes)]
    taken: set[int] = set()
    used: set[int] = set()
    claimed: list[tuple[int, int]] = []
    # 1. attribution after the quote
    for i, q in enumerate(quotes):
        if q.close is None:
            continue
        limit = quotes[i + 1].open if i + 1 < len(quotes) else u_end
        att = _attribution_after(doc, q, limit, cues)
        if att:
            cue, np = att
            taken.add(q.open)
            used.add(cue.start)
            _add(doc, ledger, q.start, q.end, "direct", np, (cue.start, cue.end), u, para)
    # 2. each remaining cue: a quotation it introduces, or the clause it reports
    pending: tuple[Cue, tuple[int, int]] | None = None  # a speech-act verb that took an object, not a clause
    for cue in cues:
        if cue.start in used or any(a <= cue.start < b for a, b in claimed):
            continue
        # "Carney dismissed the trip, saying ...": the writer's verb is "dismissed", "saying" only introduces
        framing = pending if pending is not None and _is_participle(doc, cue) else None
        np = framing[1] if framing is not None else _cue_speaker(doc, ledger, cue, u_start, u)
        if np is None:
            continue
        cue_span = (framing[0].start, framing[0].end) if framing is not None else (cue.start, cue.end)
        nxt = next((q for q in quotes if q.open >= cue.end and q.open not in taken), None)
        if cue.kind != "according" and nxt is not None and introduces_quote(doc, cue, cue.end, nxt.open):
            taken.add(nxt.open)
            used.add(cue.start)
            _add(doc, ledger, nxt.start, nxt.end, "direct", np, cue_span, u, para)
            pending = None
            continue
        span = None if cue.clause == "none" else reported_clause(doc, cue, np, u_start, u_end, quotes, taken)
        if span is None:
            pending = (cue, np) if cue.kind == "verb" else None
            continue
        pending = None
        c_start, c_end = span
        inner = [q for q in quotes if c_start <= q.open < c_end and q.open not in taken]
        taken.update(q.open for q in inner)
        used.add(cue.start)
        claimed.append((min(c_start, cue.start), c_end))
        _add(doc, ledger, c_start, c_end, "mixed" if inner else "indirect", np, cue_span, u, para)
        for q in inner:  # a quotation inside the clause with its own speaker ("Trump asked him ...: “...”")
            att = _inner_attribution(doc, q, c_start, c_end)
            if att and att[0].start != cue.start:
                _add(doc, ledger, q.start, q.end, "direct", att[1], (att[0].start, att[0].end), u, para)
    # 3. quotations with no cue: continuation of the previous speaker, or an unnamed speaker
    for q in quotes:
        if q.open in taken:
            continue
        prev = _previous_statement(doc, ledger, q.open, u, para)
        # “We are ready,” Jivani said, “and we will help.”: the second part follows its attribution
        tail = max([prev.end] + [p[1] for p in (prev.mention, prev.cue) if p]) if prev and prev.unit == u else None
        if tail is not None and tail <= q.open and _only_adjunct(doc, tail, q.open):
            taken.add(q.open)
            _add(doc, ledger, q.start, q.end, "direct", None, None, u, para, inherit=prev)
            continue
        intro = _colon_introduction(doc, u_start, q)
        if intro is not None:  # "The Clinton campaign worded it even more carefully: “...”"
            taken.add(q.open)
            _add(doc, ledger, q.start, q.end, "direct", intro[0], intro[1], u, para)
            continue
        if text[u_start : q.open].strip() or count_words(text, q.start, q.end) < 2:
            continue
        if prev is not None and (prev.speaker is not None or prev.mention is not None):
            taken.add(q.open)
            _add(doc, ledger, q.start, q.end, "direct", None, None, u, para, inherit=prev)
        elif q.stop >= u_end - 1 and count_words(text, q.start, q.end) >= 4:
            taken.add(q.open)
            _add(doc, ledger, q.start, q.end, "direct", None, None, u, para)


_CLAUSE_BREAK = re.compile(r"[.;!?”\"]\s")


def _colon_introduction(doc: Document, u_start: int, q: QuoteSpan) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """A quotation after "SUBJECT VERB-PHRASE:" with no listed cue: ``(speaker span, cue span)``.

    The subject is the clause's opening noun phrase (after a leading
    adverbial); the cue is the last comma-free stretch of the verb phrase
    before the colon ("worded it even more carefully"), at most eight words.
    """
    text, rules = doc.text, doc.rules
    colon = text.rfind(":", u_start, q.open)
    if colon < 0 or text[colon + 1 : q.open].strip():
        return None
    start = u_start
    for m in _CLAUSE_BREAK.finditer(text, u_start, colon):
        start = m.end()
    np = coordinated_subject(doc, start, colon)
    if np is None or text[np[0] : np[1]].lower() in ("it", "this", "that"):
        return None
    cue_lo = max(np[1], text.rfind(",", np[1], colon) + 1)
    words = words_in(text, cue_lo, colon)
    if not words or len(words) > 8 or not words[0][2][:1].islower() or words[0][2].lower() in rules.prepositions:
        return None
    return np, (words[0][0], words[-1][1])


def _only_adjunct(doc: Document, lo: int, hi: int) -> bool:
    """Is ``text[lo:hi]`` (after an attribution, before a quotation) punctuation or a short adjunct ending in a comma?

    “Word is,” Trump said **last month on Twitter,** “that Ford ...”: the
    second part continues the first.
    """
    gap = doc.text[lo:hi]
    if not gap.strip(" ,;:—–-\n"):
        return True
    return (gap.rstrip().endswith(",") and "\n" not in gap and count_words(doc.text, lo, hi) <= 10
            and not doc.cues.within(lo, hi) and not doc.rules.mark_re.search(gap))


def _previous_statement(doc: Document, ledger: Ledger, pos: int, unit: int, para: int) -> Record | None:
    """The statement ending last before ``pos`` in this or the previous paragraph.

    Statements of an earlier unit end inside it, so only this unit and the
    latest earlier unit holding any statement need looking at.
    """
    best = None
    for k in (unit, ledger.unit_before(unit)):
        if k is None or doc.units[k][2] < para - 1:
            continue
        for r in ledger.in_unit(k):
            if r.end <= pos and r.para >= para - 1 and (best is None or r.end > best.end):
                best = r
    return best


def _attribute_nested(doc: Document, ledger: Ledger) -> None:
    """Quotations nested inside direct quotes, attributed by a cue inside the outer quote."""
    outer_of = {(q.start, q.end): q for q in doc.quotes}
    for rec in [r for r in ledger.records if r.kind == "direct"]:
        outer = outer_of.get((rec.start, rec.end))
        if outer is None:
            continue
        for q in outer.inner:
            att = _inner_attribution(doc, q, outer.start, outer.end)
            if att:
                _add(doc, ledger, q.start, q.end, "direct", att[1], (att[0].start, att[0].end), rec.unit, rec.para)


def outer_statements(records: list[Record]) -> list[int | None]:
    """For each statement (in :func:`find_statements` order), the index of the innermost other one holding it.

    >>> r = lambda s, e: Record(s, e, "direct", None, None, None, None, 0, 0)
    >>> outer_statements([r(0, 50), r(10, 20), r(30, 40), r(60, 70)])
    [None, 0, 0, None]
    """
    outer: list[int | None] = []
    stack: list[int] = []
    for i, r in enumerate(records):
        while stack and records[stack[-1]].end < r.end:
            stack.pop()
        outer.append(stack[-1] if stack and records[stack[-1]].start <= r.start else None)
        stack.append(i)
    return outer
