"""Score texts for news frames with lexicons, and classify attribution verbs.

Frames live in data, not code: :data:`FRAMES_PATH` (``data/frames.yaml``)
holds named *frame sets*, each a mapping of frames with a definition, a source
note and indicators. Nothing in this module knows any story; to study another
one, edit or swap the YAML (or pass your own file to :func:`load_frames`).
``data/frames.README.md`` documents the sets shipped and their known false
positives.

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

Speed
    All frames' terms of a set are found in one regex pass over all texts
    joined (a trie per frame, in one lookahead group each); patterns take one
    pass per frame. Measured ~25-30k sentences/s for ``story_frames`` and
    ~70k/s for ``generic_frames`` (CPU time, one core, 12-35-word sentences).

Tables
    :func:`score_frames` -> one row per (text, frame), :data:`FRAME_SCORES_SCHEMA`
    (plus the caller's id columns in front); :func:`aggregate_frames` -> one row
    per (group, frame), :data:`FRAME_SHARES_SCHEMA`; :func:`count_cues` -> one
    row per (group, cue category), :data:`CUE_COUNTS_SCHEMA`.

>>> import pandas as pd
>>> scored = score_frames(["The minister blasted the plan.", "Families are struggling."])
>>> scored.loc[scored.hits_n > 0, ["text_id", "frame", "hits_n", "matched_terms"]].values.tolist()
[[0, 'conflict', 1, 'blasted'], [1, 'human_interest', 2, 'Families; struggling']]
>>> classify_cue("has said"), classify_cue("brushed off"), classify_cue("sang")
('neutral', 'dismissive', 'other')

Limits: a lexicon counts words, it does not read. Negation ("we are not
fighting") still fires the frame its words belong to, unless a pattern or an
``exclude`` term handles it; irony, quotation of an opponent's words and
metaphor are not recognised. Scores are indicators for finding and comparing
passages, to be validated against a hand-coded sample, not measurements of
"the frame" of an article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import yaml

from analysis.paths import DATA_DIR

FRAMES_PATH = DATA_DIR / "frames.yaml"
"""The frame lexicon shipped with the workbench."""

CUES_PATH = DATA_DIR / "attribution_verbs.yaml"
"""The attribution-verb (reporting cue) lexicon shipped with the workbench."""

LOW_N = 5
"""Groups with fewer texts (or quotes) than this are flagged ``low_n``."""

OTHER_CUE = "other"
"""Category returned by :func:`classify_cue` for a cue not in the lexicon."""

SET_KEYS = ("description", "source", "frames")
FRAME_KEYS = ("label", "definition", "source", "terms", "patterns", "exclude", "notes", "residual")
CUE_CATEGORY_KEYS = ("description", "cues")

FRAME_SCORES_SCHEMA = pa.DataFrameSchema(
    {
        "text_id": pa.Column(None),
        "frame_set": pa.Column(str),
        "frame": pa.Column(str),
        "hits_n": pa.Column(int, pa.Check.ge(0)),
        "score": pa.Column(float, pa.Check.ge(0)),
        "matched_terms": pa.Column(str),
        "match_offsets": pa.Column(str),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="frame_scores",
)
"""One row per (text, frame); the caller's id columns come first.

``text_id`` is the input's index label (position for a plain list);
``hits_n`` the number of indicator matches; ``score`` = hits per 100 words
(0 for an empty text); ``matched_terms`` the matched strings as they appear in
the text, in order, joined by ``"; "``; ``match_offsets`` their
``start:end`` offsets into the text, same order (``text[start:end]``).
"""

FRAME_SHARES_SCHEMA = pa.DataFrameSchema(
    {
        "frame_set": pa.Column(str),
        "frame": pa.Column(str),
        "n": pa.Column(int, pa.Check.ge(0)),
        "texts_with_frame_n": pa.Column(int, pa.Check.ge(0)),
        "share": pa.Column(float, pa.Check.in_range(0, 1)),
        "hits_n": pa.Column(int, pa.Check.ge(0)),
        "low_n": pa.Column(bool),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="frame_shares",
)
"""One row per (group, frame); the ``by`` columns come first.

``n`` texts in the group, ``texts_with_frame_n`` of them with at least one
hit, ``share`` = texts_with_frame_n / n, ``hits_n`` total matches,
``low_n`` = n < :data:`LOW_N`.
"""

CUE_COUNTS_SCHEMA = pa.DataFrameSchema(
    {
        "cue_category": pa.Column(str),
        "count": pa.Column(int, pa.Check.ge(0)),
        "n": pa.Column(int, pa.Check.ge(0)),
        "share": pa.Column(float, pa.Check.in_range(0, 1)),
        "low_n": pa.Column(bool),
        "cues": pa.Column(str),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="cue_counts",
)
"""One row per (group, cue category), every category listed (zeros kept); ``by`` columns first.

