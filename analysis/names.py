"""Names of people and organisations in news text, found from capitalisation and word lists.

:func:`find_names` reads one sentence and returns each run of capitalised
words as a :class:`Name`: the name itself with any title or honorific split
off ("Conservative MP Jamil Jivani" is the name "Jamil Jivani" with the role
"Conservative MP"; "Mr. Jivani" is "Jivani" with the honorific "Mr."), the
kind it looks like (``person`` when a title, honorific, role noun or
apposition says so; ``organisation`` when it holds an organisation word such
as "Party" or "House"; ``group`` for plural party names; else ``name``), and
a description from an apposition ("Kirsten Hillman, Canada's ambassador to
the U.S." gives "Canada's ambassador to the U.S."). The word lists live in
``data/name_words.yaml`` (:func:`load_name_words`). Offsets are into the
sentence: ``sentence[start:end] == name.text``.

>>> [(n.text, n.kind, n.role) for n in find_names("Prime Minister Mark Carney met Mr. Jivani at the White House.")]
[('Mark Carney', 'person', 'Prime Minister'), ('Jivani', 'person', None), ('White House', 'organisation', None)]

Limits: a parser would do better. A name opening a sentence is kept unless it
is a stop-word ("But", "The"); a capitalised word that is neither a person nor
an organisation (a place, an event, a bill) comes back as kind ``name``; a
title of several words is found only when the list has it; an apposition is
read only when a role noun heads it before any preposition ("the minister
responsible for trade", not "a friend of the minister").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from analysis.paths import DATA_DIR

NAME_WORDS = DATA_DIR / "name_words.yaml"
_KEYS = ("titles", "role_nouns", "honorifics", "connectors", "stopwords", "description_openers", "prepositions", "clause_words",
         "indefinite_openers", "organisation_words", "institutions", "groups")
_LOWER_SETS = ("role_nouns", "description_openers", "prepositions", "clause_words", "indefinite_openers")
_TOKEN = re.compile(r"[^\W\d_](?:\w|['’.\-](?=[^\W_]))*\.?")
_POSSESSIVE = re.compile(r"['’]s$")
_CONTRACTION = re.compile(r"['’](?:ll|ve|re|d|m|s|t)$")
_CAPITAL_POSSESSIVE = re.compile(r"^[A-Z][\w.\-]*['’]s?$")


class NameWordsError(ValueError):
    """A name word list that cannot be used; the message names the file and each problem."""


@dataclass(frozen=True)
class NameWords:
    """The word lists of ``data/name_words.yaml``, ready for matching."""

    @cached_property
    def title_words(self) -> frozenset[str]:
        """Words that open a title or are an honorific ("Minister", "Mr."): never dropped as an ordinary word."""
        return frozenset(t[0] for t in self.titles) | frozenset(self.honorifics)

    titles: tuple[tuple[str, ...], ...]
    role_nouns: frozenset[str]
    honorifics: dict[str, str]
    connectors: frozenset[str]
    stopwords: frozenset[str]
    description_openers: frozenset[str]
    prepositions: frozenset[str]
    clause_words: frozenset[str]
    indefinite_openers: frozenset[str]
    organisation_words: tuple[tuple[str, ...], ...]
    institutions: frozenset[str]
    groups: frozenset[str]


@dataclass(frozen=True)
class Name:
    """One capitalised run in a sentence, title and honorific split off."""

    start: int
    end: int
    text: str
    kind: str
    """``person``, ``organisation``, ``group`` or ``name`` (unknown: a place, an event, a person without evidence)."""
    role: str | None = None
    """The title before the name ("Conservative MP"), or the lower-case role noun before it ("president")."""
    title: str | None = None
    """The title word(s) of ``role`` ("MP", "Prime Minister"), for aliases such as "Prime Minister Carney"."""
    honorific: str | None = None
    description: str | None = None
    """An apposition naming the role ("the minister responsible for trade")."""
    possessive: bool = False


def load_name_words(path: str | Path | None = None) -> NameWords:
    """Read and check the word lists (default ``data/name_words.yaml``); :class:`NameWordsError` lists every problem.

    >>> "MP" in {t[-1] for t in load_name_words().titles}
    True
    """
    path = Path(NAME_WORDS if path is None else path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise NameWordsError(f"{path}: cannot read the name word lists: {exc}") from exc
    if not isinstance(raw, dict):
        raise NameWordsError(f"{path}: the top level must be a mapping with the keys {list(_KEYS)}")
    problems = [f"missing key {k!r}" for k in _KEYS if k not in raw] + [f"unknown key {k!r} (allowed: {list(_KEYS)})" for k in raw if k not in _KEYS]
    for key in _KEYS:
        value = raw.get(key)
        items = list(value.items()) if isinstance(value, dict) else value
        if key in raw and not isinstance(items, list):
            problems.append(f"{key!r} must be a list")
            continue
        for item in items or []:
            for word in item if isinstance(item, tuple) else (item,):
                if not isinstance(word, str) or not word.strip():
                    problems.append(f"{key!r}: {word!r} is not text (quote yes/no/on/off: YAML reads them as true/false)")
    if isinstance(raw.get("honorifics"), list) or (isinstance(raw.get("honorifics"), dict) and any(v not in ("he", "she", "they") for v in raw["honorifics"].values())):
        problems.append("'honorifics' must map each honorific to he, she or they")
    if problems:
        raise NameWordsError(f"{len(problems)} problem(s) in {path}:\n  " + "\n  ".join(problems))
    return NameWords(
        titles=tuple(sorted({tuple(t.split()) for t in raw["titles"]}, key=len, reverse=True)),
        honorifics=dict(raw["honorifics"]),
        connectors=frozenset(raw["connectors"]),
        stopwords=frozenset(raw["stopwords"]),
        **{key: frozenset(w.casefold() for w in raw[key]) for key in _LOWER_SETS},
        organisation_words=tuple(tuple(w.split()) for w in raw["organisation_words"]),
        institutions=frozenset(raw["institutions"]),
        groups=frozenset(raw["groups"]),
    )


def _tokens(sentence: str) -> list[tuple[int, int]]:
    """Word spans; a trailing dot stays only on an abbreviation ("U.S.", "Mr.", "J.")."""
    spans = []
    for match in _TOKEN.finditer(sentence):
        start, end = match.span()
        word = match.group()
        if word.endswith(".") and "." not in word[:-1] and len(word) > 2 and word[:-1] not in _ABBREVIATIONS:
            end -= 1
        spans.append((start, end))
    return spans


_ABBREVIATIONS = frozenset("Mr Mrs Ms Mx Dr Sen Rep Gov Gen Adm Col Lt Capt Sgt Rev Prof St Jr Sr Co Corp Inc Ltd Dept".split())


def _runs(sentence: str, words: NameWords) -> list[list[tuple[int, int]]]:
    """Runs of capitalised tokens joined by single spaces (connectors allowed inside), split at stop-words."""
    runs: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    spans = _tokens(sentence)
    for k, (start, end) in enumerate(spans):
        word = sentence[start:end]
        joined = bool(current) and sentence[current[-1][1] : start] in (" ", "\u00a0") and not _POSSESSIVE.search(sentence[current[-1][0] : current[-1][1]])
        capital = word[0].isupper() and not _is_stopword(word, words)
        connector = word in words.connectors and joined and _capital_after_connectors(sentence, spans, k + 1, words)
        if capital and (joined or not current):
            current.append((start, end))
        elif connector:
            current.append((start, end))
        elif capital:
            runs.append(current)
            current = [(start, end)]
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [_trim_connectors(run, sentence, words) for run in runs if run]


def _capital_after_connectors(sentence: str, spans: list[tuple[int, int]], k: int, words: NameWords) -> bool:
    """Whether the words from ``k`` on are connectors ("der") up to a capitalised word ("Leyen")."""
    while k < len(spans) and sentence[spans[k][0] : spans[k][1]] in words.connectors:
        k += 1
    return k < len(spans) and sentence[spans[k][0]].isupper()


def _is_stopword(word: str, words: NameWords) -> bool:
    """A stop-word as written, with its dot ("Feb" for "Feb."), or with a contraction ("I’ll")."""
    bare = _CONTRACTION.sub("", word)
    return word in words.stopwords or word + "." in words.stopwords or bare in words.stopwords


def _trim_connectors(run: list[tuple[int, int]], sentence: str, words: NameWords) -> list[tuple[int, int]]:
    while run and sentence[run[-1][0] : run[-1][1]] in words.connectors:
        run = run[:-1]
    return run


def _ends_with(seq: list[str], phrase: tuple[str, ...]) -> bool:
    return len(seq) >= len(phrase) and tuple(seq[len(seq) - len(phrase) :]) == phrase


def _contains(seq: list[str], phrase: tuple[str, ...]) -> bool:
    return any(tuple(seq[i : i + len(phrase)]) == phrase for i in range(len(seq) - len(phrase) + 1))


def _split_title(tokens: list[str], words: NameWords) -> tuple[int, str | None, str | None]:
    """``(index where the name starts, title word(s), honorific)``: the last title or honorific before the name."""
    for i in range(len(tokens) - 1, 0, -1):
        head = tokens[:i]
        if head[-1] in words.honorifics:
            return i, None, head[-1]
        for title in words.titles:
            if _ends_with(head, title):
                return i, " ".join(title), None
    return 0, None, None


def _headed_by_role(text: str, words: NameWords) -> bool:
    """Whether a role noun comes after the opener and before any preposition ("the minister responsible for ...")."""
    found = text.split()
    if not found or not (found[0].casefold() in words.description_openers or _CAPITAL_POSSESSIVE.match(found[0])):
        return False
    if any(w.casefold().strip(".,") in words.clause_words for w in found) or "''" in text or "``" in text:
        return False  # "the candidate will be attending ...": a clause; "''": a quotation in archive style
    for word in found[1:]:
        if word.casefold() in words.prepositions:
            return False
        if word[:1].islower() and word.strip(".,") in words.role_nouns:
            return True  # lower case as written: "the Florida senator", not "The Union Leader"
    return False


def _description(sentence: str, start: int, end: int, words: NameWords) -> str | None:
    """An apposition right after (", the minister responsible for trade,") or before the name, headed by a role noun."""
    after = re.match(r",\s+([^,;:()“”\"]{3,90}?)(?=,|;|\.\s|\.$|$)", sentence[end:])
    if after and _headed_by_role(after.group(1).strip(), words):
        return after.group(1).strip()
    before = re.search(r"([^,;:()“”\"]{3,90}),\s+$", sentence[:start])
    if before:
        text = before.group(1)
        # the shortest phrase that opens like a description and is headed by a role noun
        for opener in reversed([m.start() for m in re.finditer(r"(?:^|(?<=\s))\S", text)]):
            if _headed_by_role(text[opener:].strip(), words):
                return text[opener:].strip()
    return None


def _is_role_phrase(tokens: list[str], words: NameWords) -> bool:
    """A run that ends in a title: "the Ontario MP", "Liberal MPs", "Secretary of State", "the Vice President’s"."""
    last = tokens[-1]
    for variant in (last, last[:-1] if last.endswith("s") else last):
        if any(_ends_with([*tokens[:-1], variant], title) for title in words.titles):
            return True
    return False


def _kind(tokens: list[str], words: NameWords, evidence: bool) -> str:
    if " ".join(tokens) in words.groups:
        return "group"
    if any(_contains(tokens, w) for w in words.organisation_words):
        return "organisation"
    return "person" if evidence else "name"


def _opens_sentence(sentence: str, start: int) -> bool:
    return not any(ch.isalnum() for ch in sentence[:start])


def _read_run(sentence: str, run: list[tuple[int, int]], words: NameWords, common: frozenset[str], tail: bool = False) -> list[Name]:
    """The names in one run; ``tail``: the part after "of" ("New York" in "Chuck Schumer of New York"), which takes no role."""
    first_word = sentence[run[0][0] : run[0][1]]
    if _opens_sentence(sentence, run[0][0]) and first_word.casefold() in common and first_word not in words.title_words:
        run = run[1:]  # "Presumptive", "Besides": an ordinary word capitalised because it opens the sentence
    if not run:
        return []
    possessive = bool(_POSSESSIVE.search(sentence[run[-1][0] : run[-1][1]])) and run[-1][1] - run[-1][0] > 2
    if possessive:
        run = [*run[:-1], (run[-1][0], run[-1][1] - 2)]
    tokens = [sentence[s:e] for s, e in run]
    if _is_role_phrase(tokens, words):
        return []  # "the Ontario MP", "Liberal MPs": a description, not a name
    first, title, honorific = _split_title(tokens, words)
    if any(_contains(tokens, w) for w in words.organisation_words) and not any(_contains(tokens[:first], w) for w in words.organisation_words):
        first, title, honorific = 0, None, None  # "General Motors" is not a general; "House Speaker Paul Ryan" keeps his title
    names, rest = tokens[first:], []
    if "of" in names and _kind(names, words, False) != "organisation":
        cut = names.index("of")  # "Chuck Schumer of New York": two names
        names, rest = names[:cut], _read_run(sentence, run[first + cut + 1 :], words, common, tail=True) if first + cut + 1 < len(run) else []
    if not names:
        return rest
    start, end = run[first][0], run[first + len(names) - 1][1]
    role = sentence[run[0][0] : run[first - 1][1]] if title else None
    before = sentence[:start].split()[-1:] if first == 0 and not tail else []
    if before and before[0].casefold() in words.role_nouns and before[0][0].islower():
        role = before[0]
    description = None if tail else _description(sentence, start, end + 2 * (possessive and end == run[-1][1]), words)
    kind = _kind(names, words, bool(title or honorific or role or description))
    return [Name(start, end, sentence[start:end], kind, role, title, honorific, description, possessive and end == run[-1][1]), *rest]


def find_names(sentence: str, words: NameWords | None = None, *, common: frozenset[str] = frozenset()) -> list[Name]:
    """Every capitalised name run in ``sentence``, title and honorific split off (:class:`Name`).

    ``common``: lower-cased words that are ordinary words in this corpus (seen
    lower case more often than capitalised inside a sentence); one of them
    opening the sentence is not taken as part of a name.

    >>> [(n.text, n.role, n.description) for n in find_names("Canada’s outgoing ambassador to the U.S., Kirsten Hillman, spoke.")]
    [('Canada', None, None), ('U.S.', None, None), ('Kirsten Hillman', None, 'Canada’s outgoing ambassador to the U.S.')]
    >>> [n.text for n in find_names("Presumptive nominee Sen. Chuck Schumer of New York’s office said.", common=frozenset({"presumptive"}))]
    ['Chuck Schumer', 'New York']
    """
    words = words if words is not None else load_name_words()
    return [name for run in _runs(sentence, words) for name in _read_run(sentence, run, words, common)]


def count_case(sentences) -> frozenset[str]:
    """The ``common`` words of :func:`find_names`: seen lower case more often than capitalised after a sentence's first word.

    >>> common = count_case(["New rules came.", "The new rules.", "A new day in New York.", "Rules are new."])
    >>> "new" in common, "york" in common
    (True, False)
    """
    lower: dict[str, int] = {}
    upper: dict[str, int] = {}
    for sentence in sentences:
        for k, match in enumerate(_TOKEN.finditer(sentence)):
            word = match.group().rstrip(".")
            key = word.casefold()
            if word[:1].islower():
                lower[key] = lower.get(key, 0) + 1
            elif k > 0:
                upper[key] = upper.get(key, 0) + 1
    return frozenset(w for w, n in lower.items() if n > upper.get(w, 0))
