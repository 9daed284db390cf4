"""Tidy tables behind the charts, for one focus and one counterpart: one function per chart.

Each reads a :class:`analysis.tables.Tables` and returns a table that a
function of :mod:`analysis.charts` draws and a notebook saves:

- :func:`voice_quotes` (who speaks: each quote with its voice group) -> ``charts.voice_share``, ``charts.quote_timeline``;
- :func:`article_order` (who speaks first and last, who is in headline and lead);
- :func:`speaker_tone` (tone of each speaker's quotes) -> ``charts.speaker_sentiment``;
- :func:`speaker_target` (who says what about whom) -> ``charts.treatment_heatmap``;
- :func:`frame_profile` (frames of the sentences about each side) -> ``charts.frame_heatmap``;
- :func:`attribution_verbs` (verb classes introducing each side's quotes).

A new chart: a view here (a tidy table, with the evidence spans), a chart in
:mod:`analysis.charts`, a cell in a notebook. ``focus`` and ``counterpart``
are required wherever they matter: a codebook actor name or alias, or a camp
(:class:`analysis.tables.Party`).

Group precedence for a quote's speaker: the focus, else the counterpart, else
the focus's own camp (``focus_camp``: allies), else ``other`` (other camps and
speakers the codebook does not know). Intervals come from
:func:`analysis.stats.summarize`; evidence is ``article_id:start-end`` spans
(at most :data:`EVIDENCE_LIMIT`).

>>> import pandas as pd
>>> from analysis.tables import build_tables
>>> from analysis.actors import parse_codebook
>>> book = parse_codebook({"actors": [
...     {"name": "Ann Lee", "aliases": ["Lee"], "camp": "council", "pronouns": "she"},
...     {"name": "Bo Chan", "aliases": ["Chan"], "camp": "opposition", "pronouns": "he"}]})
>>> t = build_tables(pd.DataFrame({"article_id": ["a"], "outlet": ["X"],
...     "text": ["“Chan betrayed this city, a terrible insult,” Lee said."]}), book, "generic_frames")
>>> voice_quotes(t, "Ann Lee", "opposition")[["speaker", "group", "group_label"]].values.tolist()
[['Ann Lee', 'focus', 'Ann Lee']]
>>> speaker_target(t)[["speaker", "target", "n"]].values.tolist()
[['Ann Lee', 'Bo Chan', 1]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.actors import Codebook
from analysis.cues import count_cues
from analysis.schemas import empty_table
from analysis.stats import summaries, summarize
from analysis.tables import UNATTRIBUTED, Party, Tables

GROUPS = ("focus", "counterpart", "focus_camp", "other")
"""Voice groups, in precedence order."""
EVIDENCE_LIMIT = 20
"""At most this many ``article_id:start-end`` spans are listed as evidence per number."""

SPEAKER_TARGET_SCHEMA = pa.DataFrameSchema(
    {
        "outlet": pa.Column(str),
        "speaker": pa.Column(str),
        "speaker_camp": pa.Column(str),
        "target": pa.Column(str),
        "target_camp": pa.Column(str),
        "n": pa.Column(int, pa.Check.ge(1)),
        "polarity": pa.Column(float),
        "ci_low": pa.Column(float, nullable=True),
        "ci_high": pa.Column(float, nullable=True),
        "low_n": pa.Column(bool),
        "example": pa.Column(str),
        "evidence": pa.Column(str),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="speaker_target",
)
"""One row per (outlet, speaker, target): mean target-directed ``polarity`` of the speaker's mentions of the target.

