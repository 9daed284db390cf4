"""The frame lexicon: named frame sets from ``data/frames.yaml``, validated and compiled to regexes.

Frames live in data, not code: :data:`FRAMES_PATH` (``data/frames.yaml``)
holds named *frame sets*, each a mapping of frames with a definition, a source
note and indicators. Nothing in this module knows any story; to study another
one, edit or swap the YAML (or pass your own file to :func:`load_frames`).
``data/frames.README.md`` documents the sets shipped and their known false
positives; :mod:`analysis.frames` scores texts with them.

Indicators
    ``terms``: plain words or phrases, matched case-insensitively on word
    boundaries. A trailing ``*`` on a word matches any word ending
    (``attack*`` -> attacks, attacked); a space between words matches any run
    of spaces or hyphens, a hyphen matches an optional space or hyphen
    (``co-operat*`` -> "co-operation", "cooperating", "co operate").
    ``patterns``: optional regular expressions (Python ``re``) for what a term
    list cannot say, e.g. a negated role ("not the ... critic"). They are
    case-insensitive (run on lower-cased text, their letters lower-cased),
    ``^``/``$`` match at line ends, and they carry their own ``\\b``. A term
    match overlapping a pattern match is dropped (the pattern is the evidence).
    ``exclude``: optional terms (same syntax as ``terms``); an indicator match
    overlapping an exclude match is dropped ("partisan" inside "non-partisan").
    Curly quotes are read as straight ones before matching (``don't`` matches
    "don’t"); evidence strings are cut from the original text.

>>> sets = load_frames()
>>> list(sets["generic_frames"].frames)[:2]
['conflict', 'human_interest']
>>> fold_text("Don’t STOP")
"don't stop"
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from analysis.datafiles import LexiconError, cached_by_mtime, read_yaml
from analysis.paths import DATA_DIR
from analysis.pattern_literals import Requirement, required_literals

FRAMES_PATH = DATA_DIR / "frames.yaml"
"""The frame lexicon shipped with the workbench."""

SET_KEYS = ("description", "source", "frames")
FRAME_KEYS = ("label", "definition", "source", "terms", "patterns", "exclude", "notes", "residual")

# For matching terms the text is lower-cased and curly quotes made straight, one character for one so offsets
# are unchanged; U+0130 is the one character whose lower case is two characters long, so it is mapped first.
MATCH_CHARS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"', "\u0130": "I", "\u2010": "-", "\u2011": "-"})
"""``str.translate`` table applied (with ``.lower()``) to every text before matching: see :func:`fold_text`."""
_MATCH_PAIRS = tuple((chr(k), v) for k, v in MATCH_CHARS.items())

_SEP_CHARS = r"[\s\-\u2010\u2011]"
# Terms are matched on a copy where non-ASCII spaces are " " and other
# non-ASCII non-word characters (dashes, guillemets) are "\x01", so "a non-word
# character" is the plain set BOUNDARY, which ``re`` tests far faster than the
# Unicode category ``\W`` (the text is lower-cased: no A-Z).
_NON_ASCII_SPACE = re.compile(r"[^\S\x00-\x7f]")
_NON_ASCII_NONWORD = re.compile(r"[^\w\s\x00-\x7f]")
BOUNDARY = "[^0-9a-z_\x80-\U0010ffff]"
"""One non-word character of lower-cased, :func:`asciify_boundaries`-mapped text (faster in ``re`` than ``\\W``)."""


def asciify_boundaries(text: str) -> str:
    """Map non-ASCII spaces to " " and other non-ASCII non-word characters to "\\x01", one for one."""
    if text.isascii():
        return text
    return _NON_ASCII_NONWORD.sub("\x01", _NON_ASCII_SPACE.sub(" ", text))


def fold_text(text: str) -> str:
    """A text as indicators are matched on: curly quotes straight, lower-cased, same length.

    >>> fold_text("Don’t")
    "don't"
    """
    if not text.isascii():  # MATCH_CHARS maps only non-ASCII characters, each to an ASCII one
        for char, replacement in _MATCH_PAIRS:  # str.replace per character present: what translate does, faster
            if char in text:
                text = text.replace(char, replacement)
    return text.lower()


_FLAGS = re.IGNORECASE | re.MULTILINE
_BACKREF = re.compile(r"\\[1-9]|\(\?P=|\\g<")
_ANCHOR = re.compile(r"\\[AZ]")


class FrameLexiconError(LexiconError):
    """A frame lexicon that cannot be used; the message lists every problem with its set/frame/key."""


@dataclass(frozen=True)
class Frame:
    """One frame of a set, its terms and its patterns each compiled into one regex.

    All three run on lower-cased text, case-sensitively (two to three times
    faster in Python's ``re`` than IGNORECASE); ``pattern_regex`` is compiled
    with MULTILINE. ``term_trie`` / ``exclude_trie`` are the regex bodies that
    :func:`score_frames` combines for all frames of a set into one scan.
    ``pattern_literals``: per pattern alternative, the literal sets a match
    contains one string of each (:func:`analysis.pattern_literals.required_literals`),
    so only texts holding them are scanned; None when a pattern allows no
    such prefilter (every text is scanned).
    """

    set_name: str
    name: str
    label: str
    definition: str
    source: str
    terms: tuple[str, ...]
    patterns: tuple[str, ...]
    exclude: tuple[str, ...]
    notes: str
    residual: bool
    term_regex: re.Pattern | None
    term_trie: str
    exclude_trie: str
    pattern_regex: re.Pattern | None
    exclude_regex: re.Pattern | None
    pattern_literals: Requirement | None = None


@dataclass(frozen=True)
class FrameSet:
    """A named set of frames (e.g. ``generic_frames``), frames in file order."""

    name: str
    description: str
    source: str
    frames: dict[str, Frame]


# --------------------------------------------------------------------------- loading


def _read(path: Path) -> object:
    try:
        return read_yaml(path)
    except yaml.YAMLError as exc:
        raise FrameLexiconError(str(path), [f"not valid YAML: {exc}"]) from exc


_SEP_REQUIRED = _SEP_CHARS + "+"
_SEP_OPTIONAL = _SEP_CHARS + "?"
_STAR = r"\w*"


def _term_units(term: str) -> tuple[str, ...]:
    r"""A term as regex units, lower-cased: one per character, plus separators and ``*``.

    Raises ValueError on a misplaced ``*`` or a dangling hyphen.

    >>> _term_units("co-op*")
    ('c', 'o', '[\\s\\-\\u2010\\u2011]?', 'o', 'p', '\\w*')
    """
    words = asciify_boundaries(term.strip().translate(MATCH_CHARS).lower()).split()
    if not words:
        raise ValueError("empty term")
    units: list[str] = []
    for w, word in enumerate(words):
        if w:
            units.append(_SEP_REQUIRED)
        for i, piece in enumerate(word.split("-")):
            star = piece.endswith("*")
            core = piece[:-1] if star else piece
            if "*" in core or (star and not core):
                raise ValueError(f"term {term!r}: '*' is allowed only at the end of a word")
            if not core:
                raise ValueError(f"term {term!r}: a hyphen must join two parts of a word")
            if i:
                units.append(_SEP_OPTIONAL)
            units.extend(re.escape(ch) for ch in core)
            if star:
                units.append(_STAR)
    return tuple(units)


def terms_regex(terms: Sequence[str]) -> str:
    r"""One regex for a term list, as a trie over lower-cased text, without the start boundary.

    Written for the speed of Python's ``re``: every branch starts with a
    literal, so only the branch for the character seen is tried, and at each
    node longer continuations come before ``*`` and before the end, so the
    longest term wins at a position. The caller puts the start boundary in
    front (see ``analysis.frames``' set scanner).

    >>> terms_regex(["war", "war*", "warm"])
    '(?:w(?:a(?:r(?:m|\\w*|))))(?!\\w)'
    """
    root: dict = {}
    for term in terms:
        node = root
        for unit in _term_units(term):
            node = node.setdefault(unit, {})
        node[""] = {}

    def emit(node: dict) -> str:
        keys = sorted((k for k in node if k), key=lambda k: (k == _STAR, k))
        alternatives = [k + emit(node[k]) for k in keys]
        if "" in node:
            alternatives.append("")
        if not alternatives or alternatives == [""]:
            return ""
        return "(?:" + "|".join(alternatives) + ")"

    return emit(root) + r"(?!\w)"


def _check_strings(value: object, where: str, key: str, problems: list[str]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"{where}: '{key}' must be a list of strings, got {type(value).__name__}")
        return []
    good = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            problems.append(f"{where}: '{key}' item {i} must be a non-empty string, got {item!r}")
        else:
            good.append(item)
    return good


_ESCAPE = re.compile(r"\\N\{[^}]*\}|\\.", re.DOTALL)


def _lower_pattern(pattern: str) -> str:
    r"""The pattern with its literal letters lower-cased; escapes (``\S``, ``\N{...}``) kept.

    Patterns run on lower-cased text without IGNORECASE (two to three times
    faster in Python's ``re``), so their letters are lower-cased here.

    >>> _lower_pattern(r"\bNot\s+\S+ Critic")
    '\\bnot\\s+\\S+ critic'
    """
    out, last = [], 0
    for m in _ESCAPE.finditer(pattern):
        out.append(pattern[last:m.start()].lower())
        out.append(m.group())
        last = m.end()
    out.append(pattern[last:].lower())
    return "".join(out)


def _check_pattern(pattern: str, where: str, problems: list[str]) -> bool:
    try:
        compiled = re.compile(pattern, _FLAGS)
    except re.error as exc:
        problems.append(f"{where}: pattern {pattern!r} does not compile: {exc}")
        return False
    if compiled.groupindex or _BACKREF.search(pattern):
        problems.append(f"{where}: pattern {pattern!r} uses named groups or backreferences, which are not supported")
        return False
    if _ANCHOR.search(pattern):
        problems.append(f"{where}: pattern {pattern!r} uses \\A or \\Z; use ^ and $ (they match at line ends)")
        return False
    if compiled.match(""):
        problems.append(f"{where}: pattern {pattern!r} matches the empty string")
        return False
    return True


def _build_frame(set_name: str, name: object, spec: object, set_source: str, problems: list[str]) -> Frame | None:
    where = f"set {set_name!r}, frame {name!r}"
    if not isinstance(name, str) or not name.strip():
        problems.append(f"set {set_name!r}: frame name {name!r} must be a non-empty string")
        return None
    if not isinstance(spec, dict):
        problems.append(f"{where}: expected a mapping with keys {', '.join(FRAME_KEYS)}, got {type(spec).__name__}")
        return None
    before = len(problems)
    for key in spec:
        if key not in FRAME_KEYS:
            problems.append(f"{where}: unknown key {key!r} (allowed: {', '.join(FRAME_KEYS)})")
    definition = spec.get("definition")
    if not isinstance(definition, str) or not definition.strip():
        problems.append(f"{where}: missing definition (a non-empty string)")
    for key in ("label", "source", "notes"):
        if spec.get(key) is not None and not isinstance(spec[key], str):
            problems.append(f"{where}: '{key}' must be a string")
    residual = spec.get("residual", False)
    if not isinstance(residual, bool):
        problems.append(f"{where}: 'residual' must be true or false")
        residual = False
    terms = _check_strings(spec.get("terms"), where, "terms", problems)
    patterns = _check_strings(spec.get("patterns"), where, "patterns", problems)
    exclude = _check_strings(spec.get("exclude"), where, "exclude", problems)
    if residual and (terms or patterns or exclude):
        problems.append(f"{where}: a residual frame fires when no other frame does; it takes no terms, patterns or exclude")
    if not residual and not terms and not patterns:
        problems.append(f"{where}: empty indicators (give 'terms' or 'patterns', or 'residual: true')")
    term_regex = pattern_regex = exclude_regex = pattern_literals = None
    try:
        term_alt = terms_regex(terms) if terms else None
        exclude_alt = terms_regex(exclude) if exclude else None
    except ValueError as exc:
        problems.append(f"{where}: {exc}")
        term_alt = exclude_alt = None
    good_patterns = [p for p in patterns if _check_pattern(p, f"{where}, 'patterns'", problems)]
    if len(problems) == before and not residual:
        try:
            term_regex = re.compile(r"(?<!\w)" + term_alt) if term_alt else None
            exclude_regex = re.compile(r"(?<!\w)" + exclude_alt) if exclude_alt else None
            if good_patterns:
                lowered = [_lower_pattern(p) for p in good_patterns]
                pattern_regex = re.compile("|".join(f"(?:{p})" for p in lowered), re.MULTILINE)
                # A match of the joined regex is a match of one pattern: it holds what that pattern requires.
                required = [required_literals(p) for p in lowered]
                if all(r is not None for r in required):
                    pattern_literals = tuple(alt for r in required for alt in r)
        except re.error as exc:  # e.g. a global inline flag such as (?i) inside a pattern
            problems.append(f"{where}: indicators do not compile together: {exc}")
    if len(problems) > before:
        return None
    return Frame(
        set_name=set_name,
        name=name,
        label=spec.get("label") or name.replace("_", " ").capitalize(),
        definition=definition.strip(),
        source=(spec.get("source") or set_source or "").strip(),
        terms=tuple(terms),
        patterns=tuple(patterns),
        exclude=tuple(exclude),
        notes=(spec.get("notes") or "").strip(),
        residual=residual,
        term_regex=term_regex,
        term_trie=term_alt or "",
        exclude_trie=exclude_alt or "",
        pattern_regex=pattern_regex,
        exclude_regex=exclude_regex,
        pattern_literals=pattern_literals,
    )


def _parse_frames(data: object, path: str) -> dict[str, FrameSet]:
    problems: list[str] = []
    if not isinstance(data, dict) or not data:
        raise FrameLexiconError(path, ["expected a mapping of frame-set names to sets, e.g. 'generic_frames: {frames: {...}}'"])
    sets: dict[str, FrameSet] = {}
    for set_name, spec in data.items():
        if not isinstance(set_name, str) or not set_name.strip():
            problems.append(f"set name {set_name!r} must be a non-empty string")
            continue
        if not isinstance(spec, dict):
            problems.append(f"set {set_name!r}: expected a mapping with keys {', '.join(SET_KEYS)}, got {type(spec).__name__}")
            continue
        for key in spec:
            if key not in SET_KEYS:
                problems.append(f"set {set_name!r}: unknown key {key!r} (allowed: {', '.join(SET_KEYS)})")
        for key in ("description", "source"):
            if spec.get(key) is not None and not isinstance(spec[key], str):
                problems.append(f"set {set_name!r}: '{key}' must be a string")
        frames_spec = spec.get("frames")
        if not isinstance(frames_spec, dict) or not frames_spec:
            problems.append(f"set {set_name!r}: missing 'frames' (a non-empty mapping of frame names to frames)")
            continue
        set_source = spec.get("source") if isinstance(spec.get("source"), str) else ""
        frames = {}
        for name, frame_spec in frames_spec.items():
            frame = _build_frame(set_name, name, frame_spec, set_source, problems)
            if frame is not None:
                frames[name] = frame
        if sum(f.residual for f in frames.values()) > 1:
            problems.append(f"set {set_name!r}: more than one residual frame")
        sets[set_name] = FrameSet(
            name=set_name,
            description=(spec.get("description") or "").strip() if isinstance(spec.get("description"), str) else "",
            source=set_source.strip(),
            frames=frames,
        )
    if problems:
        raise FrameLexiconError(path, problems)
    return sets



@cached_by_mtime
def _load_frames_cached(path: Path) -> dict[str, FrameSet]:
    return _parse_frames(_read(path), str(path))


def load_frames(path: str | Path | None = None) -> dict[str, FrameSet]:
    """Load and validate a frame lexicon: ``{set name: FrameSet}`` in file order.

    ``path`` defaults to :data:`FRAMES_PATH`. Any set name is accepted; each set
    needs ``frames`` (a mapping), each frame a ``definition`` and at least one
    of ``terms`` / ``patterns`` (or ``residual: true``). Every problem found is
    listed in one :class:`FrameLexiconError` naming the set, frame and key.
    Results are cached per file and modification time.

    >>> sorted(load_frames())[:2]
    ['generic_frames', 'policy_frames']
    >>> load_frames()["generic_frames"].frames["conflict"].definition[:40]
    'Disagreement between individuals, groups'
    """
    path = Path(path) if path is not None else FRAMES_PATH
    if not path.is_file():
        raise FileNotFoundError(f"frame lexicon not found: {path}")
    return dict(_load_frames_cached(path))


@cached_by_mtime
def _set_names(path: Path) -> tuple[str, ...]:
    data = _read(path)
    return tuple(data) if isinstance(data, dict) else ()


def frame_set_names(path: str | Path | None = None) -> tuple[str, ...]:
    """The names of the sets in a frame lexicon, in file order, read without compiling it (see :func:`load_frames`).

    >>> frame_set_names() == tuple(load_frames())
    True
    """
    path = Path(path) if path is not None else FRAMES_PATH
    if not path.is_file():
        raise FileNotFoundError(f"frame lexicon not found: {path}")
    return _set_names(path)


def list_frames(lexicon: Mapping[str, FrameSet] | str | Path | None = None) -> pd.DataFrame:
    """One row per frame of every set: definition, source and indicator counts, for notebooks and docs.

    >>> list_frames().query("frame_set == 'generic_frames'")["frame"].tolist()
    ['conflict', 'human_interest', 'economic_consequences', 'morality', 'responsibility']
    """
    sets = resolve_lexicon(lexicon)
    rows = [
        (s.name, f.name, f.label, f.definition, f.source, len(f.terms), len(f.patterns), len(f.exclude), f.residual)
        for s in sets.values()
        for f in s.frames.values()
    ]
    return pd.DataFrame(
        rows,
        columns=["frame_set", "frame", "label", "definition", "source", "terms_n", "patterns_n", "exclude_n", "residual"],
    )


def resolve_lexicon(lexicon: Mapping[str, FrameSet] | str | Path | None) -> Mapping[str, FrameSet]:
    if lexicon is None or isinstance(lexicon, (str, Path)):
        return load_frames(lexicon)
    return lexicon


def select_frames(sets: Mapping[str, FrameSet], frame_set: str, frames: Iterable[str] | None) -> list[Frame]:
    if frame_set not in sets:
        raise KeyError(f"unknown frame set {frame_set!r}; the lexicon has {', '.join(sets)}")
    available = sets[frame_set].frames
    if frames is None:
        return list(available.values())
    if isinstance(frames, str):
        frames = [frames]
    names = list(dict.fromkeys(frames))
    unknown = [n for n in names if n not in available]
    if unknown:
        raise KeyError(f"unknown frame(s) {unknown} in set {frame_set!r}; it has {', '.join(available)}")
    return [available[n] for n in names]

