"""Word lists of the text's language that code reads outside the lexicons: ``data/words.yaml``.

Negations and reporting verbs for the stance model's features
(:mod:`analysis.sentiment`), and the filler words and negations the
attribution-cue classifier skips (:mod:`analysis.cues`). Every other word
list is a data file as well (``data/quote_rules/``, ``data/attribution_verbs.yaml``,
``data/frames.yaml``); for another language, replace them together.

>>> words = load_words()
>>> "never" in words.negations, "said" in words.reporting_verbs
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis.datafiles import LexiconError, cached_by_mtime, read_yaml
from analysis.paths import DATA_DIR

WORDS_PATH = DATA_DIR / "words.yaml"
KEYS = ("negations", "reporting_auxiliaries", "reporting_verbs", "cue_fillers", "cue_negations")


class WordListError(LexiconError):
    """A word-list file that cannot be used; the message lists every problem."""


@dataclass(frozen=True)
class WordLists:
    """The lists of :data:`WORDS_PATH`, lower-cased, in file order."""

    negations: frozenset[str]
    reporting_auxiliaries: tuple[str, ...]
    reporting_verbs: tuple[str, ...]
    cue_fillers: frozenset[str]
    cue_negations: frozenset[str]


@cached_by_mtime
def _load(path: Path) -> WordLists:
    try:
        data = read_yaml(path)
    except yaml.YAMLError as exc:
        raise WordListError(str(path), [f"not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise WordListError(str(path), [f"expected a mapping with keys {', '.join(KEYS)}"])
    problems = [f"unknown key {k!r} (allowed: {', '.join(KEYS)})" for k in data if k not in KEYS]
    lists = {}
    for key in KEYS:
        value = data.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(w, str) and w.strip() for w in value):
            problems.append(f"{key!r} must be a non-empty list of words")
            continue
        lists[key] = [w.strip().lower() for w in value]
    if problems:
        raise WordListError(str(path), problems)
    return WordLists(
        negations=frozenset(lists["negations"]),
        reporting_auxiliaries=tuple(lists["reporting_auxiliaries"]),
        reporting_verbs=tuple(lists["reporting_verbs"]),
        cue_fillers=frozenset(lists["cue_fillers"]),
        cue_negations=frozenset(lists["cue_negations"]),
    )


def load_words(path: str | Path | None = None) -> WordLists:
    """The word lists (default :data:`WORDS_PATH`), validated; parsed once per file version."""
    path = Path(path) if path is not None else WORDS_PATH
    if not path.is_file():
        raise FileNotFoundError(f"word lists not found: {path}")
    return _load(path)
