"""Attribution-verb classes: how a reporter introduces a quote ("said", "insisted", "scoffed" ...).

The classes live in data: :data:`CUES_PATH` (``data/attribution_verbs.yaml``)
maps each class (``neutral``, ``emphatic``, ``doubting``, ``dismissive``,
``conflictual``) to base verbs and their inflected forms; the words ignored in
front of a cue ("has", "also", "flatly") are in the language's word list
(:mod:`analysis.words`). :func:`classify_cue` reads one cue,
:func:`label_cues` a quotes table, :func:`count_cues` counts per group
(:data:`CUE_COUNTS_SCHEMA`).

>>> classify_cue("has said"), classify_cue("brushed off"), classify_cue("sang")
('neutral', 'dismissive', 'other')

Limits: the classes say how the reporter introduced a quote, not what the
speaker meant; a negated cue ("did not deny") is ``other``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import yaml

from analysis.datafiles import LexiconError, cached_by_mtime, read_yaml
from analysis.paths import DATA_DIR
from analysis.schemas import with_leading_columns
from analysis.stats import LOW_N
from analysis.words import load_words

CUES_PATH = DATA_DIR / "attribution_verbs.yaml"
"""The attribution-verb (reporting cue) lexicon shipped with the workbench."""

OTHER_CUE = "other"
"""Category returned by :func:`classify_cue` for a cue not in the lexicon."""

CUE_CATEGORY_KEYS = ("description", "cues")

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
# Curly quotes -> straight, one character for one.
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"'})


class CueLexiconError(LexiconError):
    """A cue lexicon that cannot be used; the message lists every problem with its category and cue."""


@dataclass(frozen=True)
class CueLexicon:
    """Attribution-cue categories in file order and the lookup from each cue form to its category."""

    categories: tuple[str, ...]
    descriptions: dict[str, str]
    forms: dict[str, str]


_CUE_CLEAN = re.compile(r"[^a-z' ]+")


def _normalize_cue(cue: str) -> list[str]:
    text = cue.lower().translate(_QUOTES).replace("n't", " n't")
    return _CUE_CLEAN.sub(" ", text).split()


def _parse_cues(data: object, path: str) -> CueLexicon:
    problems: list[str] = []
    if not isinstance(data, dict) or not data:
        raise CueLexiconError(path, ["expected a mapping of cue categories, e.g. 'neutral: {cues: {say: [said, says]}}'"])
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
        raise CueLexiconError(path, problems)
    return CueLexicon(categories=tuple(descriptions), descriptions=descriptions, forms=forms)



@cached_by_mtime
def _load_cues_cached(path: Path) -> CueLexicon:
    try:
        data = read_yaml(path)
    except yaml.YAMLError as exc:
        raise CueLexiconError(str(path), [f"not valid YAML: {exc}"]) from exc
    return _parse_cues(data, str(path))


def load_cues(path: str | Path | None = None) -> CueLexicon:
    """Load and validate the attribution-cue lexicon (default :data:`CUES_PATH`).

    >>> load_cues().categories
    ('neutral', 'emphatic', 'doubting', 'dismissive', 'conflictual')
    """
    path = Path(path) if path is not None else CUES_PATH
    if not path.is_file():
        raise FileNotFoundError(f"cue lexicon not found: {path}")
    return _load_cues_cached(path)


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
    words = load_words()
    if any(t in words.cue_negations for t in tokens):
        return OTHER_CUE
    while len(tokens) > 1 and (tokens[0] in words.cue_fillers or (tokens[0].endswith("ly") and len(tokens[0]) > 4)):
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
    return with_leading_columns(CUE_COUNTS_SCHEMA, by).validate(out)
