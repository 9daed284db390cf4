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
    time_nouns: frozenset[str]
    gloss_nouns: frozenset[str]
    subject_openers: frozenset[str]
    coordinators: frozenset[str]
    group_mentions: frozenset[str]
    target_pronouns: dict[str, str]
    double_marks: tuple[tuple[str, str], ...]
    single_marks: tuple[tuple[str, str], ...]
    straight_marks: tuple[str, ...] = ('"',)  # one mark at both ends; open or close read from context
    aux_re: re.Pattern = field(repr=False, compare=False, default=None)
    adverb_re: re.Pattern = field(repr=False, compare=False, default=None)
    verb_re: re.Pattern = field(repr=False, compare=False, default=None)
    single_re: re.Pattern = field(repr=False, compare=False, default=None)
    nested_re: re.Pattern = field(repr=False, compare=False, default=None)
    noun_re: re.Pattern = field(repr=False, compare=False, default=None)
    according_re: re.Pattern = field(repr=False, compare=False, default=None)
    mark_re: re.Pattern = field(repr=False, compare=False, default=None)
    aux_ends: tuple[str, ...] = field(repr=False, compare=False, default=("",))
    """The last word of each auxiliary: ``aux_re`` can match only where the text, white space stripped, ends with one."""
    adverb_ends: tuple[str, ...] = field(repr=False, compare=False, default=("",))
    """The same for the sentence adverbs of ``adverb_re`` (after one trailing comma is dropped)."""


class QuoteRulesError(ValueError):
    """A rules folder that cannot be used; the message names the file and key."""


class _Checker:
    """Reads keys from the rule files, noting every problem so that all are reported at once."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def need(self, data: dict, key: str, label: str, kind=list):
        if key not in data or not isinstance(data[key], kind):
            self.problems.append(f"{label}: missing or malformed key {key!r} (expected a {kind.__name__})")
            return kind()
        value = data[key]
        items = value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else []
        for i, item in enumerate(items):
            if isinstance(item, bool):
                self.problems.append(
                    f"{label}: {key}[{i}] reads as {item}: YAML takes unquoted on/off/yes/no as true/false; quote the word"
                )
            elif item is not None and not isinstance(item, (str, dict, list)):
                self.problems.append(f"{label}: {key}[{i}] is {item!r}, not a word")
        return value


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
    check = _Checker()
    verbs: dict[str, dict] = {}
    for lemma, spec in check.need(cues, "verbs", "cues.yaml", dict).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("forms"), list):
            check.problems.append(f"cues.yaml: verb {lemma!r} needs a 'forms' list")
            continue
        unknown = set(spec) - {"forms", "clause", "object"}
        if unknown or spec.get("clause", "bare") not in ("bare", "that", "none"):
            check.problems.append(f"cues.yaml: verb {lemma!r}: unknown keys {sorted(unknown)} or bad clause {spec.get('clause')!r}")
        for form in spec["forms"]:
            verbs[str(form)] = {"clause": spec.get("clause", "bare"), "object": bool(spec.get("object", False))}

    def strings(data: dict, key: str, label: str) -> tuple[str, ...]:
        return tuple(str(w) for w in check.need(data, key, label))

    def lower(key: str) -> frozenset[str]:
        return frozenset(" ".join(w.lower().split()) for w in strings(words, key, "words.yaml"))

    aux, nouns = strings(cues, "auxiliaries", "cues.yaml"), strings(cues, "nouns", "cues.yaml")
    according, adverbs = strings(cues, "according_to", "cues.yaml"), strings(cues, "sentence_adverbs", "cues.yaml")
    participles = frozenset(strings(cues, "participles_after_comma", "cues.yaml"))
    lists = {key: lower(key) for key in (
        "determiners", "clause_openers", "prepositions", "time_words", "speaker_nouns", "audiences", "not_clauses",
        "time_nouns", "gloss_nouns", "subject_openers", "coordinators", "group_mentions")}
    not_speakers = frozenset(strings(words, "not_speakers", "words.yaml"))
    pronouns = {str(k).lower(): v for k, v in check.need(words, "pronouns", "words.yaml", dict).items()}
    targets = {str(k).lower(): str(v) for k, v in check.need(words, "target_pronouns", "words.yaml", dict).items()}
    double = tuple(tuple(p) for p in check.need(marks, "double", "quote_marks.yaml"))
    single = tuple(tuple(p) for p in check.need(marks, "single", "quote_marks.yaml"))
    straight_spec = marks.get("straight_double", '"')
    straight = tuple(str(m) for m in (straight_spec if isinstance(straight_spec, list) else [straight_spec]))
    if not all(straight):
        check.problems.append("quote_marks.yaml: straight_double must be a mark or a list of marks, none empty")
    if check.problems:
        raise QuoteRulesError(f"{len(check.problems)} problem(s) in the rules in {folder}:\n  " + "\n  ".join(check.problems))
    single_chars = "".join(sorted({c for pair in single for c in pair}))
    pair_chars = "".join(sorted({c for pair in double for c in pair}))
    return QuoteRules(
        verbs=verbs,
        auxiliaries=aux,
        participles=participles,
        nouns=nouns,
        according=according,
        pronouns=pronouns,
        determiners=lists["determiners"],
        openers=lists["clause_openers"],
        prepositions=lists["prepositions"],
        time_words=lists["time_words"],
        speaker_nouns=lists["speaker_nouns"],
        not_speakers=not_speakers,
        audiences=lists["audiences"],
        not_clauses=lists["not_clauses"],
        time_nouns=lists["time_nouns"],
        gloss_nouns=lists["gloss_nouns"],
        subject_openers=lists["subject_openers"],
        coordinators=lists["coordinators"],
        group_mentions=lists["group_mentions"],
        target_pronouns=targets,
        double_marks=double,
        single_marks=single,
        straight_marks=straight,
        verb_re=re.compile(rf"(?<![\w’'-]){_trie_regex([[re.escape(c) for c in v] for v in verbs])}(?![\w’'-])"),
        aux_re=re.compile(rf"(?<![\w’'-])(?:{_alternation(aux)})\s+$"),
        adverb_re=re.compile(rf"(?:,\s*)?(?<![\w’'-])(?:{_alternation(adverbs)}),?\s+$"),
        noun_re=re.compile(  # (the possessive spelled out as four literal alternatives lets re skip to an apostrophe or "s")
            rf"(?:'s|’s|s'|s’)\s+(?:(?:recent|latest|earlier|previous|own|public)\s+)?(?P<noun>{_alternation(nouns)})(?![\w’'-])"
        ),
        according_re=re.compile(rf"(?<![\w’'-])(?i:{_alternation(according)})\s+"),
        aux_ends=tuple({w.rsplit(" ", 1)[-1] for w in aux}),
        adverb_ends=tuple({w.rsplit(" ", 1)[-1] for w in adverbs}),
        mark_re=re.compile("|".join([re.escape(m) for m in sorted(straight, key=len, reverse=True)] + [f"[{re.escape(pair_chars)}]"])),
        single_re=re.compile(f"[{re.escape(single_chars)}]"),
        nested_re=re.compile(f"[{re.escape(single_chars + str(marks.get('straight_single', '')))}]"),
    )
