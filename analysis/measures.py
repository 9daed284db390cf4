"""The positioning measures: every number comparing how outlets treat the focus and the counterpart.

:func:`positioning_measures` computes them all as one tidy long table (one
row per outlet, measure and group, with ``n``, a bootstrap 95% interval, the
``low_n`` flag and the evidence spans, :data:`MEASURES_SCHEMA`);
:func:`outlet_positioning` pivots it wide (one row per outlet) and
:func:`positioning_map_table` gives the headline chart's points. Each reads a
:class:`analysis.tables.Tables`; ``focus`` and ``counterpart`` (a codebook
actor name or alias, or a camp) are required.

>>> import pandas as pd
>>> from analysis.tables import build_tables
>>> from analysis.actors import parse_codebook
>>> book = parse_codebook({"actors": [
...     {"name": "Ann Lee", "aliases": ["Lee"], "camp": "council", "pronouns": "she"},
...     {"name": "Bo Chan", "aliases": ["Chan"], "camp": "opposition", "pronouns": "he"}]})
>>> arts = pd.DataFrame({"article_id": ["a"], "outlet": ["X"], "title": [None],
...     "text": ["Ann Lee said Chan is wrong about the budget. Chan said the mayor ignored his good offers."]})
>>> tables = build_tables(arts, book, "generic_frames")
>>> wide = outlet_positioning(tables, focus="Ann Lee", counterpart="opposition")
>>> wide[["outlet", "quotes_n", "quote_share_focus", "quote_share_counterpart"]].values.tolist()
[['X', 2, 0.5, 0.5]]

Limits, plainly:

- Treatment is *target-directed*: each codebook mention is scored by the stance
  scorer (:data:`analysis.stages.STANCE_SCORERS`; today a model trained on
  NewsMTSC, :func:`analysis.sentiment.target_sentiments`) for how its sentence
  treats that mention, so "X praised Lee but called the opposition a
  failure" is positive toward Lee and negative toward the opposition. Who
  voices it (the narrator, or the speaker of the quote the mention sits in) is
  :func:`analysis.treatment.actor_sentiment`'s assignment. The model reads the
  whole sentence (a quote inside a narrator sentence included), is not a
  parser, and is out of domain on Canadian politics (dev macro-F1 about 0.68
  on US news); read it as a pointer to passages, not as stance detection.
- A speaker's own tone (``quote_polarity``, :func:`analysis.views.speaker_tone`)
  stays lexicon-based (TextBlob over the whole quote): it is how the speaker
  sounds, not whom they are talking about.
- Targets are found by codebook names and aliases only; a pronoun ("he said
  the minister ...") is not a target mention. The speaker's own attribution
  ("Chan said") is not counted as the narrator talking about Chan.
- Intervals come from :func:`analysis.stats.summarize` (percentile
  bootstrap, 2,000 resamples, fixed seed). Treatment and slant resample whole
  *articles* when an outlet has at least
  :data:`analysis.stats.ARTICLES_FOR_ARTICLE_RESAMPLING` articles naming the
  sides, else whole *sentences* within its articles
  (:func:`analysis.stats.resampling_units`; ``unit`` says which): with one
  article per outlet the interval says how stable the number is inside that
  article, not across the outlet's coverage. Every other measure resamples its
  own units (quotes, sentences, statements or articles, as ``unit`` says).
  ``low_n`` means n < :data:`analysis.stats.LOW_N` (or fewer than 2 resampled
  units); with n = 1 the interval is empty (NaN). A direction is read off a
  row only by :func:`analysis.verdicts.verdict`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.cues import OTHER_CUE, load_cues
from analysis.schemas import empty_table
from analysis.sides import VOICES, claims_and_responses, first_third, treatment_voices
from analysis.stats import difference_summary, resampling_units, summaries
from analysis.verdicts import verdict
from analysis.tables import Party, Tables
from analysis.views import GROUPS, article_order, evidence_spans, frame_profile, group_labels, resolve_parties, voice_quotes

DIMENSIONS = ["voice", "order", "structure", "tone", "treatment", "slant", "frames", "verbs"]
"""What a measure is about: the side's own voice, its prominence (order, structure), how it is treated, the slant, ..."""
TREATMENT_MEASURES = {"narrator_sentiment": ("narrator",), "by_other_side": ("other_side",), "by_own_side": ("own_side",),
                      "by_third_party": ("third_party",), "quoted_sentiment": ("other_side", "own_side", "third_party"),
                      "treatment": VOICES}
