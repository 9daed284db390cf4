"""Find who is quoted in a news text, saying what, and in which words.

:func:`extract_quotes` returns one row per attributed statement
(:data:`QUOTES_SCHEMA`): direct quotations, indirect (reported) speech and
mixed quotes (a reported clause holding a partial quotation), each with its
speaker resolved through the actor codebook (:mod:`analysis.actors`), the cue
("said", "told", "according to") and character offsets into the text given, so
``text[start:end] == quote``. :func:`extract_corpus_quotes` runs it over an
articles table and adds article, paragraph and sentence ids.

It is rule-based: quotation marks are paired within a paragraph, attributions
are read around them with cue lists kept in ``data/quote_rules/`` (see its
README for why each list exists). Nothing is downloaded; it runs offline.

>>> from analysis.quotes import extract_quotes
>>> text = "“We will fight for jobs,” said Conservative Leader Pierre Poilievre. Carney said he disagreed."
>>> extract_quotes(text)[["quote", "kind", "speaker", "cue"]].values.tolist()
[['We will fight for jobs,', 'direct', 'Pierre Poilievre', 'said'], ['he disagreed', 'indirect', 'Mark Carney', 'said']]

Limits, plainly:

- English news style only; a speaker phrase is read from capitalisation and
  short word lists, not a parser, so a long or unusual subject ("people
  familiar with the talks said") is missed or kept as its last words.
- A pronoun speaker goes to the subject of the same or a recent sentence with
  matching pronouns (``he``/``she``/``they``/``it`` in the codebook); with two
  candidates of the same pronoun in play it can pick the wrong one, and it only
  knows codebook actors.
- An unbalanced quotation mark runs to the end of its paragraph, never further.
- An indirect clause runs to the end of its sentence (or to ", adding ...",
  or to a quotation attributed by its own cue).
- A quotation with no cue inherits the speaker of the statement just before it
  (same or previous paragraph) only when it starts its sentence; a short quoted
  phrase inside narration with no cue is a scare quote and is left out.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import yaml

from analysis.actors import Actor, Codebook, _trie_regex, load_codebook
from analysis.paths import DATA_DIR
from analysis.text import split_sentences

RULES_DIR = DATA_DIR / "quote_rules"
KINDS = ("direct", "indirect", "mixed")
PROGRESS_THRESHOLD = 200

_QUOTE_COLUMNS = {
    "quote_id": pa.Column(int, pa.Check.ge(0)),
    "quote": pa.Column(str),
    "start": pa.Column(int, pa.Check.ge(0)),
    "end": pa.Column(int, pa.Check.ge(0)),
    "kind": pa.Column(str, pa.Check.isin(KINDS)),
    "speaker": pa.Column(str, nullable=True),
    "speaker_mention": pa.Column(str, nullable=True),
    "speaker_start": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    "speaker_end": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    "cue": pa.Column(str, nullable=True),
    "cue_start": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    "cue_end": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    "camp": pa.Column(str, nullable=True),
}

QUOTES_SCHEMA = pa.DataFrameSchema(
    _QUOTE_COLUMNS,
    checks=[pa.Check(lambda df: (df["start"] <= df["end"]).all(), error="start <= end")],
    strict=True,
    ordered=True,
    coerce=True,
    name="quotes",
)
"""One row per attributed statement in one text, ``quote_id`` 0..n-1 in text order.

``quote == text[start:end]`` (direct quotes without their outer marks);
``kind`` is direct / indirect / mixed; ``speaker`` is the codebook's canonical
name, else the speaker's own words, else null; ``speaker_mention`` and ``cue``
(with offsets) are the words the attribution hangs on, null for a quotation
that continues the previous one; ``camp`` comes from the codebook.
"""

CORPUS_QUOTES_SCHEMA = pa.DataFrameSchema(
    {
        "article_id": pa.Column(str),
        "outlet": pa.Column(str, nullable=True),
        **_QUOTE_COLUMNS,
        "paragraph_id": pa.Column(int, pa.Check.ge(0)),
        "sentence_id": pa.Column(int, pa.Check.ge(0)),
        "word_count": pa.Column(int, pa.Check.ge(0)),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="corpus_quotes",
)
""":data:`QUOTES_SCHEMA` per article, plus ``article_id``, ``outlet``, the
``paragraph_id`` / ``sentence_id`` (as in :func:`analysis.text.sentences`) where
the quote starts, and the quote's ``word_count``."""


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class QuoteRules:
    """Cue lists and word lists from ``data/quote_rules/``, compiled."""

    verbs: dict[str, dict]  # form -> {"clause": bare|that|none, "object": bool}
    auxiliaries: tuple[str, ...]
    participles: frozenset[str]
    nouns: tuple[str, ...]
    according: tuple[str, ...]
    pronouns: dict[str, str | None]
    determiners: frozenset[str]
    openers: frozenset[str]
    prepositions: frozenset[str]
    time_words: frozenset[str]
    speaker_nouns: frozenset[str]
    not_speakers: frozenset[str]
    audiences: frozenset[str]
    not_clauses: frozenset[str]
    double_marks: tuple[tuple[str, str], ...]
    single_marks: tuple[tuple[str, str], ...]
    aux_re: re.Pattern = field(repr=False, compare=False, default=None)
    verb_re: re.Pattern = field(repr=False, compare=False, default=None)
    single_re: re.Pattern = field(repr=False, compare=False, default=None)
    nested_re: re.Pattern = field(repr=False, compare=False, default=None)
    noun_re: re.Pattern = field(repr=False, compare=False, default=None)
    according_re: re.Pattern = field(repr=False, compare=False, default=None)
    mark_re: re.Pattern = field(repr=False, compare=False, default=None)


