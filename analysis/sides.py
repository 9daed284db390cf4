"""Who speaks and who is spoken of: each mention of the two sides by whose voice it is in, and the article's structure.

The focus and the counterpart each have a *side*: the party itself and, when
it is an actor, its camp (Jivani and the Conservatives); a camp is its own
side. Actors of neither side are third parties. On that basis:

- :func:`treatment_voices`: every treatment row about the focus or the
  counterpart, with ``about`` (``focus`` / ``counterpart``) and ``voice``
  (:data:`VOICES`): the outlet's own words (``narrator``), a quote by the
  other side (``other_side``), by the party's own side (``own_side``) or by
  anyone else (``third_party``, unattributed quotes included). A party's
  words about itself are left out: they are its voice, not its treatment. A
  quote by the focus about the counterpart is the focus's stance toward the
  counterpart (``voice`` ``other_side``), never the outlet's (``narrator``).
- :func:`claims_and_responses`: each statement by one side that names the
  other, and whether the other side answers later in the article (a later
  statement of theirs naming the claimant's side): a rebuttal given or not.
- :func:`first_third`: the sentences of each article's first third (by
  characters) and which side they name.

>>> import pandas as pd
>>> from analysis.actors import parse_codebook
>>> from analysis.tables import build_tables
>>> book = parse_codebook({"actors": [
...     {"name": "Ann Lee", "aliases": ["Lee"], "camp": "council", "pronouns": "she"},
...     {"name": "Bo Chan", "aliases": ["Chan"], "camp": "opposition", "pronouns": "he"}]})
>>> t = build_tables(pd.DataFrame({"article_id": ["a"], "outlet": ["X"], "text": [
...     "Lee said Chan is wrong about the budget. Chan later said Lee ignored the facts."]}), book, "generic_frames")
>>> claims_and_responses(t, "Ann Lee", "Bo Chan")[["speaker", "side", "answered"]].values.tolist()
[['Ann Lee', 'focus', True], ['Bo Chan', 'counterpart', False]]

Limits: sides come from the codebook's camps only (an unlisted ally is a
third party); "names the other side" means a codebook mention (a resolved
quoted pronoun included) inside the statement, so an answer that names
nobody ("That is false.") is not counted as a response.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from analysis.datafiles import read_yaml
from analysis.paths import DATA_DIR
from analysis.tables import Party, Tables
from analysis.views import resolve_parties

VOICES = ("narrator", "other_side", "own_side", "third_party")
"""Whose words a mention of a side is in, relative to that side."""
VOICE_LABELS = {"narrator": "the outlet's own words", "other_side": "the other side's sources",
                "own_side": "its own side's sources", "third_party": "third parties' sources"}
SIDES = ("focus", "counterpart")
POSITIONING_WORDS = DATA_DIR / "positioning_words.yaml"


@lru_cache(maxsize=4)
def background_auxiliaries(path: str = str(POSITIONING_WORDS)) -> frozenset[str]:
    """Auxiliaries that make an indirect statement background ("has said"): ``background_auxiliaries`` of the data file."""
    words = (read_yaml(path) or {}).get("background_auxiliaries")
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise ValueError(f"{path}: background_auxiliaries must be a list of words")
    return frozenset(w.strip().lower() for w in words)


def side_masks(actors: pd.Series, camps: pd.Series, focus: Party, counterpart: Party) -> dict[str, np.ndarray]:
    """Boolean masks: which (actor, camp) rows belong to the focus's side and to the counterpart's side.

    A side is its party plus, for an actor, the actor's camp, unless both
    parties share that camp (then each side is the party alone). A row on both
    sides (cannot happen unless the codebook puts one actor in two) counts
    for the party it matches by name.
    """
    shared = focus.camp == counterpart.camp
    out = {}
    for side, party, other in (("focus", focus, counterpart), ("counterpart", counterpart, focus)):
        mine = party.matches(actors, camps).to_numpy()
        if party.kind == "actor" and not shared:
            mine = mine | ((camps == party.camp).to_numpy() & ~other.matches(actors, camps).to_numpy())
        out[side] = mine
    return out


def treatment_voices(tables: Tables, focus: str | Party, counterpart: str | Party) -> pd.DataFrame:
    """Treatment rows about the focus or the counterpart, with ``about`` and ``voice`` (:data:`VOICES`).

    Columns: :data:`analysis.tables.TREATMENT_SCHEMA` plus ``about`` and
    ``voice``. A mention of a party inside its own quote is left out.
    """
    f, c = resolve_parties(tables, focus, counterpart)
    t = tables.treatment
    speaker_side = side_masks(t["speaker"], t["speaker_camp"], f, c)
    pieces = []
    for about, party, other in (("focus", f, "counterpart"), ("counterpart", c, "focus")):
        keep = party.matches(t["target"], t["target_camp"]).to_numpy() & ~party.matches(t["speaker"], t["speaker_camp"]).to_numpy()
        narrator = (t["source"] == "narrator").to_numpy()
        voice = np.select([narrator, speaker_side[other], speaker_side[about]], ["narrator", "other_side", "own_side"], "third_party")
        pieces.append(t[keep].assign(about=about, voice=voice[keep]))
    out = pd.concat(pieces, ignore_index=True) if pieces else t.assign(about=[], voice=[])
    return out.sort_values(["article_id", "start", "about"], kind="stable").reset_index(drop=True)


def is_background(quotes: pd.DataFrame, auxiliaries: frozenset[str] | None = None) -> np.ndarray:
    """Which quotes are background: indirect statements whose cue starts with a perfect auxiliary ("has said").

    >>> q = pd.DataFrame({"kind": ["indirect", "direct", "indirect"], "cue": ["has said", "has said", "said"]})
    >>> is_background(q).tolist()
    [True, False, False]
    """
    aux = background_auxiliaries() if auxiliaries is None else auxiliaries
    first = quotes["cue"].fillna("").astype(str).str.lower().str.split().str[0].fillna("")
    return ((quotes["kind"] == "indirect") & first.isin(aux)).to_numpy()


def foreground_quotes(quotes: pd.DataFrame) -> pd.DataFrame:
    """The statements that can open or close an article: a resolved speaker, not nested in another quote, not background."""
    nested = quotes["outer_quote_id"].notna() if "outer_quote_id" in quotes else pd.Series(False, index=quotes.index)
    keep = quotes["speaker"].notna().to_numpy() & ~nested.to_numpy() & ~is_background(quotes)
    return quotes[keep]


def _named_in_quotes(tables: Tables, f: Party, c: Party) -> pd.DataFrame:
    """(article_id, quote_id) -> whether the quote names the focus's / the counterpart's side (speaker attributions excluded)."""
    m = tables.mentions[tables.mentions["quote_id"].notna() & ~tables.mentions["is_speaker_mention"]]
    masks = side_masks(m["actor"], m["camp"], f, c)
    named = m[["article_id", "quote_id"]].assign(names_focus=masks["focus"], names_counterpart=masks["counterpart"])
    return named.groupby(["article_id", "quote_id"], as_index=False)[["names_focus", "names_counterpart"]].any()


def claims_and_responses(tables: Tables, focus: str | Party, counterpart: str | Party) -> pd.DataFrame:
    """Each statement by one side naming the other side, and whether the other side answers later in the article.

    Columns: ``article_id, outlet, quote_id, side`` (the claimant's:
    ``focus`` / ``counterpart``), ``speaker, start, end, quote``, ``answered``
    (a later statement, starting after this one ends, by the other side that
    names the claimant's side) and the first answer's ``answer_quote_id``,
    ``answer_speaker``, ``answer_start``, ``answer_end`` (null when unanswered).
    Nested quotes count for their own speaker.
    """
    f, c = resolve_parties(tables, focus, counterpart)
    q = tables.quotes[tables.quotes["speaker"].notna()]
    columns = ["article_id", "outlet", "quote_id", "side", "speaker", "start", "end", "quote", "answered",
               "answer_quote_id", "answer_speaker", "answer_start", "answer_end"]
    if q.empty:
        return pd.DataFrame(columns=columns)
    q = q.merge(_named_in_quotes(tables, f, c), on=["article_id", "quote_id"], how="left")
    q[["names_focus", "names_counterpart"]] = q[["names_focus", "names_counterpart"]].fillna(False).astype(bool)
    sides = side_masks(q["speaker"], q["camp"], f, c)
    q["side"] = np.select([sides["focus"], sides["counterpart"]], list(SIDES), "")
    rows = []
    for _, g in q.sort_values(["article_id", "start"]).groupby("article_id", sort=False):
        for claim in g.itertuples(index=False):
            other = {"focus": "counterpart", "counterpart": "focus"}.get(claim.side)
            if other is None or not getattr(claim, f"names_{other}"):
                continue
            later = g[(g["start"] >= claim.end) & (g["side"] == other) & g[f"names_{claim.side}"]]
            answer = later.iloc[0] if len(later) else None
            rows.append(dict(article_id=claim.article_id, outlet=claim.outlet, quote_id=int(claim.quote_id), side=claim.side,
                             speaker=claim.speaker, start=int(claim.start), end=int(claim.end), quote=claim.quote,
                             answered=answer is not None,
                             answer_quote_id=None if answer is None else int(answer["quote_id"]),
                             answer_speaker=None if answer is None else answer["speaker"],
                             answer_start=None if answer is None else int(answer["start"]),
                             answer_end=None if answer is None else int(answer["end"])))
    out = pd.DataFrame(rows, columns=columns)
    return out.astype({"answer_quote_id": "Int64", "answer_start": "Int64", "answer_end": "Int64"})


def first_third(tables: Tables, focus: str | Party, counterpart: str | Party) -> pd.DataFrame:
    """The sentences starting in the first third of their article (by characters), and whether each names each side.

    Columns: ``article_id, outlet, sentence_id, start, end, names_focus,
    names_counterpart``; a sentence names a side when any codebook mention of
    that side (speaker attributions and resolved quoted pronouns included)
    starts in it. Headings count as sentences.
    """
    f, c = resolve_parties(tables, focus, counterpart)
    s = tables.sentences
    if s.empty:
        return pd.DataFrame(columns=["article_id", "outlet", "sentence_id", "start", "end", "names_focus", "names_counterpart"])
    lengths = tables.articles.set_index("article_id")["text"].str.len()
    cut = s["article_id"].map(lengths).to_numpy() / 3.0
    early = s[s["start"].to_numpy() < cut][["article_id", "outlet", "sentence_id", "start", "end"]]
    m = tables.mentions
    masks = side_masks(m["actor"], m["camp"], f, c)
    out = early.copy()
    for side in SIDES:
        named = set(zip(m.loc[masks[side], "article_id"], m.loc[masks[side], "sentence_id"]))
        out[f"names_{side}"] = [key in named for key in zip(out["article_id"], out["sentence_id"])]
    return out.reset_index(drop=True)


def closing_targets(tables: Tables, article_id: str, quote_id: int, speaker: str | None) -> list[str]:
    """The actors a quote names (resolved quoted pronouns included), its speaker and attributions left out, in text order."""
    m = tables.mentions
    inside = m[(m["article_id"] == article_id) & (m["quote_id"] == quote_id) & ~m["is_speaker_mention"] & (m["actor"] != speaker)]
    return list(dict.fromkeys(inside.sort_values("start")["actor"]))