"""Treatment measures and the voices (:data:`analysis.sides.VOICES`) each pools: the parts first, then the pools."""
SLANT_MEASURES = {"slant": VOICES, "slant_narrator": ("narrator",)}
"""Treatment of the focus minus treatment of the counterpart: by everyone in the article, and by the narrator alone."""

MEASURES_SCHEMA = pa.DataFrameSchema(
    {
        "outlet": pa.Column(str),
        "dimension": pa.Column(str, pa.Check.isin(DIMENSIONS)),
        "measure": pa.Column(str),
        "group": pa.Column(str),
        "group_label": pa.Column(str),
        "value": pa.Column(float, nullable=True),
        "ci_low": pa.Column(float, nullable=True),
        "ci_high": pa.Column(float, nullable=True),
        "n": pa.Column(int, pa.Check.ge(0)),
        "low_n": pa.Column(bool),
        "unit": pa.Column(str),
        "evidence": pa.Column(str),
    },
    strict=True,
    ordered=True,
    coerce=True,
    name="positioning_measures",
)
"""One row per (outlet, measure, group): the long form of :func:`outlet_positioning`.

``value`` is a share (0-1) or a mean score; ``n`` how many ``unit`` (quotes,
words' quotes, articles, sentences, mentions) it rests on; ``ci_low``/``ci_high``
a bootstrap 95% interval from :func:`analysis.stats.summarize` (NaN when
n < 2 or fewer than 2 resampled units; treatment and slant resample articles,
or sentences within the article when an outlet has fewer than 5);
``evidence`` the spans behind it (``article_id:start-end``, at most
:data:`EVIDENCE_LIMIT`; for treatment, the mentions).
"""

# --------------------------------------------------------------------------- measures


class _Measures:
    """Unit-level values of every measure, summarized together by :func:`analysis.stats.summarize`.

    ``add`` takes one measure's values (one per unit), optional ``weights``
    (a weighted mean: word shares) and ``clusters`` (resample whole clusters,
    e.g. articles, instead of units); ``add_summary`` a row already summarized.
    ``table`` returns :data:`MEASURES_SCHEMA` rows in the order added.
    """

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.units: list[pd.DataFrame] = []

    def add(self, outlet, dimension, measure, group, label, values, *, weights=None, clusters=None, unit="quotes", evidence="") -> None:
        i = len(self.rows)
        self.rows.append(dict(outlet=outlet, dimension=dimension, measure=measure, group=group, group_label=label, unit=unit, evidence=evidence))
        values = np.asarray(values, dtype=float)
        self.units.append(pd.DataFrame({
            "row": i, "value": values,
            "weight": 1.0 if weights is None else np.asarray(weights, dtype=float),
            "cluster": "" if clusters is None else np.asarray(clusters, dtype=str),
            "weighted": weights is not None, "clustered": clusters is not None,
        }, index=range(values.size)))

    def add_summary(self, **row) -> None:
        self.rows.append(row)

    def table(self) -> pd.DataFrame:
        if not self.rows:
            return MEASURES_SCHEMA.validate(empty_table(MEASURES_SCHEMA))
        stats: dict[int, dict] = {}
        units = pd.concat(self.units, ignore_index=True) if self.units else pd.DataFrame()
        if len(units):
            for (weighted, clustered), sub in units.groupby(["weighted", "clustered"], sort=True):
                found = summaries(sub, ["row"], "value", weight="weight" if weighted else None, cluster="cluster" if clustered else None)
                stats.update(found.rename(columns={"mean": "value"}).to_dict("index"))
        nothing = dict(value=np.nan, ci_low=np.nan, ci_high=np.nan, n=0, low_n=True)  # a measure with no units
        rows = [row if "n" in row else {**row, **stats.get(i, nothing)} for i, row in enumerate(self.rows)]
        return MEASURES_SCHEMA.validate(pd.DataFrame(rows, columns=list(MEASURES_SCHEMA.columns)))


