"""How each outlet introduces each actor: titles, appositions, relative clauses and descriptive aliases.

:func:`find_descriptors` reads an article's sentences around every codebook
mention (pronouns left out) and lists the words that say who the actor is,
with offsets into the article (``text[start:end] == descriptor``):

=============== ===========================================================
kind            example
=============== ===========================================================
title           **Industry Minister** Ann Lee (:func:`analysis.names.find_names`)
apposition      Lee, **a former banker**, said ...; **the city's budget chief**, Ann Lee
relative clause Lee, **who chaired the committee for a decade**, said ...
epithet         a codebook alias that describes: **the council's finance chair** said
=============== ===========================================================

The word lists are data: ``data/name_words.yaml`` (titles, role nouns,
apposition openers, clause words; shared with :mod:`analysis.names`) and
``data/descriptor_words.yaml`` (relative pronouns, more apposition openers, a
length limit); ``data/descriptor_words.README.md`` explains each choice.
Inside a quote a descriptor is the speaker's, not the outlet's: ``speaker``
names whose words they are (``narrator`` outside quotes).

Limits: rules, not a parser (no model to download). An apposition must sit
between commas or end the sentence; a descriptor is found only next to a name
the codebook knows; a list of names separated by commas is not an apposition
unless an item opens like a description ("Lee, the mayor, and Chan").

>>> import pandas as pd
>>> from analysis.actors import parse_codebook
>>> from analysis.tables import build_tables
>>> book = parse_codebook({"actors": [{"name": "Ann Lee", "aliases": ["Lee"], "camp": "council", "pronouns": "she"}]})
>>> text = "Finance Minister Ann Lee spoke. Lee, a former banker, said no."
>>> t = build_tables(pd.DataFrame({"article_id": ["a"], "outlet": ["X"], "text": [text]}), book)
>>> find_descriptors(t)[["actor", "kind", "descriptor"]].values.tolist()
[['Ann Lee', 'title', 'Finance Minister'], ['Ann Lee', 'apposition', 'a former banker']]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import yaml

from analysis.datafiles import LexiconError, cached_by_mtime, read_yaml
from analysis.names import NameWords, find_names, load_name_words
from analysis.paths import DATA_DIR
from analysis.schemas import empty_table
from analysis.tables import NARRATOR

DESCRIPTOR_WORDS = DATA_DIR / "descriptor_words.yaml"
KINDS = ("title", "apposition", "relative clause", "epithet")
"""Descriptor kinds, in the order one span is kept when two rules find it."""

DESCRIPTORS_SCHEMA = pa.DataFrameSchema(
    {
        "outlet": pa.Column(str),
        "article_id": pa.Column(str),
        "actor": pa.Column(str),
        "camp": pa.Column(str),
        "kind": pa.Column(str, pa.Check.isin(KINDS)),
        "descriptor": pa.Column(str),
        "start": pa.Column(int, pa.Check.ge(0)),
        "end": pa.Column(int, pa.Check.ge(0)),
        "mention": pa.Column(str),
        "mention_start": pa.Column(int, pa.Check.ge(0)),
        "sentence_id": pa.Column(int, pa.Check.ge(0)),
        "speaker": pa.Column(str),
        "quote_id": pa.Column("Int64", nullable=True),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="descriptors",
)
"""One row per descriptor: ``text[start:end] == descriptor`` in article ``article_id``.

