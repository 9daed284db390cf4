"""Reported clauses: where the content after (or before) a cue starts and ends.

"Carney said **he meant it**", "Jivani told reporters **he was snubbed**",
"Jivani said on Feb. 3 that **it is not a partisan issue**", "**The talks
failed**, he said", "according to Bessent, **Carney walked back his
comments**". :func:`reported_clause` returns the clause span for one cue;
:func:`introduces_quote` says whether the words between a cue and a
quotation only introduce it ("said:", "told reporters that").

>>> from analysis.actors import load_codebook
>>> from analysis.quotes.cues import scan_cues
>>> from analysis.quotes.document import read_document
>>> from analysis.quotes.rules import load_quote_rules
>>> doc = read_document("Joly told reporters she was skeptical.", load_codebook(), load_quote_rules())
>>> cue = scan_cues(doc.text, doc.rules)[0]
>>> s, e = reported_clause(doc, cue, (0, 4), 0, len(doc.text), [], set())
>>> doc.text[s:e]
'she was skeptical'

Limits: a clause runs to the end of its unit, to ", saying ..." (a new
statement by the same speaker) or to a quotation attributed by its own cue;
it is found from word lists, not a parse.
"""

from __future__ import annotations

import re

from analysis.quotes.cues import Cue
from analysis.quotes.document import Document
from analysis.quotes.marks import QuoteSpan
from analysis.quotes.tokens import count_words, is_capitalised, words_in

_TRIM = ".,;:—–-"


def reported_clause(doc: Document, cue: Cue, np: tuple[int, int], u_start: int, u_end: int,
                    quotes: list[QuoteSpan], taken: set[int]) -> tuple[int, int] | None:
    """The span of the clause ``cue`` reports (``np`` is its speaker phrase), or None.

    ``quotes`` are the unit's quotations and ``taken`` the openings of those
    already attributed: a clause never runs into one attributed later in it.
    """
    text = doc.text
    attributed = [q for q in quotes if q.open in taken and q.open > cue.end]
    if cue.kind == "according":
        # "according to X, CLAUSE" or "CLAUSE, according to X."
        rest = text[np[1] : u_end].lstrip()
        if rest.startswith(","):
            start = np[1] + (len(text[np[1] : u_end]) - len(rest)) + 1
            while start < u_end and text[start].isspace():
                start += 1
            end = clause_end(doc, start, u_end, attributed)
            if count_words(text, start, end) >= 2:
                return start, end
        before = text[u_start : cue.start].rstrip()
        if before.endswith(","):
            end = u_start + len(before) - 1
            if count_words(text, u_start, end) >= 3:
                return u_start, end
        return None
    start = clause_start(doc, cue, u_end)
    if start is not None:
        end = clause_end(doc, start, u_end, attributed)
        if count_words(text, start, end) >= 2:
            return start, end
        return None
    # "CLAUSE, he said." with only an adjunct after the cue
    before = text[u_start : np[0]].rstrip()
    if before.endswith(",") and count_words(text, cue.end, min(u_end, cue.end + 200)) <= 6 and cue.clause != "none":
        end = u_start + len(before) - 1
        words = words_in(text, u_start, end)
        if len(words) >= 4 and words[0][2].lower() not in doc.rules.prepositions | doc.rules.openers:
            if not any(q.open in taken and u_start <= q.open < end for q in quotes):
                return u_start, end
    return None