class QuoteRulesError(ValueError):
    """A rules folder that cannot be used; the message names the file and key."""


def _need(data: dict, key: str, label: str, kind=list):
    if key not in data or not isinstance(data[key], kind):
        raise QuoteRulesError(f"{label}: missing or malformed key {key!r} (expected a {kind.__name__})")
    return data[key]


def _read_yaml(path: Path) -> dict:
    if not path.is_file():
        raise QuoteRulesError(f"{path}: rules file not found")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise QuoteRulesError(f"{path}: expected a mapping at the top level")
    return data


def _alternation(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=8)
def load_quote_rules(folder: str | Path | None = None) -> QuoteRules:
    """Load the rule files (``cues.yaml``, ``words.yaml``, ``quote_marks.yaml``) from ``folder``.

    >>> load_quote_rules().verbs["told"]
    {'clause': 'bare', 'object': True}
    """
    folder = Path(RULES_DIR if folder is None else folder)
    cues, words, marks = (_read_yaml(folder / name) for name in ("cues.yaml", "words.yaml", "quote_marks.yaml"))
    verbs: dict[str, dict] = {}
    for lemma, spec in _need(cues, "verbs", "cues.yaml", dict).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("forms"), list):
            raise QuoteRulesError(f"cues.yaml: verb {lemma!r} needs a 'forms' list")
        unknown = set(spec) - {"forms", "clause", "object"}
        if unknown or spec.get("clause", "bare") not in ("bare", "that", "none"):
            raise QuoteRulesError(f"cues.yaml: verb {lemma!r}: unknown keys {sorted(unknown)} or bad clause {spec.get('clause')!r}")
        for form in spec["forms"]:
            verbs[str(form)] = {"clause": spec.get("clause", "bare"), "object": bool(spec.get("object", False))}
    aux = tuple(str(a) for a in _need(cues, "auxiliaries", "cues.yaml"))
    nouns = tuple(str(n) for n in _need(cues, "nouns", "cues.yaml"))
    according = tuple(str(a) for a in _need(cues, "according_to", "cues.yaml"))
    lower = lambda key: frozenset(str(w).lower() for w in _need(words, key, "words.yaml"))  # noqa: E731
    double = tuple(tuple(p) for p in _need(marks, "double", "quote_marks.yaml"))
    single = tuple(tuple(p) for p in _need(marks, "single", "quote_marks.yaml"))
    straight = str(marks.get("straight_double", '"'))
    single_chars = "".join(sorted({c for pair in single for c in pair}))
    all_marks = "".join(sorted({c for pair in double for c in pair} | set(straight)))
    return QuoteRules(
        verbs=verbs,
        auxiliaries=aux,
        participles=frozenset(str(p) for p in _need(cues, "participles_after_comma", "cues.yaml")),
        nouns=nouns,
        according=according,
        pronouns={str(k).lower(): v for k, v in _need(words, "pronouns", "words.yaml", dict).items()},
        determiners=lower("determiners"),
        openers=lower("clause_openers"),
        prepositions=lower("prepositions"),
        time_words=lower("time_words"),
        speaker_nouns=lower("speaker_nouns"),
        not_speakers=frozenset(str(w) for w in _need(words, "not_speakers", "words.yaml")),
        audiences=lower("audiences"),
        not_clauses=lower("not_clauses"),
        double_marks=double,
        single_marks=single,
        verb_re=re.compile(rf"(?<![\w’'-]){_trie_regex([[re.escape(c) for c in v] for v in verbs])}(?![\w’'-])"),
        aux_re=re.compile(rf"(?<![\w’'-])(?:{_alternation(aux)})\s+$"),
        noun_re=re.compile(
            rf"(?:['’]s|s['’])\s+(?:(?:recent|latest|earlier|previous|own|public)\s+)?(?P<noun>{_alternation(nouns)})(?![\w’'-])"
        ),
        according_re=re.compile(rf"(?<![\w’'-])(?i:{_alternation(according)})\s+"),
        mark_re=re.compile(f"[{re.escape(all_marks)}]"),
        single_re=re.compile(f"[{re.escape(single_chars)}]"),
        nested_re=re.compile(f"[{re.escape(single_chars + str(marks.get('straight_single', '')))}]"),
    )


# --------------------------------------------------------------------------- data holders


@dataclass
class _Quote:
    open: int  # index of the opening mark
    start: int  # content start
    end: int  # content end
    close: int | None  # index just after the closing mark; None when unbalanced
    para: int
    inner: list["_Quote"] = field(default_factory=list)
    taken: bool = False

    @property
    def stop(self) -> int:
        return self.close if self.close is not None else self.end