``mention`` (at ``mention_start``) is the name it describes; ``speaker`` is
``"narrator"`` for the outlet's own words (reported speech included), else the
speaker of the direct quote holding the descriptor (``quote_id``;
``"(unattributed)"`` when unknown).
"""

_WORD = re.compile(r"[^\W_][\w’'.\-]*")
_END = "(?=[,;:()\u2014\u201c\u201d\"]|\\s\u2013\\s|\\.?\\s*$)"  # the next comma, bracket, dash or quotation mark, or the sentence's end
_AFTER = re.compile(r",\s+([^,;:()\u2014\u201c\u201d\"]+?)" + _END)
_CAPITAL_POSSESSIVE = re.compile(r"^[A-Z][\w.\-]*['’]s$")


class DescriptorWordsError(LexiconError):
    """A descriptor word-list file that cannot be used; the message lists every problem."""


@dataclass(frozen=True)
class DescriptorWords:
    """``data/descriptor_words.yaml``, lower-cased."""

    relative_pronouns: frozenset[str]
    apposition_openers: frozenset[str]
    max_words: int


@cached_by_mtime
def _load(path: Path) -> DescriptorWords:
    try:
        data = read_yaml(path)
    except yaml.YAMLError as exc:
        raise DescriptorWordsError(str(path), [f"not valid YAML: {exc}"]) from exc
    keys = ("relative_pronouns", "apposition_openers", "max_words")
    if not isinstance(data, dict):
        raise DescriptorWordsError(str(path), [f"expected a mapping with keys {', '.join(keys)}"])
    problems = [f"unknown key {k!r} (allowed: {', '.join(keys)})" for k in data if k not in keys]
    for key in keys[:2]:
        value = data.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(w, str) and w.strip() for w in value):
            problems.append(f"{key!r} must be a non-empty list of words (quote yes/no/on/off)")
    if not isinstance(data.get("max_words"), int) or isinstance(data.get("max_words"), bool) or data["max_words"] < 1:
        problems.append("'max_words' must be a whole number >= 1")
    if problems:
        raise DescriptorWordsError(str(path), problems)
    return DescriptorWords(
        relative_pronouns=frozenset(w.strip().casefold() for w in data["relative_pronouns"]),
        apposition_openers=frozenset(w.strip().casefold() for w in data["apposition_openers"]),
        max_words=int(data["max_words"]),
    )


def load_descriptor_words(path: str | Path | None = None) -> DescriptorWords:
    """The lists of ``data/descriptor_words.yaml`` (or ``path``), checked; read once per file version.

    >>> "who" in load_descriptor_words().relative_pronouns
    True
    """
    path = Path(path) if path is not None else DESCRIPTOR_WORDS
    if not path.is_file():
        raise FileNotFoundError(f"descriptor word lists not found: {path}")
    return _load(path)


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _opens_description(phrase: str, names: NameWords, extra: DescriptorWords) -> bool:
    """Whether ``phrase`` opens like a description: a determiner, possessive, listed opener or title; no clause word in it."""
    words = _words(phrase)
    if not words or len(words) > extra.max_words:
        return False
    if any(w.casefold() in names.clause_words for w in words):
        return False
    first = words[0]
    return (first.casefold() in names.description_openers or first.casefold() in extra.apposition_openers
            or bool(_CAPITAL_POSSESSIVE.match(first)) or any(tuple(words[: len(t)]) == t for t in names.titles)
            or (first[0].isupper() and len(words) > 1 and any(tuple(words[1 : 1 + len(t)]) == t for t in names.titles)))


def _after_name(sentence: str, end: int, names: NameWords, extra: DescriptorWords) -> tuple[str, int, int] | None:
    """``(kind, start, end)`` of an apposition or relative clause right after the name ending at ``end`` (sentence offsets)."""
    found = _AFTER.match(sentence, end)
    if not found:
        return None
    start, stop = found.span(1)
    phrase = sentence[start:stop].rstrip()
    stop = start + len(phrase)
    words = _words(phrase)
    if not words:
        return None
    if words[0].casefold() in extra.relative_pronouns and len(words) > 1 and len(words) <= extra.max_words:
        return "relative clause", start, stop
    if _opens_description(phrase, names, extra):
        return "apposition", start, stop
    return None


def _is_epithet(mention: str, actor: str, names: NameWords) -> bool:
    """An alias that describes instead of naming: a title or role noun in it, no word of the actor's name."""
    words = _words(mention)
    own = {w.casefold() for w in _words(actor)}
    if any(w.casefold() in own for w in words):
        return False
    return any(w.casefold() in names.role_nouns for w in words) or any(
        tuple(words[i : i + len(t)]) == t for t in names.titles for i in range(len(words)))