def clause_start(doc: Document, cue: Cue, hi: int) -> int | None:
    """Where the reported clause after a cue begins, or None if no clause follows."""
    text, rules = doc.text, doc.rules
    pos = cue.end
    while pos < hi and text[pos].isspace():
        pos += 1
    if pos >= hi or not (text[pos].isalnum()):
        return None
    toks = _within_sentence(text, words_in(text, pos, min(hi, pos + 160), limit=12))
    words = [t[2].lower() for t in toks]
    if cue.kind == "according":
        return None
    first = words[0]
    if first == "that":
        return toks[1][0] if len(toks) > 1 else None

    def that_within(n: int) -> int | None:
        for i, w in enumerate(words[:n]):
            if w == "that" and i + 1 < len(toks) and "," not in text[toks[0][0] : toks[i][0]].replace("U.S.,", ""):
                return toks[i + 1][0]
        return None

    def pronoun_within(n: int) -> int | None:
        for i, w in enumerate(words[1:n], start=1):
            if w in rules.pronouns or w in ("his", "her", "their", "its", "our", "my"):
                return toks[i][0]
        return None

    if cue.object:
        found = that_within(9) or pronoun_within(7)
        if found or cue.clause == "that":
            return found
        if first in rules.audiences:
            return toks[1][0] if len(toks) > 1 else None
        i = 1 if first in rules.determiners else 0
        while i < len(toks) and not is_capitalised(toks[i][2]) and i < 3:
            i += 1
        while i < len(toks) and is_capitalised(toks[i][2]):
            i += 1
        return toks[i][0] if 0 < i < len(toks) else None
    if first in rules.not_clauses:
        return None
    adjunct = first in rules.prepositions or first in rules.time_words or toks[0][2] in rules.not_speakers
    if adjunct or (first in rules.determiners and len(words) > 1 and words[1] in rules.time_nouns):
        # "said on Feb. 3 that ...", "said Wednesday that ...", "had said a day before that ..."
        return that_within(10) or (pronoun_within(7) if cue.clause == "bare" else None)
    if cue.clause == "that":
        return that_within(4)
    return toks[0][0]


def clause_end(doc: Document, start: int, unit_end: int, cut_quotes: list[QuoteSpan]) -> int:
    """Where a clause starting at ``start`` ends: the unit's end, or earlier at a cut."""
    text = doc.text
    end = unit_end
    if doc.in_aside(start):  # "(Joly has said the plant “will stay open”)": the aside's end is the clause's
        end = min(end, next(b for a, b in doc.asides if a <= start < b) - 1)
    for q in cut_quotes:
        if start < q.open < end:
            end = q.open
    for p in doc.rules.participles:
        k = text.find(", " + p + " ", start, end)
        if k >= 0:
            end = k
    end = _gloss_or_next_event(doc, start, end)
    while end > start and (text[end - 1].isspace() or text[end - 1] in _TRIM):
        end -= 1
    return end


def _within_sentence(text: str, toks: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The tokens up to the first sentence end (a full stop that does not belong to an abbreviation)."""
    out = []
    for s, e, w in toks:
        out.append((s, e, w))
        if e < len(text) and text[e] in ".;!?" and not (text[e] == "." and w.endswith(".")):
            break
    return out or toks[:1]


_NEXT_CLAUSE = re.compile(r",[”\"’']?\s+(?:and|but)\s+|;\s+")


def _gloss_or_next_event(doc: Document, start: int, end: int) -> int:
    """Cut a clause where the writer takes over: a gloss (", a sentiment in line with ...") or,
    after a coordinator, the narrator's next event (", and the following day ...", "; later ...")."""
    text, rules = doc.text, doc.rules
    for m in _GLOSS.finditer(text, start, end):
        following = words_in(text, m.end(), min(end, m.end() + 60), limit=3)
        if following and following[0][2].lower() in rules.gloss_nouns:
            return m.start()
        if len(following) > 1 and following[0][2].lower() in rules.determiners and following[1][2].lower() in rules.gloss_nouns:
            return m.start()
    for m in _NEXT_CLAUSE.finditer(text, start, end):
        following = [w.lower() for _, _, w in words_in(text, m.end(), min(end, m.end() + 60), limit=3)]
        if not following:
            continue
        # "and later ...", "and the next day ...", "and the following day ..."
        timed = following[0] in rules.time_words or (
            following[0] in rules.determiners and any(w in rules.time_nouns for w in following[1:3])
        )
        if timed:
            close = text[m.start() + 1 : m.start() + 2]
            return m.start() + (2 if close in "”\"’'" and close.strip() else 1)
    return end


_GLOSS = re.compile(r",\s+(?=(?:a|an|the|another|one)\s)")


def introduces_quote(doc: Document, cue: Cue, lo: int, hi: int) -> bool:
    """Is ``text[lo:hi]`` (cue end to an opening mark) just an introduction to a quotation?"""
    if hi - lo > 200:
        return False
    gap = doc.text[lo:hi].strip()
    if not gap or gap in (",", ":", "that", "as", "—", "-"):
        return True
    words = words_in(doc.text, lo, hi)
    if gap[-1] in ",:—" and len(words) <= 14 and not doc.rules.mark_re.search(gap):
        return True
    low = [w[2].lower() for w in words]
    if low and low[-1] in ("that", "as") and len(low) <= 8:
        return low[0] in doc.rules.prepositions or low[0] in doc.rules.time_words or cue.object or len(low) <= 2
    return False