``speaker`` is ``"narrator"`` for the outlet's own words; ``n`` counts
mentions; ``ci_low``/``ci_high``/``low_n`` from :func:`analysis.stats.summarize`
with whole articles resampled; ``example`` the sentence behind the most
extreme score.
"""

SPEAKER_TONE_SCHEMA = pa.DataFrameSchema(
    {
        "outlet": pa.Column(str),
        "speaker": pa.Column(str),
        "camp": pa.Column(str),
        "n": pa.Column(int, pa.Check.ge(1)),
        "polarity": pa.Column(float),
        "ci_low": pa.Column(float, nullable=True),
        "ci_high": pa.Column(float, nullable=True),
        "subjectivity": pa.Column(float),
        "compound": pa.Column(float),
        "words_n": pa.Column(int, pa.Check.ge(0)),
        "low_n": pa.Column(bool),
        "example": pa.Column(str),
        "evidence": pa.Column(str),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="speaker_tone",
)
"""One row per (outlet, speaker): mean TextBlob polarity (with interval) and subjectivity of their quotes."""

FRAME_PROFILE_SCHEMA = pa.DataFrameSchema(
    {
        "outlet": pa.Column(str),
        "about": pa.Column(str),
        "about_kind": pa.Column(str, pa.Check.isin(["focus", "counterpart", "camp"])),
        "frame_set": pa.Column(str),
        "frame": pa.Column(str),
        "n": pa.Column(int, pa.Check.ge(0)),
        "texts_with_frame_n": pa.Column(int, pa.Check.ge(0)),
        "share": pa.Column(float, pa.Check.in_range(0, 1)),
        "ci_low": pa.Column(float, nullable=True),
        "ci_high": pa.Column(float, nullable=True),
        "low_n": pa.Column(bool),
        "matched_terms": pa.Column(str),
        "example": pa.Column(str),
        "evidence": pa.Column(str),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="frame_profile",
)
"""One row per (outlet, subject, frame): share of sentences naming the subject that show the frame.

``about`` is the focus, the counterpart or a camp; ``matched_terms`` the
indicator words that fired, ``example`` one such sentence.
"""

ARTICLE_ORDER_SCHEMA = pa.DataFrameSchema(
    {
        "article_id": pa.Column(str),
        "outlet": pa.Column(str),
        "headline": pa.Column(str),
        "quotes_n": pa.Column(int, pa.Check.ge(0)),
        "first_speaker": pa.Column(str, nullable=True),
        "first_group": pa.Column(str, nullable=True),
        "first_quote": pa.Column(str, nullable=True),
        "last_speaker": pa.Column(str, nullable=True),
        "last_group": pa.Column(str, nullable=True),
        "last_quote": pa.Column(str, nullable=True),
        "last_start": pa.Column("Int64", nullable=True),
        "last_end": pa.Column("Int64", nullable=True),
        "last_targets": pa.Column(str, nullable=True),
        "focus_in_headline": pa.Column("boolean", nullable=True),
        "counterpart_in_headline": pa.Column("boolean", nullable=True),
        "focus_in_lead": pa.Column(bool),
        "counterpart_in_lead": pa.Column(bool),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="article_order",
)
"""One row per article: who speaks first and last, and who is named in the headline and lead.

First and last are among the article's *quoted speakers*: statements with a
resolved speaker, not nested in another quote and not background (an indirect
"has said" statement, :func:`analysis.sides.foreground_quotes`); a narrator
sentence is never a last word. ``last_start``/``last_end`` locate the closing
statement and ``last_targets`` lists the actors it names ("; "-joined,
resolved quoted pronouns included, its speaker left out).