def _sentence_descriptors(sentence: str, offset: int, anchors: pd.DataFrame, names: NameWords, extra: DescriptorWords) -> list[dict]:
    """Descriptors of the mentions ``anchors`` (absolute offsets) in one sentence starting at ``offset``."""
    rows = []
    spans = list(zip(anchors["start"].to_numpy() - offset, anchors["end"].to_numpy() - offset))

    def anchor_at(start: int, end: int) -> int | None:
        for k, (s, e) in enumerate(spans):
            if s < end and start < e:
                return k
        return None

    for name in find_names(sentence, names):
        k = anchor_at(name.start, name.end)
        if k is None:
            continue
        if name.role:
            at = sentence.rfind(name.role, 0, name.start)
            if at >= 0 and not sentence[at + len(name.role) : name.start].strip():
                rows.append({"kind": "title", "start": at, "end": at + len(name.role), "anchor": k})
        if name.description:
            at = sentence.rfind(name.description, 0, name.start)
            if at >= 0 and re.fullmatch(r",\s+", sentence[at + len(name.description) : name.start]):
                rows.append({"kind": "apposition", "start": at, "end": at + len(name.description), "anchor": k})
    for k, (mention, actor, (start, end)) in enumerate(zip(anchors["mention"], anchors["actor"], spans)):
        after = _after_name(sentence, end, names, extra)
        if after:
            rows.append({"kind": after[0], "start": after[1], "end": after[2], "anchor": k})
        if _is_epithet(mention, actor, names):
            rows.append({"kind": "epithet", "start": int(start), "end": int(end), "anchor": k})
    return rows


def _voice(quotes: pd.DataFrame, article_id: str, start: int, end: int) -> tuple[str, object]:
    """The speaker (and quote id) of the shortest direct quote holding ``start:end``; the narrator when none does.

    Reported speech ("Lee said the Finance Minister ...") is in the outlet's words, so only direct quotes count.
    """
    if quotes is None or quotes.empty:
        return NARRATOR, pd.NA
    inside = quotes[(quotes["article_id"] == article_id) & (quotes["kind"] == "direct")
                    & (quotes["start"] <= start) & (quotes["end"] >= end)]
    if inside.empty:
        return NARRATOR, pd.NA
    best = inside.loc[(inside["end"] - inside["start"]).idxmin()]
    speaker = best["speaker"]
    return ("(unattributed)" if pd.isna(speaker) else str(speaker)), int(best["quote_id"])


def find_descriptors(tables, *, names: NameWords | None = None, words: DescriptorWords | None = None) -> pd.DataFrame:
    """Every descriptor of every codebook actor in a :class:`analysis.tables.Tables` (:data:`DESCRIPTORS_SCHEMA`).

    Reads ``tables.articles`` (text, outlet), ``sentences``, ``mentions``
    (pronouns left out) and ``quotes`` (whose words they are). Rows are in
    article and text order; a span two rules find is kept once (the first of
    :data:`KINDS`). ``names``/``words``: other word lists (another language).
    """
    return describe_mentions(tables.articles, tables.sentences, tables.mentions, tables.quotes, names=names, words=words)


def describe_mentions(
    articles: pd.DataFrame, sentences: pd.DataFrame, mentions: pd.DataFrame, quotes: pd.DataFrame | None = None, *,
    names: NameWords | None = None, words: DescriptorWords | None = None,
) -> pd.DataFrame:
    """:func:`find_descriptors` from the tables themselves (``articles``: article_id, text, outlet)."""
    names = names if names is not None else load_name_words()
    words = words if words is not None else load_descriptor_words()
    if mentions.empty or articles.empty:
        return empty_table(DESCRIPTORS_SCHEMA)
    anchors = mentions[~mentions["is_pronoun"].astype(bool)] if "is_pronoun" in mentions else mentions
    texts = dict(zip(articles["article_id"], articles["text"]))
    outlets = dict(zip(articles["article_id"], articles["outlet"] if "outlet" in articles else [""] * len(articles)))
    by_sentence = {key: group for key, group in anchors.groupby(["article_id", "sentence_id"], sort=False)}
    rows = []
    for article_id, sentence_id, start, end in _sentence_spans(sentences, by_sentence):
        text = texts[article_id]
        group = by_sentence[(article_id, sentence_id)]
        for found in _sentence_descriptors(text[start:end], start, group, names, words):
            mention = group.iloc[found["anchor"]]
            a, b = start + found["start"], start + found["end"]
            speaker, quote_id = _voice(quotes, article_id, a, b)
            rows.append({
                "outlet": outlets.get(article_id) or "", "article_id": article_id, "actor": mention["actor"],
                "camp": mention["camp"], "kind": found["kind"], "descriptor": text[a:b], "start": a, "end": b,
                "mention": mention["mention"], "mention_start": int(mention["start"]), "sentence_id": int(sentence_id),
                "speaker": speaker, "quote_id": quote_id,
            })
    if not rows:
        return empty_table(DESCRIPTORS_SCHEMA)
    table = pd.DataFrame(rows)
    table["rank"] = table["kind"].map({k: i for i, k in enumerate(KINDS)})
    table = (table.sort_values(["article_id", "start", "rank"], kind="stable")
             .drop_duplicates(["article_id", "actor", "start", "end"]).drop(columns="rank"))
    return DESCRIPTORS_SCHEMA.validate(table.reset_index(drop=True))