def positioning_measures(tables: Tables, focus: str | Party, counterpart: str | Party) -> pd.DataFrame:
    """Every positioning number, one row per (outlet, measure, group) (:data:`MEASURES_SCHEMA`).

    Measures (``dimension``: ``measure``; groups are focus / counterpart, and
    for voice also focus_camp / other):

    - voice: ``quote_share`` (share of quotes), ``word_share`` (share of quoted words);
    - order: ``speaks_first``, ``last_word`` (share of articles whose first/last
      quoted speaker, background statements left out, is the group's), ``in_headline``, ``in_lead`` (share of articles);
    - tone: ``quote_polarity``, ``quote_subjectivity`` (TextBlob, the group's own quotes);
    - treatment (:data:`TREATMENT_MEASURES`): mean target-directed polarity of
      the side's mentions by voice (:func:`analysis.sides.treatment_voices`):
      ``narrator_sentiment`` (the outlet's own words), ``by_other_side``,
      ``by_own_side``, ``by_third_party`` (quoted sources), and the pools
      ``quoted_sentiment`` (all sources) and ``treatment`` (everyone);
    - slant (:data:`SLANT_MEASURES`, group ``focus``): treatment of the focus
      minus treatment of the counterpart, ``slant`` (everyone) and
      ``slant_narrator``; both sides resampled together;
    - structure: ``first_third_share`` (sentences of the articles' first third
      naming the side), ``answered`` (the side's statements naming the other
      side that the other side answers later, :func:`analysis.sides.claims_and_responses`);
    - frames: ``frame_<name>`` (share of sentences about the group showing the frame);
    - verbs: ``cue_<class>`` (share of the group's quotes introduced by a verb of that
      class) and ``loaded_cue`` (any class but neutral and unknown).

    Intervals and ``low_n`` come from :func:`analysis.stats.summarize`: other
    than treatment, each measure resamples its own units (``unit``); word shares
    are quote-level weighted means (quotes resampled with their word counts).
    """
    f, c = resolve_parties(tables, focus, counterpart)
    labels = group_labels(f, c)
    q = voice_quotes(tables, f, c)
    order = article_order(tables, f, c)
    frames = frame_profile(tables, f, c)
    categories = list(load_cues().categories) + [OTHER_CUE]
    voices, claims, early = treatment_voices(tables, f, c), claims_and_responses(tables, f, c), first_third(tables, f, c)
    rows = _Measures()
    for outlet in tables.outlets:
        oq = q[q["outlet"] == outlet]
        for g in GROUPS:
            mine = (oq["group"] == g).to_numpy()
            ev = evidence_spans(oq[mine])
            rows.add(outlet, "voice", "quote_share", g, labels[g], mine, evidence=ev)
            rows.add(outlet, "voice", "word_share", g, labels[g], mine, weights=oq["own_word_count"].to_numpy(), evidence=ev)
        oa = order[order["outlet"] == outlet]
        spoken = oa[oa["last_group"].notna()]
        with_headline = oa[oa["headline"] != ""]
        for g, party in (("focus", f), ("counterpart", c)):
            label = labels[g]
            hit = (spoken["first_group"] == g).to_numpy()
            rows.add(outlet, "order", "speaks_first", g, label, hit, unit="articles with quoted speakers",
                     evidence="; ".join(spoken.loc[hit, "article_id"]))
            hit = (spoken["last_group"] == g).to_numpy()
            rows.add(outlet, "order", "last_word", g, label, hit, unit="articles with quoted speakers",
                     evidence=evidence_spans(spoken[hit].rename(columns={"last_start": "start", "last_end": "end"})))
            hit = with_headline[f"{g}_in_headline"].fillna(False).to_numpy(dtype=bool)
            rows.add(outlet, "order", "in_headline", g, label, hit, unit="articles with a headline",
                     evidence="; ".join(with_headline.loc[hit, "article_id"]))
            hit = oa[f"{g}_in_lead"].to_numpy()
            rows.add(outlet, "order", "in_lead", g, label, hit, unit="articles", evidence="; ".join(oa.loc[hit, "article_id"]))
            own = oq[oq["group"] == g]
            rows.add(outlet, "tone", "quote_polarity", g, label, own["polarity"], evidence=evidence_spans(own))
            rows.add(outlet, "tone", "quote_subjectivity", g, label, own["subjectivity"], evidence=evidence_spans(own))
            fr = frames[(frames["outlet"] == outlet) & (frames["about_kind"] == g)]
            for r in fr.itertuples(index=False):
                rows.add_summary(outlet=outlet, dimension="frames", measure=f"frame_{r.frame}", group=g, group_label=label,
                                 value=r.share, ci_low=r.ci_low, ci_high=r.ci_high, n=r.n, low_n=r.low_n, unit="sentences",
                                 evidence=r.evidence)
            for category in categories:
                hit = (own["cue_category"] == category).to_numpy()
                rows.add(outlet, "verbs", f"cue_{category}", g, label, hit, evidence=evidence_spans(own[hit]))
            loaded = (~own["cue_category"].isin(["neutral", OTHER_CUE])).to_numpy()
            rows.add(outlet, "verbs", "loaded_cue", g, label, loaded, evidence=evidence_spans(own[loaded]))
        ov = voices[voices["outlet"] == outlet]
        clusters, unit = resampling_units(ov["article_id"], ov["sentence_id"])
        ov = ov.assign(cluster=clusters)
        _add_treatment(rows, outlet, ov, labels, unit)
        _add_slant(rows, outlet, ov, f"{f.label} minus {c.label}", unit)
        oe, oc = early[early["outlet"] == outlet], claims[claims["outlet"] == outlet]
        for g in ("focus", "counterpart"):
            hit = oe[f"names_{g}"].to_numpy()
            rows.add(outlet, "structure", "first_third_share", g, labels[g], hit, unit="sentences in the first third",
                     evidence=evidence_spans(oe[hit]))
            mine = oc[oc["side"] == g]
            rows.add(outlet, "structure", "answered", g, labels[g], mine["answered"].to_numpy(), unit="statements naming the other side",
                     evidence=evidence_spans(mine[mine["answered"].astype(bool)]))
    return rows.table()