@dataclass
class _Cue:
    start: int
    end: int
    verb: str
    kind: str  # verb | noun | according
    clause: str = "none"
    object: bool = False
    head: int = 0  # where the speaker phrase must end (noun cues: before the possessive)


@dataclass
class _Record:
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
class _Mention:
    start: int
    end: int
    actor: Actor
    prep: bool
    quoted: bool
    unit: int


_WORD_RE = re.compile(r"[^\s,;:()\[\]{}“”\"«»—–!?/]+")
_ALNUM = re.compile(r"[^\W_]")
_SPLIT_PUNCT = re.compile(r"[,;:()\[\]{}“”\"«»—–!?‘]")
_POSSESSIVE = re.compile(r"(?:['’]s|s['’])$")
_SENTENCE_END = re.compile(r"[.;!?]")
_ABBREV = re.compile(r"^(?:[A-Z][a-z]{0,3}\.|(?:\w\.){2,})$")


def _tokens(text: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    """Word-ish tokens in ``text[lo:hi]`` with a final full stop cut off unless an abbreviation."""
    out = []
    for m in _WORD_RE.finditer(text, lo, hi):
        s, e, w = m.start(), m.end(), m.group()
        if w.endswith(".") and not _ABBREV.match(w):
            w, e = w.rstrip("."), e - (len(w) - len(w.rstrip(".")))
        if w and _ALNUM.search(w):
            out.append((s, e, w))
    return out


def _count_words(text: str, lo: int, hi: int) -> int:
    return len(_WORD_RE.findall(text, lo, hi))


def _is_cap(word: str) -> bool:
    return word[:1].isupper()


# --------------------------------------------------------------------------- extraction


class _Extractor:
    """State for one text: its paragraphs, units, quotes, mentions and records."""

    def __init__(self, text: str, book: Codebook, rules: QuoteRules, sentence_spans=None):
        self.text = text
        self.book = book
        self.rules = rules
        self.records: list[_Record] = []
        self.units: list[tuple[int, int, int]] = []  # (start, end, paragraph)
        self.quotes: list[_Quote] = []
        self._segment(sentence_spans)
        self.unit_starts = [u[0] for u in self.units]
        self.mentions = self._mentions()
        self.all_cues = self._scan_cues(0, len(text))
        self.cue_starts = [c.start for c in self.all_cues]

    # ---- segmentation
    def _segment(self, sentence_spans) -> None:
        text = self.text
        paras = [(m.start(), m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", text)]
        by_para: dict[int, list[tuple[int, int]]] = {}
        if sentence_spans is not None:
            for s, e, p in sentence_spans:
                by_para.setdefault(p, []).append((s, e))
        for p_idx, (p_start, p_end) in enumerate(paras):
            while p_start < p_end and text[p_start].isspace():
                p_start += 1
            quotes = self._find_quotes(p_start, p_end, p_idx)
            self.quotes.extend(quotes)
            sents = by_para.get(p_idx) or _sentence_spans(text, p_start, p_end)
            for s, e in _merge_units(sents, quotes, p_start, p_end):
                self.units.append((s, e, p_idx))

    def _find_quotes(self, lo: int, hi: int, para: int) -> list[_Quote]:
        text, rules = self.text, self.rules
        openers = {o: c for o, c in rules.double_marks}
        closers = {c for _, c in rules.double_marks}
        found: list[_Quote] = []
        current: int | None = None
        for m in rules.mark_re.finditer(text, lo, hi):
            i, ch = m.start(), m.group()
            if ch == '"':
                if current is None:
                    if _opening_context(text, i, lo, hi):
                        current = i
                else:
                    found.append(self._make_quote(current, i, para, closed=True))
                    current = None
            elif ch in openers and (current is None or ch not in closers):
                if current is not None:  # a new opener while open: the earlier quote was never closed
                    found.append(self._make_quote(current, i, para, closed=False))
                current = i
            elif ch in closers and current is not None:
                found.append(self._make_quote(current, i, para, closed=True))
                current = None
        if current is not None:
            found.append(self._make_quote(current, hi, para, closed=False))
        if not found and not any(c in text[lo:hi] for c in '"“”«»'):
            found = self._single_quotes(lo, hi, para, primary=True)
        found = [q for q in found if q.end > q.start]
        for q in found:
            q.inner = self._single_quotes(q.start, q.end, para, primary=False)
        return found

    def _make_quote(self, open_at: int, close_at: int, para: int, closed: bool) -> _Quote:
        start, end = open_at + 1, close_at
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return _Quote(open_at, start, end, close_at + 1 if closed else None, para)

    def _single_quotes(self, lo: int, hi: int, para: int, primary: bool) -> list[_Quote]:
        """Quotes in single marks: ‘…’ (and '…' when nested); an apostrophe inside a word is never a mark."""
        text = self.text
        out, current = [], None
        pairs = dict(self.rules.single_marks)
        for m in (self.rules.single_re if primary else self.rules.nested_re).finditer(text, lo, hi):
            i = m.start()
            ch = m.group()
            before = text[i - 1] if i > lo else " "
            after = text[i + 1] if i + 1 < hi else " "
            if current is None and (ch in pairs or ch == "'") and not before.isalnum() and after.isalnum():
                current = i
            elif current is not None and ch not in pairs and not before.isspace() and not after.isalnum():
                out.append(self._make_quote(current, i, para, closed=True))
                current = None
        return [q for q in out if q.end > q.start]

    # ---- mentions and discourse
    def _mentions(self) -> list[_Mention]:
        out = []
        preps = self.rules.prepositions
        quoted_spans = [(q.start, q.end) for q in self.quotes]
        q_starts = [s for s, _ in quoted_spans]
        for s, e, _, actor in self.book.iter_mentions(self.text):
            prev = self.text[max(0, s - 20) : s].split()
            prep = bool(prev) and prev[-1].lower().strip(",") in preps
            k = bisect.bisect_right(q_starts, s) - 1
            quoted = k >= 0 and quoted_spans[k][0] <= s < quoted_spans[k][1]
            out.append(_Mention(s, e, actor, prep, quoted, self.unit_of(s)))
        return out

    def unit_of(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.unit_starts, pos) - 1)

    def _resolve_pronoun(self, gender: str | None, pos: int, unit: int) -> Actor | None:
        if gender is None:
            return None
        subject = lambda m: not m.prep and not m.quoted and m.actor.pronouns == gender  # noqa: E731
        for m in self.mentions:
            if m.unit == unit and m.start < pos and subject(m):
                return m.actor
        for k in range(unit - 1, max(-1, unit - 6), -1):
            for r in sorted((r for r in self.records if r.unit == k), key=lambda r: r.start):
                if r.actor is not None and r.actor.pronouns == gender and r.mention is not None:
                    return r.actor
            for m in self.mentions:
                if m.unit == k and subject(m):
                    return m.actor
        return None

    def _resolve(self, ms: int, me: int, pos: int) -> tuple[str | None, Actor | None]:
        """Canonical speaker for the mention ``text[ms:me]``."""
        words = self.text[ms:me]
        bare = _POSSESSIVE.sub("", words)
        pron = bare.lower()
        if pron in self.rules.pronouns:
            actor = self._resolve_pronoun(self.rules.pronouns[pron], ms, self.unit_of(ms))
            return (actor.name, actor) if actor else (None, None)
        inside = [m for m in self.mentions if m.start >= ms and m.end <= me]
        if inside:
            head = [m for m in inside if m.end >= ms + len(bare)] or inside
            best = max(head, key=lambda m: (m.end - m.start, m.start))
            return best.actor.name, best.actor
        actor = self.book.resolve(bare) or self._resolve_description(bare, pos)
        if actor is not None:
            return actor.name, actor
        return bare, None

    def _resolve_description(self, words: str, pos: int) -> Actor | None:
        """'the MP' -> the most recently mentioned actor whose role names an MP."""
        parts = words.split()
        if len(parts) < 2 or parts[0].lower() not in ("the", "this"):
            return None
        head = parts[-1].lower()
        fits = lambda a: a.role and head in re.findall(r"[\w.-]+", a.role.lower())  # noqa: E731
        for m in reversed([m for m in self.mentions if m.start < pos]):
            if fits(m.actor):
                return m.actor
        for r in reversed(self.records):
            if r.actor is not None and fits(r.actor):
                return r.actor
        return None

    # ---- speaker phrases
    def _np_before(self, lo: int, hi: int) -> tuple[int, int] | None:
        """The speaker phrase ending at ``hi`` (whitespace allowed), not reaching left of ``lo``."""
        text, rules = self.text, self.rules
        lo = max(lo, hi - 160)  # a speaker phrase is short
        for m in _SPLIT_PUNCT.finditer(text, lo, hi):
            lo = max(lo, m.end())
        toks = _tokens(text, lo, hi)
        if not toks or text[toks[-1][1] : hi].strip():
            return None
        s, e, last = toks[-1]
        if last.lower() in rules.pronouns:
            return s, e
        mention_end = [m for m in self.mentions if m.end == e and m.start >= lo]
        if last in rules.not_speakers or not (
            _is_cap(last) or last.lower() in rules.speaker_nouns or "." in last or mention_end
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
            if _is_cap(w) or "." in w or _POSSESSIVE.search(w) or wl in rules.speaker_nouns:
                first = ts
            elif wl in ("of", "for", "de", "du", "van", "von", "la", "le") and i > 0 and _is_cap(toks[i - 1][2]):
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
        if _count_words(text, first, e) > 10:
            return None
        return first, e

    def _np_after(self, lo: int, hi: int) -> tuple[int, int] | None:
        """A speaker phrase starting at ``lo`` ("said Conservative Leader Pierre Poilievre")."""
        text, rules = self.text, self.rules
        hi = min(hi, lo + 160)
        m = _SPLIT_PUNCT.search(text, lo, hi)
        toks = _tokens(text, lo, m.start() if m else hi)
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
            if _is_cap(w) or "." in w or _POSSESSIVE.search(w) or wl in rules.speaker_nouns:
                taken.append((s, e, w))
            elif wl in ("of", "for") and taken and i + 1 < len(toks) and _is_cap(toks[i + 1][2]):
                taken.append((s, e, w))
            elif lowercase_left > 0 and wl not in rules.prepositions and wl not in rules.openers:
                taken.append((s, e, w))
                lowercase_left -= 1
            else:
                break
        while taken and not (_is_cap(taken[-1][2]) or taken[-1][2].lower() in rules.speaker_nouns or "." in taken[-1][2]):
            taken.pop()
        if not taken or taken[-1][2] in rules.not_speakers or taken[-1][2].lower() in rules.determiners:
            return None
        return taken[0][0], taken[-1][1]

    # ---- cues
    def _cues(self, lo: int, hi: int) -> list[_Cue]:
        """Cues starting in ``[lo, hi)`` (scanned once per text)."""
        a = bisect.bisect_left(self.cue_starts, lo)
        b = bisect.bisect_left(self.cue_starts, hi)
        return [c for c in self.all_cues[a:b] if c.end <= hi]

    def _scan_cues(self, lo: int, hi: int) -> list[_Cue]:
        rules, text = self.rules, self.text
        cues = []
        verbs = rules.verbs
        for m in rules.verb_re.finditer(text, lo, hi):
            spec = verbs[m.group()]
            start = m.start()
            for _ in range(2):  # "has said", "had also said"
                aux = rules.aux_re.search(text, max(lo, start - 30), start)
                if aux is None:
                    break
                start = aux.start()
            cues.append(_Cue(start, m.end(), m.group(), "verb", spec["clause"], spec["object"], start))
        for m in rules.noun_re.finditer(text, lo, hi):
            cues.append(_Cue(m.start("noun"), m.end("noun"), m.group("noun"), "noun", "that", False, m.start()))
        for m in rules.according_re.finditer(text, lo, hi):
            cues.append(_Cue(m.start(), m.start() + len(m.group().rstrip()), "according to", "according", "bare"))
        cues.sort(key=lambda c: c.start)
        return cues

    def _cue_speaker(self, cue: _Cue, lo: int, unit: int) -> tuple[int, int] | None:
        """Span of the words the cue's speaker is named by."""
        if cue.kind == "according":
            return self._np_after(cue.end, self.units[unit][1])
        np = self._np_before(lo, cue.head)
        if np is not None and cue.kind == "noun":  # keep the possessive: "Trump’s"
            np = (np[0], cue.head + 2)  # "’s" or "s’"
        gap = self.text[lo : cue.head].rstrip()
        if np is None and gap.endswith(","):
            if cue.verb.endswith("ing") and cue.kind == "verb":
                return self._clause_subject(lo, cue.head, unit)
            # "Jivani, who represents Oshawa, said": the phrase before the appositive
            opening = gap.rfind(",", 0, len(gap) - 1)
            if opening > 0 and len(_tokens(self.text, lo + opening, lo + len(gap))) <= 12:
                return self._np_before(lo, lo + opening)
        return np

    def _clause_subject(self, lo: int, hi: int, unit: int) -> tuple[int, int] | None:
        """Who a ", saying ..." belongs to: the last speaker in the sentence, else its first actor or pronoun."""
        recs = [r for r in self.records if r.unit == unit and r.mention is not None and r.start < hi]
        if recs:
            return max(recs, key=lambda r: r.start).mention
        for m in self.mentions:
            if m.unit == unit and lo <= m.start < hi and not m.prep and not m.quoted:
                return m.start, m.end
        first = _tokens(self.text, lo, min(hi, lo + 60))[:1]
        if first and first[0][2].lower() in self.rules.pronouns:
            return first[0][0], first[0][1]
        return None

    # ---- clauses
    def _clause_start(self, cue: _Cue, hi: int) -> int | None:
        """Where the reported clause after a cue begins, or None if no clause follows."""
        text, rules = self.text, self.rules
        pos = cue.end
        while pos < hi and text[pos].isspace():
            pos += 1
        if pos >= hi or not (text[pos].isalnum()):
            return None
        toks = _tokens(text, pos, min(hi, pos + 160))[:12]
        stop = _SENTENCE_END.search(text, pos, hi)
        toks = [t for t in toks if stop is None or t[0] < stop.start()] or toks[:1]
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
            while i < len(toks) and not _is_cap(toks[i][2]) and i < 3:
                i += 1
            while i < len(toks) and _is_cap(toks[i][2]):
                i += 1
            return toks[i][0] if 0 < i < len(toks) else None
        if first in rules.not_clauses:
            return None
        if first in rules.prepositions or first in rules.time_words or toks[0][2] in rules.not_speakers:
            return that_within(10) or (pronoun_within(7) if cue.clause == "bare" else None)
        if cue.clause == "that":
            return that_within(4)
        return toks[0][0]

    def _clause_end(self, start: int, unit_end: int, cut_quotes: list[_Quote]) -> int:
        text = self.text
        end = unit_end
        for q in cut_quotes:
            if start < q.open < end:
                end = q.open
        for p in self.rules.participles:
            k = text.find(", " + p + " ", start, end)
            if k >= 0:
                end = k
        while end > start and (text[end - 1].isspace() or text[end - 1] in ".,;:—–-"):
            end -= 1
        return end

    # ---- building records
    def _add(self, start, end, kind, mention, cue, unit, para, inherit: _Record | None = None) -> _Record:
        if inherit is not None:
            speaker, actor = inherit.speaker, inherit.actor
        elif mention is not None:
            speaker, actor = self._resolve(mention[0], mention[1], start)
        else:
            speaker, actor = None, None
        rec = _Record(start, end, kind, speaker, actor, mention, cue, unit, para)
        self.records.append(rec)
        return rec

    def _is_intro(self, cue: _Cue, lo: int, hi: int) -> bool:
        """Is ``text[lo:hi]`` (cue end to an opening mark) just an introduction to a quotation?"""
        if hi - lo > 200:
            return False
        gap = self.text[lo:hi].strip()
        if not gap or gap in (",", ":", "that", "as", "—", "-"):
            return True
        words = _tokens(self.text, lo, hi)
        if gap[-1] in ",:—" and len(words) <= 14 and not self.rules.mark_re.search(gap):
            return True
        low = [w[2].lower() for w in words]
        if low and low[-1] in ("that", "as") and len(low) <= 8:
            return low[0] in self.rules.prepositions or low[0] in self.rules.time_words or cue.object or len(low) <= 2
        return False

    def _inner_attribution(self, q: _Quote, lo: int, hi: int, unit: int) -> tuple[_Cue, tuple[int, int]] | None:
        """A cue and speaker inside ``text[lo:hi]`` that introduce the quote ``q`` (nested quotes)."""
        for cue in reversed(self._cues(lo, q.open)):
            if cue.kind == "according" or not self._is_intro(cue, cue.end, q.open):
                continue
            np = self._np_before(lo, cue.head)
            if np:
                return cue, np
        after = self._attribution_after(q, hi, self._cues(q.stop, hi), unit) if q.close else None
        return after

    def _attribution_after(self, q: _Quote, limit: int, cues: list[_Cue], unit: int):
        """``“...,” he said`` / ``“...,” said the Ontario MP``: the cue and speaker right after a quote."""
        text = self.text
        content = text[q.start : q.end]
        after = text[q.close : q.close + 1] if q.close is not None else ""
        if not content or not (content[-1] in ",.?!…—-" or after in ",—–"):
            return None
        m = re.compile(r"\s*(?:[,—–-]\s*)?").match(text, q.close, limit)
        p = m.end()
        for cue in cues:
            if cue.kind != "verb" or cue.start < p or cue.start >= limit or cue.start - p > 120:
                continue
            if cue.start == p:
                np = self._np_after(cue.end, limit)
                return (cue, np) if np else None
            gap = text[p : cue.start]
            if self.rules.mark_re.search(gap):
                return None
            np = self._np_before(p, cue.start)
            if np and np[0] == p:
                return cue, np
            comma = gap.find(",")
            if comma > 0 and gap.rstrip().endswith(","):  # "Jivani, who ..., said"
                np = self._np_before(p, p + comma)
                if np and np[0] == p:
                    return cue, np
            return None
        return None

    def _unit(self, u: int) -> None:
        u_start, u_end, para = self.units[u]
        text = self.text
        quotes = [q for q in self.quotes if u_start <= q.open < u_end]
        in_quote = lambda pos: any(q.start <= pos < q.end for q in quotes)  # noqa: E731
        cues = [c for c in self._cues(u_start, u_end) if not in_quote(c.start)]
        used: set[int] = set()
        claimed: list[tuple[int, int]] = []
        # 1. attribution after the quote
        for i, q in enumerate(quotes):
            if q.close is None:
                continue
            limit = quotes[i + 1].open if i + 1 < len(quotes) else u_end
            att = self._attribution_after(q, limit, cues, u)
            if att:
                cue, np = att
                q.taken = True
                used.add(cue.start)
                self._add(q.start, q.end, "direct", np, (cue.start, cue.end), u, para)
        # 2. each remaining cue: a quotation it introduces, or the clause it reports
        for cue in cues:
            if cue.start in used or any(a <= cue.start < b for a, b in claimed):
                continue
            np = self._cue_speaker(cue, u_start, u)
            if np is None:
                continue
            nxt = next((q for q in quotes if q.open >= cue.end and not q.taken), None)
            if cue.kind != "according" and nxt is not None and self._is_intro(cue, cue.end, nxt.open):
                nxt.taken = True
                used.add(cue.start)
                self._add(nxt.start, nxt.end, "direct", np, (cue.start, cue.end), u, para)
                continue
            if cue.clause == "none":
                continue
            span = self._clause(cue, np, u_start, u_end, quotes)
            if span is None:
                continue
            c_start, c_end = span
            inner = [q for q in quotes if c_start <= q.open < c_end and not q.taken]
            for q in inner:
                q.taken = True
            used.add(cue.start)
            claimed.append((min(c_start, cue.start), c_end))
            self._add(c_start, c_end, "mixed" if inner else "indirect", np, (cue.start, cue.end), u, para)
            for q in inner:  # a quotation inside the clause with its own speaker ("Trump asked him ...: “...”")
                att = self._inner_attribution(q, c_start, c_end, u)
                if att and att[0].start != cue.start:
                    self._add(q.start, q.end, "direct", att[1], (att[0].start, att[0].end), u, para)
        # 3. quotations with no cue: continuation of the previous speaker, or an unnamed speaker
        for q in quotes:
            if q.taken:
                continue
            prev = max((r for r in self.records if r.end <= q.open and r.para >= para - 1), key=lambda r: r.end, default=None)
            # “We are ready,” Jivani said, “and we will help.”: the second part follows its attribution
            tail = max([prev.end] + [p[1] for p in (prev.mention, prev.cue) if p]) if prev and prev.unit == u else None
            if tail is not None and tail <= q.open and not text[tail : q.open].strip(" ,;:—–-\n"):
                q.taken = True
                self._add(q.start, q.end, "direct", None, None, u, para, inherit=prev)
                continue
            if text[u_start : q.open].strip() or _count_words(text, q.start, q.end) < 2:
                continue
            if prev is not None and (prev.speaker is not None or prev.mention is not None):
                q.taken = True
                self._add(q.start, q.end, "direct", None, None, u, para, inherit=prev)
            elif q.stop >= u_end - 1 and _count_words(text, q.start, q.end) >= 4:
                q.taken = True
                self._add(q.start, q.end, "direct", None, None, u, para)

    def _clause(self, cue: _Cue, np, u_start: int, u_end: int, quotes: list[_Quote]) -> tuple[int, int] | None:
        text = self.text
        attributed = [q for q in quotes if q.taken and q.open > cue.end]
        if cue.kind == "according":
            # "according to X, CLAUSE" or "CLAUSE, according to X."
            rest = text[np[1] : u_end].lstrip()
            if rest.startswith(","):
                start = np[1] + (len(text[np[1] : u_end]) - len(rest)) + 1
                while start < u_end and text[start].isspace():
                    start += 1
                end = self._clause_end(start, u_end, attributed)
                if _count_words(text, start, end) >= 2:
                    return start, end
            before = text[u_start : cue.start].rstrip()
            if before.endswith(","):
                end = u_start + len(before) - 1
                if _count_words(text, u_start, end) >= 3:
                    return u_start, end
            return None
        start = self._clause_start(cue, u_end)
        if start is not None:
            end = self._clause_end(start, u_end, attributed)
            if _count_words(text, start, end) >= 2:
                return start, end
            return None
        # "CLAUSE, he said." with only an adjunct after the cue
        before = text[u_start : np[0]].rstrip()
        if before.endswith(",") and _count_words(text, cue.end, min(u_end, cue.end + 200)) <= 6 and cue.clause != "none":
            end = u_start + len(before) - 1
            words = _tokens(text, u_start, end)
            if len(words) >= 4 and words[0][2].lower() not in self.rules.prepositions | self.rules.openers:
                if not any(q.taken and u_start <= q.open < end for q in quotes):
                    return u_start, end
        return None

    def _nested(self) -> None:
        """Quotations nested inside direct quotes, attributed by a cue inside the outer quote."""
        for rec in [r for r in self.records if r.kind == "direct"]:
            outer = next((q for q in self.quotes if q.start == rec.start and q.end == rec.end), None)
            if outer is None:
                continue
            for q in outer.inner:
                att = self._inner_attribution(q, outer.start, outer.end, rec.unit)
                if att:
                    self._add(q.start, q.end, "direct", att[1], (att[0].start, att[0].end), rec.unit, rec.para)

    def run(self) -> list[_Record]:
        for u in range(len(self.units)):
            self._unit(u)
        self._nested()
        seen, out = set(), []
        for r in sorted(self.records, key=lambda r: (r.start, -r.end)):
            if (r.start, r.end) not in seen and r.end > r.start:
                seen.add((r.start, r.end))
                out.append(r)
        return out


def _opening_context(text: str, i: int, lo: int, hi: int) -> bool:
    before = text[i - 1] if i > lo else " "
    after = text[i + 1] if i + 1 < hi else " "
    return (before.isspace() or before in "([{—–-:/‘") and not after.isspace()


def _sentence_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Sentence spans inside ``text[lo:hi]``, from the project's splitter so both entry points agree."""
    return [(lo + s, lo + e) for s, e in split_sentences(text[lo:hi])]


def _merge_units(sents, quotes: list[_Quote], lo: int, hi: int) -> list[tuple[int, int]]:
    """Join sentences that one quotation runs across, so a quote and its attribution share a unit."""
    units: list[list[int]] = []
    for s, e in sorted(sents):
        s, e = max(s, lo), min(e, hi)
        if e <= s:
            continue
        if units and any(q.open < units[-1][1] and q.stop > units[-1][1] and q.open >= units[-1][0] for q in quotes):
            units[-1][1] = max(units[-1][1], e)
        else:
            units.append([s, e])
    # a quote opening in one unit and closing in the next also joins them
    merged: list[list[int]] = []
    for u in units:
        if merged and any(merged[-1][0] <= q.open < merged[-1][1] and q.stop > merged[-1][1] for q in quotes):
            merged[-1][1] = max(merged[-1][1], u[1])
        else:
            merged.append(u)
    return [(s, e) for s, e in merged]


def _records(text: str, book: Codebook, rules: QuoteRules, sentence_spans=None) -> list[_Record]:
    if not isinstance(text, str) or not text.strip():
        return []
    return _Extractor(text, book, rules, sentence_spans).run()


def _rows(text: str, records: list[_Record]) -> list[tuple]:
    rows = []
    for i, r in enumerate(records):
        ms, me = r.mention if r.mention else (None, None)
        cs, ce = r.cue if r.cue else (None, None)
        rows.append(
            (
                i,
                text[r.start : r.end],
                r.start,
                r.end,
                r.kind,
                r.speaker,
                text[ms:me] if r.mention else None,
                ms,
                me,
                " ".join(text[cs:ce].split()) if r.cue else None,
                cs,
                ce,
                r.actor.camp if r.actor else None,
            )
        )
    return rows


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("speaker_start", "speaker_end", "cue_start", "cue_end"):
        frame[col] = frame[col].astype("Int64")
    for col in ("speaker", "speaker_mention", "cue", "camp"):
        frame[col] = frame[col].astype(object)
    return frame


def extract_quotes(text: str, codebook: Codebook | None = None, *, rules: QuoteRules | None = None) -> pd.DataFrame:
    """Every attributed statement in ``text``, one row each (:data:`QUOTES_SCHEMA`).

    ``codebook`` resolves speakers to canonical names and camps (default
    ``data/actors.yaml``); ``rules`` defaults to ``data/quote_rules/``.
    Never raises on odd text: no quotation marks, unbalanced marks or an empty
    string give fewer (or no) rows.

    >>> df = extract_quotes("Joly told reporters she was skeptical. “I haven’t heard him once,” she said.")
    >>> df[["quote", "kind", "speaker", "speaker_mention"]].values.tolist()
    [['she was skeptical', 'indirect', 'Mélanie Joly', 'Joly'], ['I haven’t heard him once,', 'direct', 'Mélanie Joly', 'she']]
    """
    book = codebook if codebook is not None else load_codebook()
    rules = rules if rules is not None else load_quote_rules()
    rows = _rows(text, _records(text, book, rules)) if isinstance(text, str) else []
    return QUOTES_SCHEMA.validate(_frame(rows, list(QUOTES_SCHEMA.columns)))


def extract_corpus_quotes(
    articles_df: pd.DataFrame,
    codebook: Codebook | None = None,
    *,
    rules: QuoteRules | None = None,
    progress: bool | None = None,
    sentences_df: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Run :func:`extract_quotes` over an articles table (:data:`CORPUS_QUOTES_SCHEMA`).

    Needs ``article_id`` and ``text``; ``outlet`` is carried when present.
    Paragraph and sentence ids come from :func:`analysis.text.sentences`, so
    they join onto its table; pass ``sentences_df`` (that function's output for
    these articles) when you have it, to avoid splitting twice: sentence
    splitting is most of the run time. A tqdm bar shows when there are more than
    :data:`PROGRESS_THRESHOLD` articles (``progress=True/False`` forces it).

    >>> import pandas as pd
    >>> arts = pd.DataFrame({"article_id": ["a"], "outlet": ["CBC"], "text": ["Intro.\\nCarney said he was not worried."]})
    >>> extract_corpus_quotes(arts)[["article_id", "quote", "paragraph_id", "sentence_id", "word_count"]].values.tolist()
    [['a', 'he was not worried', 1, 1, 4]]
    """
    from analysis.corpus import count_words
    from analysis.text import sentences

    missing = {"article_id", "text"} - set(articles_df.columns)
    if missing:
        raise KeyError(f"expected an articles table with article_id and text; missing {sorted(missing)}")
    book = codebook if codebook is not None else load_codebook()
    rules = rules if rules is not None else load_quote_rules()
    columns = list(CORPUS_QUOTES_SCHEMA.columns)
    frame = articles_df[["article_id", "text"]].astype({"article_id": str})
    sents = sentences_df if sentences_df is not None else (sentences(frame) if len(frame) else None)
    spans: dict[str, list[tuple[int, int, int, int]]] = {}
    if sents is not None:
        for aid, s, e, p, sid in zip(sents["article_id"], sents["start"], sents["end"], sents["paragraph_id"], sents["sentence_id"]):
            spans.setdefault(aid, []).append((s, e, p, sid))
    outlets = articles_df["outlet"] if "outlet" in articles_df.columns else [None] * len(articles_df)
    items = zip(frame["article_id"], outlets, frame["text"])
    show = len(articles_df) > PROGRESS_THRESHOLD if progress is None else progress
    if show:
        from tqdm.auto import tqdm

        items = tqdm(items, total=len(articles_df), desc="quotes", unit="article")
    rows = []
    for aid, outlet, text in items:
        if not isinstance(text, str):
            continue
        sent_rows = spans.get(aid, [])
        records = _records(text, book, rules, [(s, e, p) for s, e, p, _ in sent_rows])
        starts = [s for s, _, _, _ in sent_rows]
        outlet = None if outlet is None or (isinstance(outlet, float) and pd.isna(outlet)) else str(outlet)
        for row in _rows(text, records):
            k = max(0, bisect.bisect_right(starts, row[2]) - 1)
            para, sid = (sent_rows[k][2], sent_rows[k][3]) if sent_rows else (0, 0)
            rows.append((aid, outlet, *row, para, sid, count_words(row[1])))
    out = _frame(rows, columns)
    out["outlet"] = out["outlet"].astype(object)
    return CORPUS_QUOTES_SCHEMA.validate(out)