``headline`` is the article's title, else its first paragraph when that is a
heading, else empty; then ``*_in_headline`` is unknown (NA), never False: an
article whose headline the data lack says nothing about who the headline
names. The lead is the first two paragraphs that are not headings.
"""



def _empty(schema: pa.DataFrameSchema) -> pd.DataFrame:
    return schema.validate(empty_table(schema))


def resolve_parties(tables: Tables, focus: str | Party, counterpart: str | Party) -> tuple[Party, Party]:
    f = focus if isinstance(focus, Party) else tables.party(focus)
    c = counterpart if isinstance(counterpart, Party) else tables.party(counterpart)
    if f == c:
        raise ValueError(f"focus and counterpart are the same ({f.name!r}); pick two different actors or camps")
    return f, c


def camp_label(camp: str) -> str:
    """How a camp reads as a group: "city council camp"; a camp already named as one stays as it is.

    >>> camp_label("city_council"), camp_label("ruiz_camp"), camp_label("Ruiz Camp")
    ('city council camp', 'ruiz camp', 'Ruiz Camp')
    """
    words = camp.replace("_", " ").strip()
    return words if words.split()[-1:] and words.split()[-1].casefold() == "camp" else f"{words} camp"


def group_labels(focus: Party, counterpart: Party) -> dict[str, str]:
    """Readable names of the voice groups.

    >>> group_labels(Party("Ann Lee", "actor", "city_council"), Party("opposition", "camp", "opposition"))["focus_camp"]
    'city council camp (not Ann Lee)'
    """
    allies = f"{camp_label(focus.camp)} (not {focus.label})" if focus.kind == "actor" else "(none: the focus is a camp)"
    return {"focus": focus.label, "counterpart": counterpart.label, "focus_camp": allies, "other": "everyone else"}


def _assign_groups(actors: pd.Series, camps: pd.Series, focus: Party, counterpart: Party) -> np.ndarray:
    conditions = [focus.matches(actors, camps).to_numpy(), counterpart.matches(actors, camps).to_numpy()]
    conditions.append((camps == focus.camp).to_numpy() if focus.kind == "actor" else np.zeros(len(actors), dtype=bool))
    return np.select(conditions, list(GROUPS[:3]), default="other").astype(object)


def evidence_spans(frame: pd.DataFrame, limit: int = EVIDENCE_LIMIT) -> str:
    """``article_id:start-end`` of the first rows, to trace a number back to its text."""
    if frame.empty:
        return ""
    return _spans(frame["article_id"], frame["start"], frame["end"], limit)


def _spans(article_ids, starts, ends, limit: int = EVIDENCE_LIMIT) -> str:
    refs = [f"{a}:{s}-{e}" for a, s, e in zip(article_ids, starts, ends)]
    return "; ".join(refs[:limit]) + (f"; … {len(refs) - limit} more" if len(refs) > limit else "")


def voice_quotes(tables: Tables, focus: str | Party, counterpart: str | Party) -> pd.DataFrame:
    """The quotes table with each quote's voice ``group`` and display labels, for charts and the quote list.

    Adds ``group`` (:data:`GROUPS`), ``group_label``, ``speaker_label``
    (``"(unattributed)"`` when no speaker was found), ``camp_label``
    (``"unknown"`` when the speaker is not in the codebook) and
    ``word_share``: the quote's own words (``own_word_count``: words relayed
    from a nested statement count for its speaker, not again here) over all
    quoted words in its outlet.
    """
    f, c = resolve_parties(tables, focus, counterpart)
    q = tables.quotes.copy()
    q["group"] = _assign_groups(q["speaker"], q["camp"], f, c)
    q["group_label"] = q["group"].map(group_labels(f, c)).astype(object)
    q["speaker_label"] = q["speaker"].where(q["speaker"].notna(), UNATTRIBUTED).astype(str)
    q["camp_label"] = q["camp"].where(q["camp"].notna(), "unknown").astype(str)
    totals = q.groupby("outlet")["own_word_count"].transform("sum")
    q["word_share"] = np.where(totals > 0, q["own_word_count"] / totals.clip(lower=1), 0.0)
    return q


def _headline(article: pd.Series, paras: pd.DataFrame) -> str:
    title = article.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    if not paras.empty and bool(paras["is_heading"].iloc[0]):
        return str(paras["text"].iloc[0])
    return ""


def _names(text: str, party: Party, book: Codebook) -> bool:
    """Whether ``text`` names the party (an alias of the actor, or of anyone in the camp)."""
    if not text:
        return False
    field = "name" if party.kind == "actor" else "camp"
    return any(getattr(actor, field) == party.name for *_, actor in book.iter_mentions(text))


def article_order(tables: Tables, focus: str | Party, counterpart: str | Party) -> pd.DataFrame:
    """Who speaks first and last in each article, and whether focus and counterpart are in headline and lead.

    Columns: :data:`ARTICLE_ORDER_SCHEMA`.
    """
    from analysis.sides import closing_targets, foreground_quotes

    f, c = resolve_parties(tables, focus, counterpart)
    q = foreground_quotes(voice_quotes(tables, f, c)).sort_values(["article_id", "start"])
    by_article = {a: g for a, g in q.groupby("article_id", sort=False)}
    paras_by = {a: g for a, g in tables.paragraphs.groupby("article_id", sort=False)} if len(tables.paragraphs) else {}
    rows = []
    for _, art in tables.articles.iterrows():
        paras = paras_by.get(art["article_id"], pd.DataFrame(columns=["text", "is_heading"]))
        headline = _headline(art, paras)
        lead = " \n".join(paras.loc[~paras["is_heading"].astype(bool), "text"].head(2)) if len(paras) else ""
        quotes = by_article.get(art["article_id"])
        first = quotes.iloc[0] if quotes is not None else None
        last = quotes.iloc[-1] if quotes is not None else None
        rows.append(
            dict(
                article_id=art["article_id"], outlet=art["outlet"], headline=headline,
                quotes_n=0 if quotes is None else len(quotes),
                first_speaker=None if first is None else first["speaker_label"],
                first_group=None if first is None else first["group"],
                first_quote=None if first is None else first["quote"],
                last_speaker=None if last is None else last["speaker_label"],
                last_group=None if last is None else last["group"],
                last_quote=None if last is None else last["quote"],
                last_start=None if last is None else int(last["start"]),
                last_end=None if last is None else int(last["end"]),
                last_targets=None if last is None else "; ".join(
                    closing_targets(tables, art["article_id"], int(last["quote_id"]), last["speaker"])),
                focus_in_headline=_names(headline, f, tables.codebook) if headline else pd.NA,
                counterpart_in_headline=_names(headline, c, tables.codebook) if headline else pd.NA,
                focus_in_lead=_names(lead, f, tables.codebook),
                counterpart_in_lead=_names(lead, c, tables.codebook),
            )
        )
    if not rows:
        return _empty(ARTICLE_ORDER_SCHEMA)
    return ARTICLE_ORDER_SCHEMA.validate(pd.DataFrame(rows, columns=list(ARTICLE_ORDER_SCHEMA.columns)))


def _extreme(frame: pd.DataFrame, column: str, text: str) -> str:
    """The text behind the most extreme score: the example a reader checks first."""
    if frame.empty:
        return ""
    return str(frame.loc[frame[column].abs().idxmax(), text])


def speaker_tone(tables: Tables) -> pd.DataFrame:
    """One row per (outlet, speaker): tone of the speaker's quotes (:data:`SPEAKER_TONE_SCHEMA`).

    Unattributed quotes are listed as ``"(unattributed)"``. The interval
    resamples the speaker's quotes.
    """
    q = tables.quotes.assign(
        speaker=tables.quotes["speaker"].where(tables.quotes["speaker"].notna(), UNATTRIBUTED).astype(str),
        camp=tables.quotes["camp"].where(tables.quotes["camp"].notna(), "unknown").astype(str),
    )
    rows = []
    stats = summaries(q, ["outlet", "speaker"], "polarity")
    for (outlet, speaker), g in q.groupby(["outlet", "speaker"], sort=True):
        st = stats.loc[(outlet, speaker)]
        rows.append(dict(outlet=outlet, speaker=speaker, camp=g["camp"].mode().iloc[0], n=st["n"], polarity=st["mean"],
                         ci_low=st["ci_low"], ci_high=st["ci_high"], subjectivity=g["subjectivity"].mean(),
                         compound=g["compound"].mean(), words_n=int(g["word_count"].sum()), low_n=st["low_n"],
                         example=_extreme(g, "polarity", "quote"), evidence=evidence_spans(g)))
    if not rows:
        return _empty(SPEAKER_TONE_SCHEMA)
    return SPEAKER_TONE_SCHEMA.validate(pd.DataFrame(rows, columns=list(SPEAKER_TONE_SCHEMA.columns)))


def speaker_target(tables: Tables, *, by_camp: bool = False) -> pd.DataFrame:
    """Who says what about whom: mean target-directed polarity per (outlet, speaker, target) (:data:`SPEAKER_TARGET_SCHEMA`).

    Reads :attr:`Tables.treatment` (one row per mention). The narrator (the
    outlet's own words) is a speaker too. ``by_camp=True`` puts targets
    together by camp (``target`` is then the camp name), e.g. "Ann Lee on
    the opposition camp". Intervals resample whole articles.
    """
    t = tables.treatment
    if by_camp:
        t = t.assign(target=t["target_camp"])
    rows = []
    stats = summaries(t, ["outlet", "speaker", "target"], "polarity", cluster="article_id")
    for (outlet, speaker, target), g in t.groupby(["outlet", "speaker", "target"], sort=True):
        st = stats.loc[(outlet, speaker, target)]
        rows.append(dict(outlet=outlet, speaker=speaker, speaker_camp=g["speaker_camp"].iloc[0], target=target,
                         target_camp=g["target_camp"].iloc[0], n=st["n"], polarity=st["mean"], ci_low=st["ci_low"],
                         ci_high=st["ci_high"], low_n=st["low_n"], example=_extreme(g, "polarity", "sentence"), evidence=evidence_spans(g)))
    if not rows:
        return _empty(SPEAKER_TARGET_SCHEMA)
    return SPEAKER_TARGET_SCHEMA.validate(pd.DataFrame(rows, columns=list(SPEAKER_TARGET_SCHEMA.columns)))


def _subject_sentences(tables: Tables, focus: Party, counterpart: Party) -> list[tuple[str, str, set]]:
    """(about, about_kind, {(article_id, sentence_id)}) for focus, counterpart and every camp named."""
    m = tables.mentions[~tables.mentions["is_speaker_mention"]]
    keys = lambda mask: set(zip(m.loc[mask, "article_id"], m.loc[mask, "sentence_id"]))  # noqa: E731
    subjects = [(focus.label, "focus", keys(focus.matches(m["actor"], m["camp"]))),
                (counterpart.label, "counterpart", keys(counterpart.matches(m["actor"], m["camp"])))]
    for camp in tables.codebook.camps:
        if camp not in {p.name for p in (focus, counterpart) if p.kind == "camp"}:  # already a row above
            subjects.append((camp, "camp", keys(m["camp"] == camp)))
    return [s for s in subjects if s[2]]


def frame_profile(tables: Tables, focus: str | Party, counterpart: str | Party) -> pd.DataFrame:
    """Frames of the sentences about the focus, the counterpart and each camp, per outlet (:data:`FRAME_PROFILE_SCHEMA`).

    A sentence is *about* an actor when it names them (quotes included, the
    "X said" attribution excluded); ``share`` is the share of those sentences
    where the frame's lexicon fires (the interval resamples sentences).
    """
    f, c = resolve_parties(tables, focus, counterpart)
    scored = tables.frame_scores
    rows = []
    if scored.empty:
        return _empty(FRAME_PROFILE_SCHEMA)
    keys = pd.MultiIndex.from_frame(scored[["article_id", "sentence_id"]])
    columns = {name: scored[name].to_numpy(dtype=object) for name in ("article_id", "start", "end", "matched_terms", "sentence")}
    hit_all = scored["hits_n"].to_numpy() > 0
    for about, kind, sentence_keys in _subject_sentences(tables, f, c):
        chosen = scored[keys.isin(list(sentence_keys))]
        chosen = chosen.assign(fired=(chosen["hits_n"] > 0).astype(float))
        stats = summarize(chosen, by=["outlet", "frame"], value="fired")
        where = np.flatnonzero(keys.isin(list(sentence_keys)))
        groups = chosen.groupby(["outlet", "frame"], sort=True).indices
        for st in stats.itertuples(index=False):
            group = where[groups[(st.outlet, st.frame)]]
            hits = group[hit_all[group]]
            terms = [t.strip().lower() for ts in columns["matched_terms"][hits] for t in ts.split(";") if t.strip()]
            top = "; ".join(f"{t} ({n})" for t, n in pd.Series(terms, dtype=object).value_counts().head(8).items()) if terms else ""
            rows.append(dict(outlet=st.outlet, about=about, about_kind=kind, frame_set=tables.frame_set, frame=st.frame, n=len(group),
                             texts_with_frame_n=len(hits), share=st.mean, ci_low=st.ci_low, ci_high=st.ci_high, low_n=st.low_n,
                             matched_terms=top, example=str(columns["sentence"][hits[0]]) if len(hits) else "",
                             evidence=_spans(columns["article_id"][hits], columns["start"][hits], columns["end"][hits])))
    if not rows:
        return _empty(FRAME_PROFILE_SCHEMA)
    return FRAME_PROFILE_SCHEMA.validate(pd.DataFrame(rows, columns=list(FRAME_PROFILE_SCHEMA.columns)))


def attribution_verbs(tables: Tables, focus: str | Party, counterpart: str | Party) -> pd.DataFrame:
    """Attribution-verb classes per outlet and voice group (:data:`analysis.cues.CUE_COUNTS_SCHEMA` plus ``group``).

    Every class is listed for every (outlet, group) with quotes, zeros kept;
    ``cues`` names the verbs counted.
    """
    q = voice_quotes(tables, focus, counterpart)
    if q.empty:
        counted = count_cues(pd.DataFrame({"outlet": [], "group": [], "group_label": [], "cue": []}), by=["outlet", "group", "group_label"])
        return counted
    return count_cues(q[["outlet", "group", "group_label", "cue"]], by=["outlet", "group", "group_label"])

