"""The actor codebook: who is who in a story, and where they are mentioned.

A codebook is a YAML file (schema: ``data/actors.README.md``) listing each
actor with a canonical ``name``, ``aliases`` (surname, titles, descriptions
such as "the mayor"), ``party``, ``camp``, ``role`` and ``pronouns``, and
optionally the camps with a chart ``color`` each. It is validated on load;
every problem is reported at once in a :class:`CodebookError`. The story
lives in that file only (``data/actors.yaml`` for the project's own story).

>>> from analysis.actors import parse_codebook, find_mentions
>>> book = parse_codebook({"actors": [
...     {"name": "Ann Lee", "aliases": ["Lee", "the mayor"], "camp": "council", "pronouns": "she"},
...     {"name": "Bo Chan", "aliases": ["Chan", "Mr. Chan"], "camp": "opposition", "pronouns": "he"}]})
>>> book.actor("Ann Lee").camp
'council'
>>> find_mentions("The Mayor met Chan’s team.", book)[["mention", "actor"]].values.tolist()
[['The Mayor', 'Ann Lee'], ['Chan', 'Bo Chan']]

Limits: matching is on the surface form only. An alias that starts with a
lower-case word ("the mayor") matches in any case; a proper-name alias
("Chan", "PM") matches with its own capitalisation, so "pm" in "5 pm" is not
the prime minister. Accents and apostrophes are matched loosely ("Gerard"
finds "Gérard", "plant's" finds "plant’s"). A surname shared by two people
needs the longer name in the codebook ("Mei Chan") so that it is not read as
the other one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import yaml

from analysis.datafiles import UniqueKeyLoader, cached_by_mtime
from analysis.paths import DATA_DIR

DEFAULT_CODEBOOK = DATA_DIR / "actors.yaml"
PRONOUNS = ("he", "she", "they", "it")
_TOP_KEYS = {"version", "story", "camps", "actors"}
_ACTOR_KEYS = {"name", "aliases", "party", "camp", "role", "pronouns"}
_CAMP_KEYS = {"name", "color"}
_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

MENTIONS_SCHEMA = pa.DataFrameSchema(
    {
        "start": pa.Column(int, pa.Check.ge(0)),
        "end": pa.Column(int, pa.Check.ge(0)),
        "mention": pa.Column(str),
        "actor": pa.Column(str),
        "camp": pa.Column(str),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="mentions",
)
"""One row per actor mention: ``text[start:end] == mention``."""


class CodebookError(ValueError):
    """A codebook that cannot be used; the message lists every problem found."""


@dataclass(frozen=True)
class Actor:
    """One codebook entry."""

    name: str
    aliases: tuple[str, ...] = ()
    party: str | None = None
    camp: str = "other"
    role: str | None = None
    pronouns: str = "they"


MENTION_MEMO_SIZE = 1024
"""Texts whose mentions :meth:`Codebook.mentions_in` keeps (more than a pipeline batch holds by default)."""


@dataclass
class Codebook:
    """Actors of one story, with a matcher for their names and aliases."""

    actors: tuple[Actor, ...]
    camps: tuple[str, ...] = ()
    story: str | None = None
    source: str | None = None
    camp_colors: dict[str, str] = field(default_factory=dict)
    """Colour (``#rrggbb``) of each camp that the codebook gives one; :mod:`analysis.charts` colours the rest."""
    _by_name: dict[str, Actor] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name = {a.name: a for a in self.actors}
        if not self.camps:  # camps not listed: those the actors name, in order
            self.camps = tuple(dict.fromkeys(a.camp for a in self.actors))

    def actor(self, name: str) -> Actor:
        """The actor with this canonical name (KeyError naming the known ones otherwise)."""
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no actor {name!r} in the codebook; known: {sorted(self._by_name)}") from None

    @cached_property
    def _alias_owner(self) -> dict[str, Actor]:
        return {_alias_key(alias): actor for actor in self.actors for alias in (actor.name, *actor.aliases)}

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        """One regex for every name and alias, longest first, anchored at word starts."""
        aliases = sorted({a for actor in self.actors for a in (actor.name, *actor.aliases)}, key=len, reverse=True)
        if not aliases:
            return None
        return re.compile(_trie_regex([_alias_units(a) for a in aliases], not_after=r"\w") + r"(?!\w)")

    def resolve(self, alias: str) -> Actor | None:
        """The actor an exact alias (any spacing, accents, apostrophes, case) belongs to, else None.

        >>> parse_codebook({"actors": [{"name": "Ann Lee", "aliases": ["the Mayor"], "camp": "c", "pronouns": "she"}]}).resolve("the  mayor").name
        'Ann Lee'
        """
        try:
            return self._resolved[alias]
        except KeyError:
            actor = self._resolved[alias] = self._alias_owner.get(_alias_key(alias))
            return actor

    @cached_property
    def _resolved(self) -> dict[str, Actor | None]:
        return {}

    def iter_mentions(self, text: str):
        """Yield ``(start, end, mention, actor)`` for each alias match in ``text``."""
        if self.pattern is None:
            return
        for match in self.pattern.finditer(text):
            actor = self.resolve(match.group())
            if actor is not None:
                yield match.start(), match.end(), match.group(), actor

    def mentions_in(self, text: str) -> tuple[tuple[int, int, str, Actor], ...]:
        """All of :meth:`iter_mentions` for ``text``, remembered for the last :data:`MENTION_MEMO_SIZE` texts.

        The stage graph reads each article's names twice (to attribute quotes,
        then to list mentions); the second read is a look-up. A pure function
        of the text and this codebook's aliases.

        >>> book = parse_codebook({"actors": [{"name": "Ann Lee", "camp": "c", "pronouns": "she"}]})
        >>> [(s, e, m, a.name) for s, e, m, a in book.mentions_in("Ann Lee spoke.")]
        [(0, 7, 'Ann Lee', 'Ann Lee')]
        """
        memo = self._mention_memo
        found = memo.get(text)
        if found is None:
            found = tuple(self.iter_mentions(text))
            if len(memo) >= MENTION_MEMO_SIZE:
                memo.clear()  # (a batch's texts come back within a batch; cheaper than an LRU and safe across threads)
            memo[text] = found
        return found

    @cached_property
    def _mention_memo(self) -> dict[str, tuple]:
        return {}

    def __getstate__(self) -> dict:
        """Pickled (e.g. sent to worker processes) without the remembered mentions."""
        state = self.__dict__.copy()
        state.pop("_mention_memo", None)
        return state

    def find_mentions(self, text: str) -> pd.DataFrame:
        """See :func:`find_mentions`."""
        return find_mentions(text, self)


def _fold(text: str) -> str:
    """Lower-case, strip accents, straighten apostrophes, squeeze spaces and dots."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("‘", "'").replace("‐", "-").replace("–", "-")
    return re.sub(r"\s+", " ", text).strip().casefold()


def _alias_key(alias: str) -> str:
    return _fold(alias).replace(".", "")


def alias_key(alias: str) -> str:
    """How aliases are compared: case, accents, apostrophe style, dots and spacing ignored.

    >>> alias_key("U.S.  officials") == alias_key("us officials")
    True
    """
    return _alias_key(alias)


def _alias_units(alias: str) -> list[str]:
    """Regex fragments, one per character of an alias: loose about accents, apostrophes, dots, spacing.

    Descriptions ("the prime minister") match in any case; proper names keep theirs.
    """
    anycase = alias[:1].islower()
    parts = []
    for ch in alias:
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if ch in "'’‘":
            parts.append("['’‘]")
        elif ch.isspace():
            parts.append(r"\s+")
        elif ch == ".":
            parts.append(r"\.?")
        elif ch in "-‐–":
            parts.append(r"[-‐–\s]")
        elif base and base != ch:
            parts.append(f"[{re.escape(base)}{re.escape(base.upper())}{re.escape(ch)}{re.escape(ch.upper())}]")
        elif anycase and ch.lower() != ch.upper():
            parts.append(f"[{re.escape(ch.lower())}{re.escape(ch.upper())}]")
        else:
            parts.append(re.escape(ch))
    return parts


def _trie_regex(words: list[list[str]], not_after: str | None = None) -> str:
    r"""One regex for many alternatives, shared prefixes factored out so matching stays fast.

    ``words`` are lists of units (regex fragments, one per character).
    ``not_after`` is a one-character class that must not come right before a
    match (``r"\w"``): the same as a leading ``(?<!\w)``, but put after each
    first character as a two-character look-behind, with one branch per first
    character, so that ``re`` jumps from one possible first character to the
    next (a leading look-behind makes it try every position: several times
    slower). When a first unit is not one character (``\s+``, ``\.?``) or a
    word is empty, the plain leading look-behind is used.

    >>> rx = re.compile(_trie_regex([list("said"), list("says"), ["[tT]", *"old"]], not_after=r"\w"))
    >>> [m.group() for m in rx.finditer("Told you, she said; resaid, says, told")]
    ['Told', 'said', 'says', 'told']
    """
    trie: dict = {}
    for units in words:
        node = trie
        for unit in units:
            node = node.setdefault(unit, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        branches = [unit + build(child) for unit, child in node.items() if unit != ""]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    if not_after is None:
        return "(?:" + build(trie) + ")"
    firsts = {unit: _unit_chars(unit) for unit in trie if unit != ""}
    if "" in trie or not firsts or any(chars is None for chars in firsts.values()):
        return f"(?<!{not_after})(?:" + build(trie) + ")"
    branches = [f"{re.escape(c)}(?<!{not_after}{re.escape(c)})" + build(trie[unit])
                for unit, chars in firsts.items() for c in chars]
    return "(?:" + "|".join(branches) + ")"


def _unit_chars(unit: str) -> list[str] | None:
    r"""The characters a one-character unit matches (``"a"``, ``"\."``, ``"[tT]"``), or None for any other unit.

    >>> _unit_chars("[tT]"), _unit_chars(r"\."), _unit_chars(r"\s+"), _unit_chars(r"[-\s]")
    (['t', 'T'], ['.'], None, None)
    """
    in_class = len(unit) > 2 and unit[0] == "[" and unit[-1] == "]" and unit[1] != "^"
    body = unit[1:-1] if in_class else unit
    chars, i = [], 0
    while i < len(body):
        if body[i] == "\\":
            if i + 1 >= len(body) or body[i + 1].isalnum():  # \s, \d, \w ...: a class, not one character
                return None
            chars.append(body[i + 1])
            i += 2
        elif body[i] in "[]().*+?{}|^$" or (body[i] == "-" and in_class):
            return None
        else:
            chars.append(body[i])
            i += 1
    if not chars or (not in_class and len(chars) != 1):
        return None
    return list(dict.fromkeys(chars))


def find_mentions(text: str, codebook: Codebook | None = None) -> pd.DataFrame:
    """Every name/alias match of a codebook actor in ``text``, with offsets.

    Columns: ``start, end, mention, actor, camp`` (:data:`MENTIONS_SCHEMA`);
    ``text[start:end] == mention``. Longest alias wins ("Mei Chan" is not
    "Chan"); a possessive "’s" is left out of the mention.

    >>> book = parse_codebook({"actors": [{"name": "Gérard Roy", "aliases": ["Roy"], "camp": "a", "pronouns": "he"},
    ...                                   {"name": "City council", "aliases": ["the council"], "camp": "b", "pronouns": "it"}]})
    >>> find_mentions("Councillor Gerard Roy spoke to the Council.", book)[["mention", "actor"]].values.tolist()
    [['Gerard Roy', 'Gérard Roy'], ['the Council', 'City council']]
    """
    book = codebook if codebook is not None else load_codebook()
    rows = [(s, e, m, a.name, a.camp) for s, e, m, a in book.iter_mentions(text)]
    frame = pd.DataFrame(rows, columns=list(MENTIONS_SCHEMA.columns))
    return MENTIONS_SCHEMA.validate(frame.astype({"start": int, "end": int, "mention": str, "actor": str, "camp": str}))


def node_lines(text: str) -> dict[tuple, int]:
    """Line (1-based) of every key and list item in a YAML text, by path: ``("actors", 2, "camp")``.

    For a mapping entry the line is the key's; for a list item, the item's.
    Empty when the text is not valid YAML.

    >>> node_lines("actors:\\n  - name: A\\n    camp: x\\n")[("actors", 0, "camp")]
    3
    """
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return {}
    lines: dict[tuple, int] = {}

    def walk(node, path: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                child = (*path, key_node.value)
                lines[child] = key_node.start_mark.line + 1
                walk(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[(*path, i)] = item.start_mark.line + 1
                walk(item, (*path, i))

    if root is not None:
        walk(root, ())
    return lines


def _validate(raw: object, label: str, lines: dict[tuple, int] | None = None) -> list[str]:
    """Every problem in a parsed codebook, as readable lines (empty when valid), each ``file:line:`` where ``lines`` knows it."""
    lines = lines or {}

    def at(*path) -> str:
        for cut in range(len(path), 0, -1):  # the closest line known: the key, else its actor, else the list
            if path[:cut] in lines:
                return f"{label}:{lines[path[:cut]]}"
        return label

    if not isinstance(raw, dict):
        return [f"{label}: the top level must be a mapping with an 'actors' list, not {type(raw).__name__}"]
    problems = [f"{at(k)}: unknown top-level key {k!r} (allowed: {sorted(_TOP_KEYS)})" for k in raw if k not in _TOP_KEYS]
    camps, _ = _camps(raw.get("camps"), at("camps"), problems)
    actors = raw.get("actors")
    if not isinstance(actors, list) or not actors:
        return problems + [f"{at('actors')}: 'actors' must be a non-empty list"]
    owners: dict[str, str] = {}
    names: set[str] = set()
    for i, entry in enumerate(actors, start=1):
        who = f"actor #{i}"
        if not isinstance(entry, dict):
            problems.append(f"{at('actors', i - 1)}: {who}: must be a mapping, not {type(entry).__name__}")
            continue
        name = entry.get("name")
        if isinstance(name, str) and name.strip():
            who = f"actor #{i} ({name})"
        else:
            problems.append(f"{at('actors', i - 1, 'name')}: {who}: missing 'name'")
            name = None
        problems += [f"{at('actors', i - 1, k)}: {who}: unknown key {k!r} (allowed: {sorted(_ACTOR_KEYS)})" for k in entry if k not in _ACTOR_KEYS]
        aliases = entry.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            problems.append(f"{at('actors', i - 1, 'aliases')}: {who}: 'aliases' must be a list of non-empty strings")
            aliases = []
        camp = entry.get("camp")
        if not isinstance(camp, str) or not camp.strip():
            problems.append(f"{at('actors', i - 1, 'camp')}: {who}: 'camp' must be a name")
        elif camps is not None and camp not in camps:
            problems.append(f"{at('actors', i - 1, 'camp')}: {who}: camp {camp!r} is not one of {camps}")
        if entry.get("pronouns") not in PRONOUNS:
            problems.append(f"{at('actors', i - 1, 'pronouns')}: {who}: pronouns {entry.get('pronouns')!r} must be one of {list(PRONOUNS)}")
        for key in ("party", "role"):
            if entry.get(key) is not None and not isinstance(entry.get(key), str):
                problems.append(f"{at('actors', i - 1, key)}: {who}: {key!r} must be text or null")
        if name is None:
            continue
        if name in names:
            problems.append(f"{at('actors', i - 1, 'name')}: {who}: duplicate actor name {name!r}")
            continue
        names.add(name)
        for j, alias in enumerate([name, *aliases]):
            key = _alias_key(alias)
            if key in owners and owners[key] != name:
                path = ("actors", i - 1, "name") if j == 0 else ("actors", i - 1, "aliases", j - 1)
                problems.append(f"{at(*path)}: {who}: alias {alias!r} is already claimed by {owners[key]!r}")
            owners.setdefault(key, name)
    return problems


def _camps(raw: object, label: str, problems: list[str]) -> tuple[list[str] | None, dict[str, str]]:
    """Camp names (None when the codebook lists none) and the colours given, from ``camps:``.

    Each item is a name, or a mapping ``{name: ..., color: "#rrggbb"}``.
    """
    if raw is None:
        return None, {}
    if not isinstance(raw, list):
        problems.append(f"{label}: 'camps' must be a list of names (or of {{name, color}} mappings)")
        return None, {}
    names, colors = [], {}
    for i, item in enumerate(raw, start=1):
        if isinstance(item, dict):
            unknown = [k for k in item if k not in _CAMP_KEYS]
            if unknown:
                problems.append(f"{label}: camp #{i}: unknown key(s) {unknown} (allowed: {sorted(_CAMP_KEYS)})")
            name, color = item.get("name"), item.get("color")
            if color is not None and not (isinstance(color, str) and _COLOR.match(color)):
                problems.append(f"{label}: camp #{i} ({name}): color {color!r} must be '#rrggbb' or '#rgb'")
            elif color is not None and isinstance(name, str):
                colors[name] = color
        else:
            name = item
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{label}: camp #{i}: a camp needs a name, not {name!r}")
        elif name in names:
            problems.append(f"{label}: camp {name!r} is listed twice")
        else:
            names.append(name)
    return names, colors


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Load and validate an actor codebook (default ``data/actors.yaml``).

    Raises :class:`CodebookError` listing every problem (unknown keys, an
    alias claimed by two actors, a missing name, an unknown camp or pronoun,
    a colour that is not ``#rrggbb``), each as ``file:line: actor #N (name): ...``.
    The codebook is parsed once per file version (path, modification time and
    size) and shared: treat it as read-only.

    >>> book = load_codebook()
    >>> len(book.actors) > 0 and all(a.camp in book.camps for a in book.actors)
    True
    """
    path = Path(DEFAULT_CODEBOOK if path is None else path)
    if not path.is_file():
        raise CodebookError(f"{path}: no such codebook file")
    return _load_codebook(path)


@cached_by_mtime
def _load_codebook(path: Path) -> Codebook:
    text = path.read_text(encoding="utf-8")
    try:
        raw = yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise CodebookError(f"{path}: not valid YAML: {exc}") from exc
    problems = _validate(raw, str(path))
    if problems:  # again, with the line of each problem (parsing for lines costs more than loading)
        raise CodebookError(f"{len(problems)} problem(s) in codebook {path}:\n  " + "\n  ".join(_validate(raw, str(path), node_lines(text))))
    return parse_codebook(raw, str(path))


def parse_codebook(raw: object, source: str | None = None) -> Codebook:
    """A codebook from its parsed YAML (a mapping), validated as :func:`load_codebook` does.

    For codebooks built in code (tests, examples); ``source`` names it in
    error messages (and is kept as :attr:`Codebook.source` when it is a file).

    >>> parse_codebook({"actors": [{"name": "Ann Lee", "camp": "council", "pronouns": "she"}]}).camps
    ('council',)
    """
    label = source or "<codebook>"
    problems = _validate(raw, label)
    if problems:
        raise CodebookError(f"{len(problems)} problem(s) in codebook {label}:\n  " + "\n  ".join(problems))
    camps, colors = _camps(raw.get("camps"), label, [])
    actors = tuple(
        Actor(
            name=e["name"].strip(),
            aliases=tuple(a.strip() for a in e.get("aliases") or []),
            party=e.get("party"),
            camp=e["camp"],
            role=e.get("role"),
            pronouns=e["pronouns"],
        )
        for e in raw["actors"]
    )
    return Codebook(actors=actors, camps=tuple(camps or ()), story=raw.get("story"), source=source, camp_colors=colors)
