"""Who is speaking: the speaker phrase around a cue, and the actor it names (pronouns included).

:func:`speaker_before` reads the phrase that ends at a cue ("Industry
Minister Mélanie Joly told"), :func:`speaker_after` the one that follows it
("..., said Conservative Leader Pierre Poilievre"). :func:`resolve_speaker`
turns the phrase into a canonical speaker: a codebook name or alias, a
description that fits a recently mentioned actor's role ("the MP"), or a
pronoun resolved to an earlier actor; anything else keeps its own words.

>>> from analysis.actors import load_codebook
>>> from analysis.quotes.document import Ledger, read_document
>>> from analysis.quotes.rules import load_quote_rules
>>> doc = read_document("Joly spoke first. Then she left.", load_codebook(), load_quote_rules())
>>> resolve_speaker(doc, Ledger(), 23, 26, 23)[0]
'Mélanie Joly'

Limits: a speaker phrase is read from capitalisation and short word lists,
not a parser, so a long or unusual subject is missed or kept as its last
words. A pronoun goes to the subject of the same or a recent sentence with
the same codebook pronoun; only codebook actors are candidates.
"""

from __future__ import annotations

import re

from analysis.actors import Actor
from analysis.quotes.document import Document, Ledger, Mention
from analysis.quotes.tokens import POSSESSIVE, SPLIT_PUNCT, count_words, is_capitalised, words_in

_JOINERS = ("of", "for", "de", "du", "van", "von", "la", "le")


def speaker_before(doc: Document, lo: int, hi: int) -> tuple[int, int] | None:
    """The speaker phrase ending at ``hi`` (whitespace allowed), not reaching left of ``lo``."""
    text, rules = doc.text, doc.rules
    lo = max(lo, hi - 160)  # a speaker phrase is short
    for m in SPLIT_PUNCT.finditer(text, lo, hi):
        lo = max(lo, m.end())
    toks = words_in(text, lo, hi)
    if not toks or text[toks[-1][1] : hi].strip():
        return None
    s, e, last = toks[-1]
    if last.lower() in rules.pronouns:
        return s, e
    mention_end = [m for m in doc.mentions_by_unit.get(doc.unit_of(s), ()) if m.end == e and m.start >= lo]
    if last in rules.not_speakers or not (
        is_capitalised(last) or last.lower() in rules.speaker_nouns or "." in last or mention_end
    ):
        return None
    first = s
    i = len(toks) - 2
    while i >= 0:
        ts, _, w = toks[i]
        wl = w.lower()
        if wl in rules.determiners:
            first = ts
            break
        if w in rules.not_speakers or wl in rules.openers or wl in rules.pronouns:
            break
        if is_capitalised(w) or "." in w or POSSESSIVE.search(w) or wl in rules.speaker_nouns:
            first = ts
        elif wl in _JOINERS and i > 0 and is_capitalised(toks[i - 1][2]):
            first = ts
        else:  # a lower-case modifier counts only with a determiner just before it ("the local union")
            for j in (i - 1, i - 2):
                if j < 0 or toks[j][2].lower() in rules.openers:
                    break
                if toks[j][2].lower() in rules.determiners:
                    first = toks[j][0]
                    break
            break
        i -= 1
    for m in mention_end:
        first = min(first, m.start)
    if count_words(text, first, e) > 10:
        return None
    return first, e


