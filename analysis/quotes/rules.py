"""The quote finder's rules: cue words, word lists and quotation marks, read from ``data/quote_rules/``.

The rules are data so that another outlet's style or another language has a
place to go: edit the YAML files (their README says why each list exists),
not the code. :func:`load_quote_rules` reads and compiles them once per
folder and file modification time.

>>> rules = load_quote_rules()
>>> rules.verbs["told"], "reporters" in rules.audiences
({'clause': 'bare', 'object': True}, True)

Limits: every inflection of a verb is listed (nothing is derived), and verbs
match case-sensitively, so a sentence-initial "Asked about ..." is no cue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from analysis.actors import _trie_regex
from analysis.paths import DATA_DIR

RULES_DIR = DATA_DIR / "quote_rules"
RULE_FILES = ("cues.yaml", "words.yaml", "quote_marks.yaml")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise QuoteRulesError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise QuoteRulesError(f"{path}: expected a mapping at the top level")
    return data


def _alternation(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))


def load_quote_rules(folder: str | Path | None = None) -> QuoteRules:
    """Load the rule files (``cues.yaml``, ``words.yaml``, ``quote_marks.yaml``) from ``folder``.

    Compiled once per folder and per modification time of its files, so an
    edited rule file is read again and an unchanged one costs nothing.

    >>> load_quote_rules().verbs["told"]
    {'clause': 'bare', 'object': True}
    """
    folder = Path(RULES_DIR if folder is None else folder).resolve()
    stamps = tuple(p.stat().st_mtime_ns if p.is_file() else None for p in (folder / n for n in RULE_FILES))
    return _compile_rules(str(folder), stamps)


@lru_cache(maxsize=16)
def _compile_rules(folder_name: str, _stamps: tuple) -> QuoteRules:
    folder = Path(folder_name)
    cues, words, marks = (_read_yaml(folder / name) for name in RULE_FILES)
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

    def lower(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in _need(words, key, "words.yaml"))

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