``count`` quotes in the group whose cue falls in the category, ``n`` quotes in
the group, ``share`` = count / n, ``cues`` the distinct cue strings counted
(lower-cased, sorted, ``"; "``-joined) so a number can be traced to its verbs.
"""

# Curly quotes -> straight, one character for one so offsets are unchanged.
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"'})
# For matching terms the text is also lower-cased; U+0130 is the one character
# whose lower case is two characters long, so it is mapped first.
_MATCH_CHARS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"', "\u0130": "I", "\u2010": "-", "\u2011": "-"})
_SEP_CHARS = r"[\s\-\u2010\u2011]"
# Terms are matched on a copy where non-ASCII spaces are " " and other
# non-ASCII non-word characters (dashes, guillemets) are "\x01", so "a non-word
# character" is the plain set _BOUNDARY, which ``re`` tests far faster than the
# Unicode category ``\W`` (the text is lower-cased: no A-Z).
_NON_ASCII_SPACE = re.compile(r"[^\S\x00-\x7f]")
_NON_ASCII_NONWORD = re.compile(r"[^\w\s\x00-\x7f]")
_BOUNDARY = "[^0-9a-z_\x80-\U0010ffff]"


def _asciify_boundaries(text: str) -> str:
    """Map non-ASCII spaces to " " and other non-ASCII non-word characters to "\\x01", one for one."""
    if text.isascii():
        return text
    return _NON_ASCII_NONWORD.sub("\x01", _NON_ASCII_SPACE.sub(" ", text))
_FLAGS = re.IGNORECASE | re.MULTILINE
# Same word definition as analysis.corpus.count_words.
_WORD = re.compile(r"\w+(?:['’-]\w+)*")
# Texts are joined with this separator and scanned in one pass per frame; it
# holds a newline (``.`` and ``\s+`` with a non-space stop there) and a NUL.
_JOIN = "\n\x00\n"
_BACKREF = re.compile(r"\\[1-9]|\(\?P=|\\g<")
_ANCHOR = re.compile(r"\\[AZ]")


class FrameLexiconError(ValueError):
    """A frame or cue lexicon that cannot be used; the message lists every problem with its set/frame/key."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s) in the lexicon:\n{listing}")


@dataclass(frozen=True)
class Frame:
    """One frame of a set, its terms and its patterns each compiled into one regex.

    All three run on lower-cased text, case-sensitively (two to three times
    faster in Python's ``re`` than IGNORECASE); ``pattern_regex`` is compiled
    with MULTILINE. ``term_trie`` / ``exclude_trie`` are the regex bodies that
    :func:`score_frames` combines for all frames of a set into one scan.
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


@dataclass(frozen=True)
class FrameSet:
    """A named set of frames (e.g. ``generic_frames``), frames in file order."""

    name: str
    description: str
    source: str
    frames: dict[str, Frame]


@dataclass(frozen=True)
class CueLexicon:
    """Attribution-cue categories in file order and the lookup from each cue form to its category."""

    categories: tuple[str, ...]
    descriptions: dict[str, str]
    forms: dict[str, str]


# --------------------------------------------------------------------------- loading


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (plain PyYAML keeps the last silently)."""


def _construct_unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    mapping = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def _read_yaml(path: Path) -> object:
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_UniqueKeyLoader)
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
    words = _asciify_boundaries(term.strip().translate(_MATCH_CHARS).lower()).split()
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