def _add_treatment(rows: _Measures, outlet: str, voices: pd.DataFrame, labels: dict, unit: str) -> None:
    """The treatment measures of one outlet (:data:`TREATMENT_MEASURES`), each side, mentions resampled by ``cluster``."""
    for g in ("focus", "counterpart"):
        about = voices[voices["about"] == g]
        for measure, pooled in TREATMENT_MEASURES.items():
            chosen = about[about["voice"].isin(pooled)]
            rows.add(outlet, "treatment", measure, g, labels[g], chosen["polarity"], clusters=chosen["cluster"], unit=unit,
                     evidence=evidence_spans(_strongest(chosen)))


def _add_slant(rows: _Measures, outlet: str, voices: pd.DataFrame, label: str, unit: str) -> None:
    """Treatment of the focus minus treatment of the counterpart (:data:`SLANT_MEASURES`), both sides resampled together."""
    for measure, pooled in SLANT_MEASURES.items():
        chosen = voices[voices["voice"].isin(pooled)]
        d = difference_summary(chosen["polarity"].to_numpy(), (chosen["about"] == "focus").to_numpy(), chosen["cluster"].to_numpy())
        rows.add_summary(outlet=outlet, dimension="slant", measure=measure, group="focus", group_label=label, value=d["mean"],
                         ci_low=d["ci_low"], ci_high=d["ci_high"], n=d["n"], low_n=d["low_n"], unit=unit,
                         evidence=evidence_spans(_strongest(chosen)))