def _sentence_spans(sentences: pd.DataFrame, wanted: dict) -> list[tuple[str, int, int, int]]:
    """``(article_id, sentence_id, start, end)`` of the sentences in ``wanted`` (keys ``(article_id, sentence_id)``), in order."""
    keys = list(zip(sentences["article_id"], sentences["sentence_id"]))
    keep = np.array([key in wanted for key in keys], dtype=bool)
    chosen = sentences[keep]
    return list(zip(chosen["article_id"], chosen["sentence_id"].astype(int), chosen["start"].astype(int), chosen["end"].astype(int)))


def summarize_descriptors(descriptors: pd.DataFrame) -> pd.DataFrame:
    """Per outlet and actor: each distinct descriptor once, with its kind, how often and whose words (``descriptors_n``).

    >>> summarize_descriptors(empty_table(DESCRIPTORS_SCHEMA)).columns.tolist()
    ['outlet', 'actor', 'kind', 'descriptor', 'speaker', 'descriptors_n', 'first_start']
    """
    columns = ["outlet", "actor", "kind", "descriptor", "speaker"]
    if descriptors.empty:
        return pd.DataFrame(columns=[*columns, "descriptors_n", "first_start"])
    grouped = descriptors.groupby(columns, sort=False)
    table = grouped.agg(descriptors_n=("start", "size"), first_start=("start", "min")).reset_index()
    return table.sort_values(["outlet", "actor", "first_start"], kind="stable").reset_index(drop=True)


def describe_descriptors(descriptors: pd.DataFrame, parties, outlets: list[str], examples: int = 4) -> str:
    """How each outlet introduces each party (Markdown, data escaped): the outlet's own descriptors first, then quoted ones.

    ``parties`` are :class:`analysis.tables.Party` (focus, counterpart); ``outlets`` every outlet, so one that
    introduces nobody is said so.

    >>> describe_descriptors(empty_table(DESCRIPTORS_SCHEMA), [], [])
    '**No descriptors**: no codebook actor is named in this corpus (see notebook 01).'
    """
    from analysis.markup import escape_markdown

    if not outlets:
        return "**No descriptors**: no codebook actor is named in this corpus (see notebook 01)."
    lines = []
    for party in parties:
        parts = []
        for outlet in outlets:
            rows = descriptors[(descriptors["outlet"] == outlet) & party.matches(descriptors["actor"], descriptors["camp"])]
            rows = rows.sort_values("speaker", key=lambda s: s != NARRATOR, kind="stable").drop_duplicates(["descriptor", "speaker"])
            shown = "; ".join(
                f"“{escape_markdown(d)}” ({k}" + (f", {escape_markdown(a)}" if party.kind == "camp" else "")
                + ("" if s == NARRATOR else f", in {escape_markdown(s)}'s words") + ")"
                for d, k, a, s in zip(rows["descriptor"].head(examples), rows["kind"], rows["actor"], rows["speaker"]))
            parts.append(f"**{escape_markdown(outlet)}**: " + (shown if shown else "none found"))
        lines.append(f"- {escape_markdown(party.label)}: " + " · ".join(parts))
    return "How each outlet introduces each side (titles, appositions, relative clauses, descriptive names):\n" + "\n".join(lines)