def _terms_regex(terms: Sequence[str]) -> str:
    r"""One regex for a term list, as a trie over lower-cased text, without the start boundary.

    Written for the speed of Python's ``re``: every branch starts with a
    literal, so only the branch for the character seen is tried, and at each
    node longer continuations come before ``*`` and before the end, so the
    longest term wins at a position. The caller puts the start boundary in
    front (see :func:`_set_scanner`).

    >>> _terms_regex(["war", "war*", "warm"])
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
    term_regex = pattern_regex = exclude_regex = None
    try:
        term_alt = _terms_regex(terms) if terms else None
        exclude_alt = _terms_regex(exclude) if exclude else None
    except ValueError as exc:
        problems.append(f"{where}: {exc}")
        term_alt = exclude_alt = None
    good_patterns = [p for p in patterns if _check_pattern(p, f"{where}, 'patterns'", problems)]
    if len(problems) == before and not residual:
        try:
            term_regex = re.compile(r"(?<!\w)" + term_alt) if term_alt else None
            exclude_regex = re.compile(r"(?<!\w)" + exclude_alt) if exclude_alt else None
            if good_patterns:
                joined = "|".join(f"(?:{_lower_pattern(p)})" for p in good_patterns)
                pattern_regex = re.compile(joined, re.MULTILINE)
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


@lru_cache(maxsize=16)
def _load_frames_cached(path: str, mtime_ns: int) -> dict[str, FrameSet]:
    return _parse_frames(_read_yaml(Path(path)), path)


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
    return dict(_load_frames_cached(str(path.resolve()), path.stat().st_mtime_ns))


def list_frames(lexicon: Mapping[str, FrameSet] | str | Path | None = None) -> pd.DataFrame:
    """One row per frame of every set: definition, source and indicator counts, for notebooks and docs.

    >>> list_frames().query("frame_set == 'generic_frames'")["frame"].tolist()
    ['conflict', 'human_interest', 'economic_consequences', 'morality', 'responsibility']
    """
    sets = _resolve_lexicon(lexicon)
    rows = [
        (s.name, f.name, f.label, f.definition, f.source, len(f.terms), len(f.patterns), len(f.exclude), f.residual)
        for s in sets.values()
        for f in s.frames.values()
    ]
    return pd.DataFrame(
        rows,
        columns=["frame_set", "frame", "label", "definition", "source", "terms_n", "patterns_n", "exclude_n", "residual"],
    )


def _resolve_lexicon(lexicon: Mapping[str, FrameSet] | str | Path | None) -> Mapping[str, FrameSet]:
    if lexicon is None or isinstance(lexicon, (str, Path)):
        return load_frames(lexicon)
    return lexicon


def _select_frames(sets: Mapping[str, FrameSet], frame_set: str, frames: Iterable[str] | None) -> list[Frame]:
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


# --------------------------------------------------------------------------- scoring


def _coerce_texts(
    texts: pd.DataFrame | pd.Series | Sequence[str], text_column: str, keep: Sequence[str] | None
) -> tuple[list[str], pd.Index, pd.DataFrame | None]:
    """Texts as strings ('' for missing), their ids, and the id columns to carry (or None)."""
    if isinstance(texts, pd.DataFrame):
        if text_column not in texts.columns:
            raise KeyError(f"expected a column {text_column!r} holding the texts; columns are {list(texts.columns)}")
        carry = [c for c in texts.columns if c != text_column] if keep is None else list(keep)
        missing = [c for c in carry if c not in texts.columns]
        if missing:
            raise KeyError(f"keep names columns not in the table: {missing}")
        clash = [c for c in carry if c in FRAME_SCORES_SCHEMA.columns]
        if clash:
            raise ValueError(f"id columns {clash} clash with output columns; rename them first")
        series = texts[text_column]
        ids_frame = texts[carry]
    elif isinstance(texts, pd.Series):
        series, ids_frame = texts, None
    elif isinstance(texts, str):
        raise TypeError("score_frames expects a sequence of texts; wrap a single text in a list")
    else:
        series, ids_frame = pd.Series(list(texts), dtype=object), None
    values = ["" if not isinstance(t, str) else t for t in series.tolist()]
    return values, series.index, ids_frame


def _scan(regex: re.Pattern, big: str, starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(text position, global span) of every match of ``regex`` in the joined texts, in order.

    A match that runs over a separator is discarded and the texts it touched
    are rescanned one by one (``pos``/``endpos``), so results are as if each
    text were scanned alone.
    """
    spans = np.array([m.span() for m in regex.finditer(big)], dtype=np.int64).reshape(-1, 2)
    pos = np.searchsorted(starts, spans[:, 0], side="right") - 1
    crossing = spans[:, 1] > starts[pos] + lengths[pos]
    if crossing.any():
        ends_pos = np.searchsorted(starts, spans[crossing, 1], side="right") - 1
        redo = sorted({p for a, b in zip(pos[crossing].tolist(), ends_pos.tolist()) for p in range(a, b + 1)})
        keep = ~np.isin(pos, redo)
        extra = [
            (p, *m.span())
            for p in redo
            for m in regex.finditer(big, int(starts[p]), int(starts[p] + lengths[p]))
        ]
        pos = np.concatenate([pos[keep], np.array([e[0] for e in extra], dtype=np.int64)])
        spans = np.concatenate([spans[keep], np.array([e[1:] for e in extra], dtype=np.int64).reshape(-1, 2)])
        order = np.argsort(spans[:, 0], kind="stable")
        pos, spans = pos[order], spans[order]
    return pos, spans