def _strongest(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows by the strength of their score (largest ``|polarity|`` first): the evidence a reader checks first."""
    return frame.iloc[np.argsort(-frame["polarity"].abs().to_numpy(), kind="stable")] if len(frame) else frame


def outlet_positioning(
    tables: Tables,
    *,
    focus: str | Party,
    counterpart: str | Party,
    measures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The wide positioning table: one row per outlet.

    Columns: ``outlet``, ``articles_n``, ``quotes_n``, ``quoted_words_n``,
    then for each measure of :func:`positioning_measures` and group,
    ``<measure>_<group>`` (the value) with ``_n``, ``_ci_low``, ``_ci_high``
    and ``_low_n`` beside it, e.g. ``quote_share_focus``,
    ``quote_share_focus_n``; a measure an outlet lacks (another outlet has it)
    has ``_n`` 0 and ``_low_n`` True. Pass ``measures`` when you already have them.
    """
    if not isinstance(tables, Tables):
        raise TypeError(f"outlet_positioning reads Tables (analysis.tables.load_tables or build_tables), not {type(tables).__name__}")
    long = positioning_measures(tables, focus, counterpart) if measures is None else measures
    base = pd.DataFrame({"outlet": pd.Series(tables.outlets, dtype=object)})
    arts = tables.articles.groupby("outlet").size().rename("articles_n")
    qs = tables.quotes.groupby("outlet").agg(quotes_n=("quote_id", "size"), quoted_words_n=("own_word_count", "sum"))
    base = base.join(arts, on="outlet").join(qs, on="outlet")
    for column in ("articles_n", "quotes_n", "quoted_words_n"):
        base[column] = base[column].fillna(0).astype(int)
    if long.empty:
        return base
    long = long.assign(column=long["measure"] + "_" + long["group"])
    columns = list(dict.fromkeys(long["column"]))
    pieces = []
    for suffix, source in (("", "value"), ("_n", "n"), ("_ci_low", "ci_low"), ("_ci_high", "ci_high"), ("_low_n", "low_n")):
        wide = long.pivot(index="outlet", columns="column", values=source).reindex(columns=columns)
        wide.columns = [f"{col}{suffix}" for col in wide.columns]
        pieces.append(wide)
    wide = pd.concat(pieces, axis=1)
    ordered = [f"{col}{suffix}" for col in columns for suffix in ("", "_n", "_ci_low", "_ci_high", "_low_n")]
    wide = wide[ordered]
    for col in wide.columns:  # a measure another outlet has and this one lacks: n = 0, flagged
        if col.endswith("_low_n"):
            wide[col] = wide[col].fillna(True).astype(bool)
        elif col.endswith("_n"):
            wide[col] = wide[col].fillna(0).astype(int)
        else:
            wide[col] = wide[col].astype(float)
    return base.join(wide, on="outlet").reset_index(drop=True)


def positioning_map_table(
    tables: Tables,
    focus: str | Party,
    counterpart: str | Party,
    *,
    measures: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per outlet for the positioning map: treatment of the focus (``x``) and of the counterpart (``y``).

    ``x``/``y`` are the ``treatment`` measure of :func:`positioning_measures`
    (mean target-directed polarity of the side's mentions by the narrator and by
    other speakers), with ``_low``/``_high`` (95% interval; ``unit`` says what was resampled),
    ``_n``, ``_low_n`` and ``_example`` (the sentence behind the most extreme
    score, with the mention's ``article_id:start-end``);
    ``voice`` sums up who got quoted; ``slant`` (x minus y, both sides
    resampled together) with ``slant_low``/``slant_high``/``slant_n``, its
    ``verdict`` (:func:`analysis.verdicts.verdict`) and the ``unit`` resampled.
    """
    f, c = resolve_parties(tables, focus, counterpart)
    long = positioning_measures(tables, f, c) if measures is None else measures
    columns = ["outlet", "x", "x_low", "x_high", "x_n", "x_low_n", "x_example", "y", "y_low", "y_high", "y_n", "y_low_n",
               "y_example", "x_label", "y_label", "voice", "slant", "slant_low", "slant_high", "slant_n", "verdict", "unit"]
    if long.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    t = tables.treatment
    for outlet in tables.outlets:
        row = {"outlet": outlet, "x_label": f"treatment of {f.label}", "y_label": f"treatment of {c.label}"}
        for axis, group, party in (("x", "focus", f), ("y", "counterpart", c)):
            m = long[(long["outlet"] == outlet) & (long["measure"] == "treatment") & (long["group"] == group)].iloc[0]
            row.update({axis: m["value"], f"{axis}_low": m["ci_low"], f"{axis}_high": m["ci_high"], f"{axis}_n": int(m["n"]), f"{axis}_low_n": bool(m["low_n"])})
            about = t[(t["outlet"] == outlet) & party.matches(t["target"], t["target_camp"])]
            about = about[~party.matches(about["speaker"], about["speaker_camp"])]
            if about.empty:
                row[f"{axis}_example"] = ""
            else:
                e = about.loc[about["polarity"].abs().idxmax()]
                row[f"{axis}_example"] = f"{e['speaker']} on {e['mention']}: “{e['sentence']}” ({e['article_id']}:{e['start']}-{e['end']})"
        sl = long[(long["outlet"] == outlet) & (long["measure"] == "slant")].iloc[0]
        row.update({"slant": sl["value"], "slant_low": sl["ci_low"], "slant_high": sl["ci_high"], "slant_n": int(sl["n"]),
                    "verdict": verdict(sl), "unit": sl["unit"]})
        share = long[(long["outlet"] == outlet) & (long["measure"] == "quote_share")].set_index("group")
        row["voice"] = ", ".join(
            f"{share.loc[g, 'group_label']} {share.loc[g, 'value']:.0%}" for g in ("focus", "counterpart") if g in share.index and pd.notna(share.loc[g, "value"])
        ) or "no quotes"
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)