def speaker_after(doc: Document, lo: int, hi: int) -> tuple[int, int] | None:
    """A speaker phrase starting at ``lo`` ("said Conservative Leader Pierre Poilievre")."""
    text, rules = doc.text, doc.rules
    hi = min(hi, lo + 160)
    m = SPLIT_PUNCT.search(text, lo, hi)
    toks = words_in(text, lo, m.start() if m else hi)
    if not toks or text[lo : toks[0][0]].strip():
        return None
    if toks[0][2].lower() in rules.pronouns and toks[0][2].lower() != "it":
        return toks[0][0], toks[0][1]
    taken: list[tuple[int, int, str]] = []
    lowercase_left = 0
    for i, (s, e, w) in enumerate(toks):
        wl = w.lower()
        if i == 0 and wl in rules.determiners:
            taken.append((s, e, w))
            lowercase_left = 2
            continue
        if w in rules.not_speakers:
            break
        if is_capitalised(w) or "." in w or POSSESSIVE.search(w) or wl in rules.speaker_nouns:
            taken.append((s, e, w))
        elif wl in ("of", "for") and taken and i + 1 < len(toks) and is_capitalised(toks[i + 1][2]):
            taken.append((s, e, w))
        elif lowercase_left > 0 and wl not in rules.prepositions and wl not in rules.openers:
            taken.append((s, e, w))
            lowercase_left -= 1
        else:
            break
    while taken and not (is_capitalised(taken[-1][2]) or taken[-1][2].lower() in rules.speaker_nouns or "." in taken[-1][2]):
        taken.pop()
    if not taken or taken[-1][2] in rules.not_speakers or taken[-1][2].lower() in rules.determiners:
        return None
    return taken[0][0], taken[-1][1]


def resolve_speaker(doc: Document, ledger: Ledger, ms: int, me: int, pos: int) -> tuple[str | None, Actor | None]:
    """Canonical speaker for the mention ``text[ms:me]`` of a statement at ``pos``: ``(name, actor)``."""
    words = doc.text[ms:me]
    bare = POSSESSIVE.sub("", words)
    pron = bare.lower()
    if pron in doc.rules.pronouns:
        actor = _resolve_pronoun(doc, ledger, doc.rules.pronouns[pron], ms, doc.unit_of(ms))
        return (actor.name, actor) if actor else (None, None)
    inside = [m for m in doc.mentions_by_unit.get(doc.unit_of(ms), ()) if m.start >= ms and m.end <= me]
    if inside:
        head = [m for m in inside if m.end >= ms + len(bare)] or inside
        best = max(head, key=lambda m: (m.end - m.start, m.start))
        return best.actor.name, best.actor
    actor = doc.book.resolve(bare) or _resolve_description(doc, ledger, bare, pos)
    if actor is not None:
        return actor.name, actor
    return bare, None


def _is_subject(m: Mention, gender: str) -> bool:
    return not m.prep and not m.quoted and m.actor.pronouns == gender


def _resolve_pronoun(doc: Document, ledger: Ledger, gender: str | None, pos: int, unit: int) -> Actor | None:
    if gender is None:
        return None
    for m in doc.mentions_by_unit.get(unit, ()):
        if m.start < pos and _is_subject(m, gender):
            return m.actor
    for k in range(unit - 1, max(-1, unit - 6), -1):
        for r in sorted(ledger.in_unit(k), key=lambda r: r.start):
            if r.actor is not None and r.actor.pronouns == gender and r.mention is not None:
                return r.actor
        for m in doc.mentions_by_unit.get(k, ()):
            if _is_subject(m, gender):
                return m.actor
    return None


def _resolve_description(doc: Document, ledger: Ledger, words: str, pos: int) -> Actor | None:
    """'the MP' -> the most recently mentioned actor whose role names an MP."""
    parts = words.split()
    if len(parts) < 2 or parts[0].lower() not in ("the", "this"):
        return None
    head = parts[-1].lower()

    def fits(actor: Actor) -> bool:
        return bool(actor.role) and head in re.findall(r"[\w.-]+", actor.role.lower())

    for m in reversed(doc.mentions_before(pos)):
        if fits(m.actor):
            return m.actor
    for r in reversed(ledger.records):
        if r.actor is not None and fits(r.actor):
            return r.actor
    return None


def clause_subject(doc: Document, ledger: Ledger, lo: int, hi: int, unit: int) -> tuple[int, int] | None:
    """Who a ", saying ..." belongs to: the last speaker in the sentence, else its first actor or pronoun."""
    recs = [r for r in ledger.in_unit(unit) if r.mention is not None and r.start < hi]
    if recs:
        return max(recs, key=lambda r: r.start).mention
    for m in doc.mentions_by_unit.get(unit, ()):
        if lo <= m.start < hi and not m.prep and not m.quoted:
            return m.start, m.end
    first = words_in(doc.text, lo, min(hi, lo + 60))[:1]
    if first and first[0][2].lower() in doc.rules.pronouns:
        return first[0][0], first[0][1]
    return None