def _overlapping(spans: np.ndarray, blockers: np.ndarray) -> np.ndarray:
    """Mask of ``spans`` (n x 2) overlapping any of ``blockers`` (m x 2, sorted by start, may overlap)."""
    mask = np.zeros(len(spans), dtype=bool)
    if not len(spans) or not len(blockers):
        return mask
    reach = np.maximum.accumulate(blockers[:, 1])  # furthest end among blockers starting so far
    last = np.searchsorted(blockers[:, 0], spans[:, 1], side="left") - 1  # last blocker starting before the end
    has = last >= 0
    mask[has] = reach[last[has]] > spans[has, 0]
    return mask


def _leftmost_longest(spans: np.ndarray) -> np.ndarray:
    """Mask keeping the matches ``finditer`` would return: left to right, none overlapping a kept one."""
    keep = np.ones(len(spans), dtype=bool)
    if len(spans) < 2 or np.all(spans[1:, 0] >= spans[:-1, 1]):
        return keep
    last_end = -1
    for i, (start, end) in enumerate(spans.tolist()):
        if start < last_end:
            keep[i] = False
        else:
            last_end = end
    return keep


@lru_cache(maxsize=64)
def _set_scanner(frames: tuple[Frame, ...]) -> tuple[re.Pattern | None, list[tuple[int, str]]]:
    """One regex that visits every word start where any frame's term (or exclude) starts.

    It consumes the non-word character before the word, then captures, in one
    optional lookahead group per frame (and per exclude list), the term that
    frame's own regex would match there. Returns the regex and, per group,
    ``(frame index, "terms" | "exclude")``.
    """
    slots: list[tuple[int, str]] = []
    tries: list[str] = []
    for i, frame in enumerate(frames):
        for kind, trie in (("terms", frame.term_trie), ("exclude", frame.exclude_trie)):
            if trie:
                slots.append((i, kind))
                tries.append(trie)
    if not tries:
        return None, slots
    union = _terms_regex([t for f in frames for t in (*f.terms, *f.exclude)])
    groups = "".join(f"(?=({trie})?)" for trie in tries)
    return re.compile(f"{_BOUNDARY}(?={union}){groups}"), slots


