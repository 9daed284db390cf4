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
from functools import lru_cache

from analysis.actors import Actor, _trie_regex
from analysis.quotes.document import Document, Ledger, Mention, Record
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
    if " ".join(pron.split()) in doc.rules.group_mentions:  # "the two said": several people, no one voice
        return None, None
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
    return not m.prep and not m.quoted and not m.aside and m.actor.pronouns == gender


def _resolve_pronoun(doc: Document, ledger: Ledger, gender: str | None, pos: int, unit: int) -> Actor | None:
    if gender is None:
        return None
    here = [m for m in doc.mentions_by_unit.get(unit, ()) if m.start < pos]
    for m in here:
        if _is_subject(m, gender):
            return m.actor
    for m in reversed(here):  # "a speech by Poilievre in which he ...": no subject, the nearest name will do
        if not m.quoted and not m.aside and m.actor.pronouns == gender:
            return m.actor
    for k in range(unit - 1, max(-1, unit - 6), -1):
        for r in sorted(ledger.in_unit(k), key=lambda r: r.start):
            if r.actor is not None and r.actor.pronouns == gender and r.mention is not None and not doc.in_aside(r.mention[0]):
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
    """Who a ", saying ..." belongs to: the last speaker in the sentence, else its first actor, else its subject.

    The subject is found as for a coordinated cue (:func:`coordinated_subject`):
    "Here in Columbia, Sanders stepped up his emphasis ..., saying ..." is Sanders.
    """
    recs = [r for r in ledger.in_unit(unit) if r.mention is not None and r.start < hi]
    if recs:
        return max(recs, key=lambda r: r.start).mention
    for m in doc.mentions_by_unit.get(unit, ()):
        if lo <= m.start < hi and not m.prep and not m.quoted:
            return m.start, m.end
    return coordinated_subject(doc, lo, hi)


def coordinated_subject(doc: Document, lo: int, hi: int) -> tuple[int, int] | None:
    """The subject of the clause a coordinated cue ("..., and said", "..., but says") shares.

    ``text[lo:hi]`` is the unit up to the coordinator. The nearest subject
    pronoun that opens a clause ("where he criticized ...") wins; otherwise the
    noun phrase the sentence opens with, after a leading adverbial
    ("During the convention, Poilievre ...").
    """
    text, rules = doc.text, doc.rules
    toks = words_in(text, lo, hi)
    for i in range(len(toks) - 1, 0, -1):
        s, e, w = toks[i]
        if w.lower() in rules.pronouns and rules.pronouns[w.lower()] is not None and not doc.in_aside(s):
            before = text[toks[i - 1][1] : s]
            if toks[i - 1][2].lower() in rules.subject_openers or "," in before:
                return s, e
    start = lo
    first = toks[0][2].lower() if toks else ""
    if first in rules.prepositions or first in rules.time_words:
        comma = text.find(",", lo, hi)
        if comma < 0:
            return None
        start = comma + 1
        while start < hi and text[start].isspace():
            start += 1
    return speaker_after(doc, start, hi)


@lru_cache(maxsize=8)
def _pronoun_words(pronouns: tuple[str, ...]) -> re.Pattern:
    r"""A regex for the whole ASCII words among ``pronouns``, in any case: what ``\b[A-Za-z]+\b`` finds and the table holds.

    Spelled letter by letter (``[hH][iI][mM]``, not IGNORECASE, which would
    also match the Kelvin sign for "k") with the word-start check after the
    first letter, so ``re`` jumps to the possible first letters.

    >>> [m.group() for m in _pronoun_words(("he", "him", "her")).finditer("He told HIM and her; theme, hero, him2")]
    ['He', 'HIM', 'her']
    """
    words = sorted({w for w in pronouns if w.isascii() and w.isalpha()})
    if not words:
        return re.compile(r"(?!)")
    units = [[f"[{c.lower()}{c.upper()}]" for c in w] for w in words]
    return re.compile(_trie_regex(units, not_after=r"\w") + r"\b")


def resolve_quoted_pronouns(doc: Document, statements: list[Record], outer: list[int | None]) -> list[tuple[int, int, Actor, int]]:
    """Third-person pronouns inside direct quotations that point at a codebook actor: ``(start, end, actor, statement)``.

    ``statements`` are the text's records in text order and ``outer[k]`` the
    statement that holds statement ``k`` (see
    :func:`analysis.quotes.extract.outer_statements`); ``statement`` is the
    index of the innermost statement holding the pronoun. The antecedent is
    the nearest earlier actor with that pronoun who is not the quote's
    speaker: inside the quotation first, then the speakers and mentions
    of up to five units before it, nearest first.
    """
    table = doc.rules.target_pronouns
    pronoun_words = _pronoun_words(tuple(table))
    nested: dict[int, list[tuple[int, int]]] = {}
    for k, o in enumerate(outer):
        if o is not None:
            nested.setdefault(o, []).append((statements[k].start, statements[k].end))
    speakers: dict[int, list[tuple[int, Actor]]] = {}
    for r in statements:
        if r.mention is not None and r.actor is not None:
            speakers.setdefault(doc.unit_of(r.mention[0]), []).append((r.mention[0], r.actor))
    out = []
    for k, rec in enumerate(statements):
        if rec.kind != "direct":
            continue
        for m in pronoun_words.finditer(doc.text, rec.start, rec.end):
            gender = table[m.group().lower()]
            if any(a <= m.start() < b for a, b in nested.get(k, ())):
                continue
            actor = _quoted_antecedent(doc, speakers, rec, gender, m.start())
            if actor is not None:
                out.append((m.start(), m.end(), actor, k))
    return out


def _quoted_antecedent(doc: Document, speakers: dict[int, list[tuple[int, Actor]]], rec: Record, gender: str,
                       pos: int) -> Actor | None:
    for m in reversed(doc.mentions_before(pos)):
        if m.start < rec.start:
            break
        if m.actor.pronouns == gender and m.actor != rec.actor:
            return m.actor
    unit = doc.unit_of(rec.start)
    for u in range(unit, max(-1, unit - 6), -1):
        hi = rec.start if u == unit else doc.units[u][1]
        found = [(start, actor) for start, actor in speakers.get(u, ()) if start < hi]
        found += [(m.start, m.actor) for m in doc.mentions_by_unit.get(u, ()) if m.start < hi and not m.aside]
        for _, actor in sorted(found, key=lambda item: -item[0]):
            if actor.pronouns == gender and actor != rec.actor:
                return actor
    return None