def _find_matches(
    frames: tuple[Frame, ...], big: str, starts: np.ndarray, lengths: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per frame, (text position, global span) of its indicators in the joined texts, in order.

    ``big`` is the lower-cased joined texts. Terms come from one scan for all
    frames; patterns from one scan per frame. Pattern matches win over term
    matches they overlap; matches overlapping an exclude match are dropped.
    """
    empty = np.zeros((0, 2), dtype=np.int64)
    term_spans = [empty] * len(frames)
    exclude_spans = [empty] * len(frames)
    scanner, slots = _set_scanner(frames)
    if scanner is not None:
        term_text = _asciify_boundaries(big)
        flat = chain.from_iterable(chain.from_iterable(m.regs for m in scanner.finditer(term_text)))
        regs = np.fromiter(flat, dtype=np.int64).reshape(-1, len(slots) + 1, 2)
        for g, (i, kind) in enumerate(slots, start=1):
            found = regs[:, g, :][regs[:, g, 0] >= 0]
            if kind == "terms":
                term_spans[i] = found[_leftmost_longest(found)]
            else:
                exclude_spans[i] = found
    out = []
    for i, frame in enumerate(frames):
        spans = term_spans[i]
        if frame.pattern_regex is not None:
            _, p_spans = _scan(frame.pattern_regex, big, starts, lengths)
            if len(p_spans):
                spans = np.concatenate([spans[~_overlapping(spans, p_spans)], p_spans])
                spans = spans[np.argsort(spans[:, 0], kind="stable")]
        if len(spans) and len(exclude_spans[i]):
            spans = spans[~_overlapping(spans, exclude_spans[i])]
        pos = np.searchsorted(starts, spans[:, 0], side="right") - 1
        out.append((pos, spans))
    return out


def _collect_evidence(pos: np.ndarray, local: np.ndarray, values: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per text, the matched strings and their ``start:end`` offsets, each ``"; "``-joined."""
    n = len(values)
    matched = np.full(n, "", dtype=object)
    where = np.full(n, "", dtype=object)
    current, strings, offsets = -1, [], []
    for p, s, e in zip(pos.tolist(), local[:, 0].tolist(), local[:, 1].tolist()):
        if p != current:
            if strings:
                matched[current], where[current] = "; ".join(strings), "; ".join(offsets)
            current, strings, offsets = p, [], []
        strings.append(values[p][s:e])
        offsets.append(f"{s}:{e}")
    if strings:
        matched[current], where[current] = "; ".join(strings), "; ".join(offsets)
    return matched, where


def score_frames(
    texts: pd.DataFrame | pd.Series | Sequence[str],
    frame_set: str = "generic_frames",
    frames: Iterable[str] | None = None,
    *,
    lexicon: Mapping[str, FrameSet] | str | Path | None = None,
    text_column: str = "text",
    keep: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Score each text for each frame of a set: one row per (text, frame), with the evidence.

    ``texts`` is a list of strings (``text_id`` = position), a Series
    (``text_id`` = its index) or a DataFrame with a ``text`` column
    (``text_id`` = its index; every other column, or only those named in
    ``keep``, is carried through in front, e.g. article_id, sentence_id,
    quote_id, speaker, outlet). ``frames`` limits the frames scored (in the
    order given); ``lexicon`` is a loaded lexicon or a path to one (default
    :data:`FRAMES_PATH`). Columns: see :data:`FRAME_SCORES_SCHEMA`.

    A *residual* frame (``residual: true`` in the YAML, e.g. the policy set's
    ``other``) gets ``hits_n`` 1 for a non-empty text in which no other frame
    of its set matched, whichever frames were asked for.

    >>> df = pd.DataFrame({"sentence_id": [7], "text": ["Critics slammed the deal."]})
    >>> score_frames(df, frames=["conflict"])[["sentence_id", "hits_n", "matched_terms", "match_offsets"]].values.tolist()
    [[7, 2, 'Critics; slammed', '0:7; 8:15']]

    Limits: missing texts score as empty; overlapping indicators of one frame
    count once (the leftmost, then longest, match wins); a word counted by two
    frames counts in both.
    """
    sets = _resolve_lexicon(lexicon)
    chosen = _select_frames(sets, frame_set, frames)
    values, index, ids_frame = _coerce_texts(texts, text_column, keep)
    n = len(values)
    residual_wanted = any(f.residual for f in chosen)
    scan = [f for f in (sets[frame_set].frames.values() if residual_wanted else chosen) if not f.residual]
    scan = list(dict.fromkeys(scan))

    # One lower-cased string, each text preceded by the separator; offsets map back 1:1.
    normalized = [t.translate(_MATCH_CHARS).lower() for t in values]
    lengths = np.fromiter((len(t) for t in normalized), dtype=np.int64, count=n)
    starts = np.cumsum(np.concatenate([[len(_JOIN)], lengths[:-1] + len(_JOIN)])).astype(np.int64) if n else np.zeros(0, np.int64)
    big = _JOIN + _JOIN.join(normalized)
    words = np.fromiter((len(_WORD.findall(t)) for t in values), dtype=np.int64, count=n)

    hits: dict[str, np.ndarray] = {}
    terms_out: dict[str, np.ndarray] = {}
    offsets_out: dict[str, np.ndarray] = {}
    for frame, (pos, spans) in zip(scan, _find_matches(tuple(scan), big, starts, lengths)):
        hits[frame.name] = np.bincount(pos, minlength=n).astype(np.int64)
        terms_out[frame.name], offsets_out[frame.name] = _collect_evidence(pos, spans - starts[pos][:, None], values)
    if residual_wanted:
        none_fired = np.ones(n, dtype=bool) if not hits else ~np.any(np.vstack(list(hits.values())) > 0, axis=0)
        for frame in chosen:
            if frame.residual:
                hits[frame.name] = (none_fired & (words > 0)).astype(np.int64)
                terms_out[frame.name] = offsets_out[frame.name] = np.full(n, "", dtype=object)

    k = len(chosen)
    names = [f.name for f in chosen]
    hit_matrix = np.column_stack([hits[name] for name in names]) if k else np.zeros((n, 0), dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(words[:, None] > 0, hit_matrix * 100.0 / np.maximum(words, 1)[:, None], 0.0)
    rep = np.repeat(np.arange(n), k)
    out = pd.DataFrame(
        {
            "text_id": index.take(rep),
            "frame_set": frame_set,
            "frame": np.tile(np.array(names, dtype=object), n),
            "hits_n": hit_matrix.ravel(),
            "score": score.ravel(),
            "matched_terms": np.column_stack([terms_out[name] for name in names]).ravel() if k else [],
            "match_offsets": np.column_stack([offsets_out[name] for name in names]).ravel() if k else [],
        }
    )
    schema = FRAME_SCORES_SCHEMA
    if ids_frame is not None and len(ids_frame.columns):
        ids = ids_frame.take(rep).reset_index(drop=True)
        out = pd.concat([ids, out], axis=1)
        schema = _with_leading_columns(FRAME_SCORES_SCHEMA, list(ids.columns))
    return schema.validate(out)


def _with_leading_columns(schema: pa.DataFrameSchema, columns: list[str]) -> pa.DataFrameSchema:
    """The schema with caller-named columns of any dtype put in front."""
    if not columns:
        return schema
    extra = {c: pa.Column(None, nullable=True) for c in columns}
    return pa.DataFrameSchema(
        {**extra, **schema.columns}, strict=True, ordered=True, coerce=True, name=schema.name
    )


def pivot_frames(scored: pd.DataFrame, value: str = "score") -> pd.DataFrame:
    """Wide view of :func:`score_frames`: one row per text, one column per frame.

    ``value`` is ``score``, ``hits_n`` or ``matched_terms``. Columns are named by
    frame, or ``set.frame`` when several frame sets are stacked in ``scored``.

    >>> wide = pivot_frames(score_frames(["They attacked the plan."], frames=["conflict", "morality"]))
    >>> wide.columns.tolist(), wide["conflict"].round(1).tolist()
    (['text_id', 'conflict', 'morality'], [25.0])
    """
    if value not in ("score", "hits_n", "matched_terms", "match_offsets"):
        raise ValueError(f"value must be score, hits_n, matched_terms or match_offsets, got {value!r}")
    core = set(FRAME_SCORES_SCHEMA.columns)
    keys = [c for c in scored.columns if c not in core] + ["text_id"]
    several = scored["frame_set"].nunique() > 1
    column = scored["frame_set"] + "." + scored["frame"] if several else scored["frame"]
    order = list(dict.fromkeys(column))
    frame = scored[keys].assign(_column=column.to_numpy(), _value=scored[value].to_numpy())
    wide = frame.set_index(keys + ["_column"])["_value"].unstack("_column")
    wide = wide.reindex(columns=order).reset_index()
    wide.columns.name = None
    # unstack sorts rows by key; return them in input order
    first_seen = pd.Index(pd.MultiIndex.from_frame(scored[keys]).unique()) if len(keys) > 1 else pd.Index(scored[keys[0]].unique())
    current = pd.MultiIndex.from_frame(wide[keys]) if len(keys) > 1 else pd.Index(wide[keys[0]])
    return wide.iloc[current.get_indexer(first_seen)].reset_index(drop=True)


def aggregate_frames(scored: pd.DataFrame, by: Sequence[str] | str | None = None) -> pd.DataFrame:
    """Share of texts showing each frame, per group (e.g. speaker, camp, outlet).

    ``scored`` is a :func:`score_frames` table (or several concatenated); ``by``
    names its carried columns. Groups with a missing key are kept. Columns:
    ``by`` + :data:`FRAME_SHARES_SCHEMA`.

    >>> s = score_frames(pd.DataFrame({"outlet": ["A", "A", "B"], "text": ["They fought.", "Calm day.", "Calm."]}), frames=["conflict"])
    >>> aggregate_frames(s, by="outlet")[["outlet", "n", "texts_with_frame_n", "share", "low_n"]].values.tolist()
    [['A', 2, 1, 0.5, True], ['B', 1, 0, 0.0, True]]

    Limits: ``n`` counts rows, i.e. texts, per frame; a text scored twice (two
    tables concatenated) counts twice. Shares of a small group (``low_n``) are
    not worth comparing.
    """
    by = [by] if isinstance(by, str) else list(by or [])
    missing = [c for c in by + ["frame_set", "frame", "hits_n"] if c not in scored.columns]
    if missing:
        raise KeyError(f"scored table lacks columns {missing}; pass the output of score_frames with those id columns")
    keys = by + ["frame_set", "frame"]
    fired = scored["hits_n"].to_numpy() > 0
    grouped = scored.assign(_fired=fired).groupby(keys, sort=False, dropna=False)
    out = grouped.agg(n=("hits_n", "size"), texts_with_frame_n=("_fired", "sum"), hits_n=("hits_n", "sum")).reset_index()
    out["share"] = np.where(out["n"] > 0, out["texts_with_frame_n"] / out["n"].clip(lower=1), 0.0)
    out["low_n"] = out["n"] < LOW_N
    out = out[keys + ["n", "texts_with_frame_n", "share", "hits_n", "low_n"]]
    if by:
        out = out.sort_values(by, kind="stable", na_position="last").reset_index(drop=True)
    return _with_leading_columns(FRAME_SHARES_SCHEMA, by).validate(out)


# --------------------------------------------------------------------------- attribution cues

# Words dropped from the front of a cue before lookup: auxiliaries, pronouns, adverbs of time.
_CUE_FILLERS = frozenset(
    "has have had having is was were are be been being will would could should may might must can shall "
    "did does do also later then again previously earlier once repeatedly reportedly just "
    "he she they it i we you who which that and but as".split()
)
_CUE_NEGATIONS = frozenset("not never n't no".split())
_CUE_CLEAN = re.compile(r"[^a-z' ]+")


def _normalize_cue(cue: str) -> list[str]:
    text = cue.lower().translate(_QUOTES).replace("n't", " n't")
    return _CUE_CLEAN.sub(" ", text).split()


def _parse_cues(data: object, path: str) -> CueLexicon:
    problems: list[str] = []
    if not isinstance(data, dict) or not data:
        raise FrameLexiconError(path, ["expected a mapping of cue categories, e.g. 'neutral: {cues: {say: [said, says]}}'"])
    forms: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    for category, spec in data.items():
        where = f"category {category!r}"
        if not isinstance(category, str) or not category.strip() or category == OTHER_CUE:
            problems.append(f"{where}: category names must be non-empty strings other than {OTHER_CUE!r}")
            continue
        if not isinstance(spec, dict):
            problems.append(f"{where}: expected a mapping with keys {', '.join(CUE_CATEGORY_KEYS)}")
            continue
        for key in spec:
            if key not in CUE_CATEGORY_KEYS:
                problems.append(f"{where}: unknown key {key!r} (allowed: {', '.join(CUE_CATEGORY_KEYS)})")
        descriptions[category] = spec.get("description") or ""
        cues = spec.get("cues")
        if not isinstance(cues, dict) or not cues:
            problems.append(f"{where}: missing 'cues' (a mapping of base verb to its inflected forms)")
            continue
        for lemma, inflected in cues.items():
            if inflected is None:
                inflected = []
            if not isinstance(lemma, str) or not isinstance(inflected, list) or not all(isinstance(x, str) for x in inflected):
                problems.append(f"{where}, cue {lemma!r}: expected 'base: [inflected, forms]'")
                continue
            for form in [lemma, *inflected]:
                key = " ".join(_normalize_cue(form))
                if not key:
                    problems.append(f"{where}, cue {lemma!r}: empty form {form!r}")
                elif forms.get(key, category) != category:
                    problems.append(f"{where}, cue {lemma!r}: form {key!r} is already in category {forms[key]!r}")
                else:
                    forms[key] = category
    if problems:
        raise FrameLexiconError(path, problems)
    return CueLexicon(categories=tuple(descriptions), descriptions=descriptions, forms=forms)


@lru_cache(maxsize=8)
def _load_cues_cached(path: str, mtime_ns: int) -> CueLexicon:
    return _parse_cues(_read_yaml(Path(path)), path)


def load_cues(path: str | Path | None = None) -> CueLexicon:
    """Load and validate the attribution-cue lexicon (default :data:`CUES_PATH`).

    >>> load_cues().categories
    ('neutral', 'emphatic', 'doubting', 'dismissive', 'conflictual')
    """
    path = Path(path) if path is not None else CUES_PATH
    if not path.is_file():
        raise FileNotFoundError(f"cue lexicon not found: {path}")
    return _load_cues_cached(str(path.resolve()), path.stat().st_mtime_ns)


def classify_cue(cue: object, lexicon: CueLexicon | str | Path | None = None) -> str:
    """Category of a reporting cue (``neutral``, ``dismissive`` ...), ``other`` when unknown.

    Case, curly apostrophes and punctuation are ignored; leading auxiliaries,
    pronouns and ``-ly`` adverbs are dropped ("has said", "he also said",
    "flatly denied"); the longest known phrase at the start wins ("brushed
    off", "according to"), so trailing words do not matter ("told
    reporters", "said in a statement").

    >>> [classify_cue(c) for c in ["said", "Has said", "flatly denied", "brushed off", "according to", "claimed", "insisted", "hummed", None]]
    ['neutral', 'neutral', 'conflictual', 'dismissive', 'neutral', 'doubting', 'emphatic', 'other', 'other']

    Limits: a negated cue ("did not deny", "never said") is ``other``, as the
    category would invert; verbs are read as words only, so "noted critic"
    (a noun phrase passed by mistake) still reads as ``neutral``.
    """
    if not isinstance(cue, str):
        return OTHER_CUE
    lex = lexicon if isinstance(lexicon, CueLexicon) else load_cues(lexicon)
    tokens = _normalize_cue(cue)
    if any(t in _CUE_NEGATIONS for t in tokens):
        return OTHER_CUE
    while len(tokens) > 1 and (tokens[0] in _CUE_FILLERS or (tokens[0].endswith("ly") and len(tokens[0]) > 4)):
        if " ".join(tokens) in lex.forms:
            break
        tokens = tokens[1:]
    for size in range(len(tokens), 0, -1):
        category = lex.forms.get(" ".join(tokens[:size]))
        if category is not None:
            return category
    return OTHER_CUE


def label_cues(quotes_df: pd.DataFrame, lexicon: CueLexicon | str | Path | None = None) -> pd.DataFrame:
    """The quotes table with a ``cue_category`` column added (see :func:`classify_cue`).

    >>> label_cues(pd.DataFrame({"cue": ["scoffed", "said"]}))["cue_category"].tolist()
    ['dismissive', 'neutral']
    """
    if "cue" not in quotes_df.columns:
        raise KeyError("expected a quotes table with a 'cue' column")
    lex = lexicon if isinstance(lexicon, CueLexicon) else load_cues(lexicon)
    cache: dict[object, str] = {}
    categories = []
    for cue in quotes_df["cue"].tolist():
        key = cue if isinstance(cue, str) else None
        if key not in cache:
            cache[key] = classify_cue(key, lex)
        categories.append(cache[key])
    return quotes_df.assign(cue_category=categories)


def count_cues(
    quotes_df: pd.DataFrame,
    by: Sequence[str] | str | None = ("outlet", "speaker"),
    lexicon: CueLexicon | str | Path | None = None,
) -> pd.DataFrame:
    """Count quotes per attribution-cue category within each group.

    ``quotes_df`` follows the :mod:`analysis.quotes` contract (``cue``,
    ``speaker``, ``camp``, ``outlet``, ``article_id``); only ``cue`` and the
    ``by`` columns are used. Every category, plus ``other``, is listed for
    every group, zeros included. Columns: ``by`` + :data:`CUE_COUNTS_SCHEMA`.

    >>> q = pd.DataFrame({"outlet": ["A", "A"], "speaker": ["X", "X"], "cue": ["said", "dismissed"]})
    >>> c = count_cues(q)
    >>> c.loc[c["count"] > 0, ["cue_category", "count", "n", "share", "cues"]].values.tolist()
    [['neutral', 1, 2, 0.5, 'said'], ['dismissive', 1, 2, 0.5, 'dismissed']]

    Limits: the verb classes say how the reporter introduced a quote, not what
    the speaker meant; "said" dominates every outlet, so compare the rarer
    categories as shares and mind ``low_n``.
    """
    by = [by] if isinstance(by, str) else list(by or [])
    missing = [c for c in by + ["cue"] if c not in quotes_df.columns]
    if missing:
        raise KeyError(f"quotes table lacks columns {missing}")
    lex = lexicon if isinstance(lexicon, CueLexicon) else load_cues(lexicon)
    labelled = label_cues(quotes_df[by + ["cue"]], lex)
    labelled["_cue"] = labelled["cue"].where(labelled["cue"].notna(), "").astype(str).str.lower().str.strip()
    categories = list(lex.categories) + [OTHER_CUE]
    labelled["cue_category"] = pd.Categorical(labelled["cue_category"], categories=categories)
    if by:
        groups = labelled[by].drop_duplicates().reset_index(drop=True)
        sizes = labelled.groupby(by, dropna=False, sort=False).size().rename("n").reset_index()
    else:
        groups = pd.DataFrame(index=[0])
        sizes = pd.DataFrame({"n": [len(labelled)]})
    grid = groups.merge(pd.DataFrame({"cue_category": categories}), how="cross")
    keys = by + ["cue_category"]
    labelled["cue_category"] = labelled["cue_category"].astype(str)
    counted = (
        labelled.groupby(keys, dropna=False, sort=False)
        .agg(count=("_cue", "size"), cues=("_cue", lambda s: "; ".join(sorted(set(x for x in s if x)))))
        .reset_index()
    )
    out = grid.merge(counted, on=keys, how="left")
    out = out.merge(sizes, on=by, how="left") if by else out.assign(n=len(labelled))
    out["count"] = out["count"].fillna(0).astype(int)
    out["cues"] = out["cues"].fillna("")
    out["share"] = np.where(out["n"] > 0, out["count"] / out["n"].clip(lower=1), 0.0)
    out["low_n"] = out["n"] < LOW_N
    out = out[keys + ["count", "n", "share", "low_n", "cues"]]
    if by:
        out = out.sort_values(by, kind="stable", na_position="last").reset_index(drop=True)
    return _with_leading_columns(CUE_COUNTS_SCHEMA, by).validate(out)
