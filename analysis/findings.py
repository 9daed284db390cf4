"""Findings in words, computed from the positioning tables (never typed in by hand).

Each ``describe_*`` function takes tables from :mod:`analysis.measures` and :mod:`analysis.views` and
returns Markdown that a notebook shows as its findings. Every number quoted
comes with its ``n``; intervals are bootstrap 95% intervals; results resting
on fewer than :data:`analysis.stats.LOW_N` units are flagged. An empty
table gives a sentence saying so, never an error.

>>> import pandas as pd
>>> from analysis.measures import MEASURES_SCHEMA
>>> describe_voice(pd.DataFrame(columns=list(MEASURES_SCHEMA.columns)))  # doctest: +ELLIPSIS
'**No quotes were found**, so there is nothing yet to say about who gets to speak. ...'

Limits: the sentences describe the measures, they do not judge them; a gap
between outlets whose intervals overlap is described as "no clear difference".
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.markup import escape_markdown as _md
from analysis.stats import LOW_N
from analysis.verdicts import EVIDENCE_FLOOR, slant_sentence, verdict

EMPTY_CORPUS_HINT = "(Does the corpus hold articles? See notebook 01 for what was loaded and what was rejected.)"
NEUTRAL_BAND = 0.05
"""Mean sentiment within ±this is described as neutral."""


def _pct(value: float) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0%}"


def _num(value: float) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:+.2f}"


def _interval(row, fmt, unit: str = "") -> str:
    """"n = 8, 95% CI 12%–75%" (``unit`` after n), with a warning when n is small."""
    parts = [f"n = {int(row['n'])}" + (f" {unit}" if unit else "")]
    if not (math.isnan(row["ci_low"]) or math.isnan(row["ci_high"])):
        parts.append(f"95% CI {fmt(row['ci_low'])} to {fmt(row['ci_high'])}")
    text = ", ".join(parts)
    return text + ("; *few, read with care*" if row["low_n"] else "")


def tone_word(value: float) -> str:
    """``negative`` / ``neutral`` / ``positive`` for a mean sentiment score.

    >>> tone_word(-0.3), tone_word(0.01), tone_word(float("nan"))
    ('negative', 'neutral', 'unmeasured')
    """
    if value is None or math.isnan(value):
        return "unmeasured"
    return "negative" if value < -NEUTRAL_BAND else "positive" if value > NEUTRAL_BAND else "neutral"


def _pick(measures: pd.DataFrame, outlet: str, measure: str, group: str):
    row = measures[(measures["outlet"] == outlet) & (measures["measure"] == measure) & (measures["group"] == group)]
    return None if row.empty else row.iloc[0]


def _labels(measures: pd.DataFrame) -> dict[str, str]:
    """Group -> its label, escaped for Markdown (labels come from the codebook)."""
    return {group: _md(label) for group, label in zip(measures["group"], measures["group_label"])}


def _outlets(measures: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(measures["outlet"]))


def _compare(measures: pd.DataFrame, measure: str, group: str, what: str, fmt=_pct) -> str:
    """Which outlet is highest on a measure, and whether the intervals keep the outlets apart."""
    rows = measures[(measures["measure"] == measure) & (measures["group"] == group) & (measures["n"] > 0)].dropna(subset=["value"])
    if len(rows) < 2:
        return ""
    top, bottom = rows.loc[rows["value"].idxmax()], rows.loc[rows["value"].idxmin()]
    apart = not (math.isnan(top["ci_low"]) or math.isnan(bottom["ci_high"])) and top["ci_low"] > bottom["ci_high"]
    verdict = "the intervals do not overlap" if apart else "the intervals overlap, so this is **no clear difference**"
    return f" Across outlets, {_md(top['outlet'])} gives {what} the most ({fmt(top['value'])}) and {_md(bottom['outlet'])} the least ({fmt(bottom['value'])}); {verdict}."


def describe_inputs(tables, focus: str, counterpart: str) -> str:
    """What the notebook is reading: corpus size, quotes found, and the two sides compared.

    >>> import pandas as pd
    >>> from analysis.actors import parse_codebook
    >>> from analysis.tables import build_tables
    >>> book = parse_codebook({"actors": [{"name": "A", "camp": "city_council", "pronouns": "he"}, {"name": "B", "camp": "opposition", "pronouns": "she"}]})
    >>> print(describe_inputs(build_tables(pd.DataFrame({"article_id": [], "text": []}), book), "city_council", "opposition"))
    Reading **0 articles** from 0 outlets: 0 quotes, 0 actor mentions. Focus: **city council** (a camp); counterpart: **opposition** (a camp). The corpus is empty, so every table below is empty too. (Does the corpus hold articles? See notebook 01 for what was loaded and what was rejected.)
    """
    f, c = tables.party(focus), tables.party(counterpart)
    describe = lambda p: f"**{_md(p.label)}** (" + (f"an actor, camp {_md(p.camp)}" if p.kind == "actor" else "a camp") + ")"  # noqa: E731
    n = len(tables.articles)
    text = (f"Reading **{n} article{'s' * (n != 1)}** from {len(tables.outlets)} outlet{'s' * (len(tables.outlets) != 1)}: "
            f"{len(tables.quotes)} quotes, {len(tables.mentions)} actor mentions. Focus: {describe(f)}; counterpart: {describe(c)}.")
    if n == 0:
        text += f" The corpus is empty, so every table below is empty too. {EMPTY_CORPUS_HINT}"
    return text


def describe_voice(measures: pd.DataFrame) -> str:
    """Who gets to speak, per outlet: shares of quotes and quoted words (from :func:`~analysis.measures.positioning_measures`)."""
    voice = measures[measures["measure"] == "quote_share"] if len(measures) else measures
    if voice.empty or (voice["n"] == 0).all():
        return f"**No quotes were found**, so there is nothing yet to say about who gets to speak. {EMPTY_CORPUS_HINT}"
    labels = _labels(voice)
    lines = []
    for outlet in _outlets(voice):
        q = _pick(measures, outlet, "quote_share", "focus")
        if q is None or q["n"] == 0:
            lines.append(f"- **{_md(outlet)}** quotes nobody.")
            continue
        parts = []
        for group in ("focus", "counterpart", "focus_camp", "other"):
            share, words = _pick(measures, outlet, "quote_share", group), _pick(measures, outlet, "word_share", group)
            if share is None or (group == "focus_camp" and labels[group].startswith("(none")):
                continue
            parts.append(f"{labels[group]} {_pct(share['value'])} of quotes ({_pct(words['value'])} of quoted words)")
        lines.append(f"- **{_md(outlet)}** ({_interval(q, _pct).split(',')[0]} quotes): " + "; ".join(parts) + ".")
    text = "\n".join(lines)
    text += "\n\n" + _compare(measures, "quote_share", "focus", f"{labels['focus']} a voice").strip()
    return text.strip()


def describe_order(measures: pd.DataFrame) -> str:
    """Who speaks first and last, and who is in the headline and lead, per outlet."""
    order = measures[measures["dimension"] == "order"] if len(measures) else measures
    if order.empty:
        return f"**No articles**, so no order of speakers to report. {EMPTY_CORPUS_HINT}"
    labels = _labels(order)
    lines = []
    for outlet in _outlets(order):
        bits = []
        for group in ("focus", "counterpart"):
            first, last = _pick(order, outlet, "speaks_first", group), _pick(order, outlet, "last_word", group)
            head, lead = _pick(order, outlet, "in_headline", group), _pick(order, outlet, "in_lead", group)
            spoken = f"speaks first in {_pct(first['value'])} and has the last word in {_pct(last['value'])} of {int(first['n'])} articles with quotes" if first["n"] else "is never quoted"
            headlines = f"{_pct(head['value'])} of headlines" if head["n"] else "headline not available"
            named = f"is named in {_pct(lead['value'])} of leads (first two paragraphs; {headlines})" if lead["n"] else ""
            bits.append(f"{labels[group]} {spoken}" + (f", and {named}" if named else ""))
        lines.append(f"- **{_md(outlet)}**: " + "; ".join(bits) + ".")
    return "\n".join(lines)


def describe_tone(measures: pd.DataFrame) -> str:
    """The tone of the focus's and the counterpart's own quotes, per outlet."""
    tone = measures[measures["measure"] == "quote_polarity"] if len(measures) else measures
    if tone.empty or (tone["n"] == 0).all():
        return f"**No quotes by the focus or the counterpart**, so their tone of voice cannot be measured. {EMPTY_CORPUS_HINT}"
    labels = _labels(tone)
    lines = []
    for outlet in _outlets(tone):
        bits = []
        for group in ("focus", "counterpart"):
            row, subj = _pick(tone, outlet, "quote_polarity", group), _pick(measures, outlet, "quote_subjectivity", group)
            if row is None or row["n"] == 0:
                bits.append(f"{labels[group]} is not quoted")
            else:
                bits.append(f"{labels[group]}'s quotes read **{tone_word(row['value'])}** (mean polarity {_num(row['value'])}, "
                            f"subjectivity {subj['value']:.2f}; {_interval(row, _num)})")
        lines.append(f"- **{_md(outlet)}**: " + "; ".join(bits) + ".")
    return "\n".join(lines)


def describe_treatment(measures: pd.DataFrame, pairs: pd.DataFrame | None = None) -> str:
    """How each side is treated, per outlet, by whose voice: the outlet's own words, the other side's sources, its own side's, third parties'.

    The parts are never pooled without being shown (target-directed sentiment per
    mention; a side's words about itself are left out). ``pairs``
    (:func:`~analysis.views.speaker_target`) adds the most negative speaker ->
    target pair with its evidence.
    """
    treat = measures[measures["dimension"] == "treatment"] if len(measures) else measures
    if treat.empty or (treat["n"] == 0).all():
        return f"**No sentence or quote names the focus or the counterpart**, so their treatment cannot be measured. {EMPTY_CORPUS_HINT}"
    labels = _labels(treat)
    parts = (("narrator_sentiment", "the outlet's own words"), ("by_other_side", "the other side's sources"),
             ("by_own_side", "its own side's sources"), ("by_third_party", "third parties' sources"))
    lines = []
    for outlet in _outlets(treat):
        bits = []
        for group in ("focus", "counterpart"):
            said = []
            for measure, who in parts:
                row = _pick(treat, outlet, measure, group)
                if row is not None and row["n"]:
                    said.append(f"{who} {_num(row['value'])} (*{verdict(row)}*; {_interval(row, _num, 'mentions')})")
            bits.append(f"about {labels[group]}: " + ("; ".join(said) if said else "nothing is said"))
        unit = _pick(treat, outlet, "treatment", "focus")
        how = f" *Intervals: {_md(str(unit['unit']))}.*" if unit is not None and unit["unit"] else ""
        lines.append(f"- **{_md(outlet)}**: " + " — ".join(bits) + "." + how)
    text = "\n".join(lines)
    if pairs is not None and len(pairs):
        voiced = pairs[pairs["speaker"] != "narrator"]
        if len(voiced):
            worst = voiced.loc[voiced["polarity"].idxmin()]
            text += (f"\n\nThe most negative speaker-to-target pair is **{_md(worst['speaker'])} on {_md(worst['target'])}** in {_md(worst['outlet'])} "
                     f"(mean {_num(worst['polarity'])}; {_interval(worst, _num, 'mentions')}): “{_md(worst['example'])}” ({_md(worst['evidence'].split(';')[0])}).")
    return text


def describe_frames(profile: pd.DataFrame) -> str:
    """The most common frame in sentences about the focus and about the counterpart, per outlet (:func:`~analysis.views.frame_profile`)."""
    sides = profile[profile["about_kind"].isin(["focus", "counterpart"])] if len(profile) else profile
    if sides.empty:
        return f"**No sentence names the focus or the counterpart**, so there is no frame profile. {EMPTY_CORPUS_HINT}"
    lines = []
    for outlet in list(dict.fromkeys(sides["outlet"])):
        bits = []
        for kind in ("focus", "counterpart"):
            rows = sides[(sides["outlet"] == outlet) & (sides["about_kind"] == kind)]
            if rows.empty:
                continue
            top = rows.loc[rows["share"].idxmax()]
            who = _md(top["about"])
            if top["texts_with_frame_n"] == 0:
                bits.append(f"no frame's words appear in the {int(top['n'])} sentences about {who}")
                continue
            flag = "; *few sentences*" if top["low_n"] else ""
            bits.append(f"sentences about {who} most often carry **{_md(top['frame'].replace('_', ' '))}** "
                        f"({_pct(top['share'])} of {int(top['n'])}{flag}; words: {_md(top['matched_terms'].split(';')[0])})")
        lines.append(f"- **{_md(outlet)}**: " + "; ".join(bits) + ".")
    return "\n".join(lines)


def describe_verbs(measures: pd.DataFrame) -> str:
    """How often the focus's and counterpart's quotes are introduced by loaded verbs (anything but neutral ones)."""
    verbs = measures[measures["measure"] == "loaded_cue"] if len(measures) else measures
    if verbs.empty or (verbs["n"] == 0).all():
        return f"**No quotes by the focus or the counterpart**, so no attribution verbs to compare. {EMPTY_CORPUS_HINT}"
    labels = _labels(verbs)
    lines = []
    for outlet in _outlets(verbs):
        bits = []
        for group in ("focus", "counterpart"):
            row = _pick(verbs, outlet, "loaded_cue", group)
            if row["n"]:
                bits.append(f"{_pct(row['value'])} of {labels[group]}'s {int(row['n'])} quotes come with a loaded verb (emphatic, doubting, dismissive or conflictual)")
        lines.append(f"- **{_md(outlet)}**: " + ("; ".join(bits) if bits else "neither side is quoted") + ".")
    return "\n".join(lines)


def describe_positioning(points: pd.DataFrame) -> str:
    """Where each outlet sits on the positioning map, in words, with a verdict only where the data carry one.

    Reads :func:`~analysis.measures.positioning_map_table`: the lean is the
    ``slant`` (treatment of the focus minus the counterpart) and its
    ``verdict`` (:func:`analysis.verdicts.verdict`: a direction only when the
    95% interval excludes 0 and n >= :data:`analysis.verdicts.EVIDENCE_FLOOR`).
    """
    usable = points.dropna(subset=["x", "y"]) if len(points) else points
    if usable.empty:
        return (f"**No outlet can be placed on the map**: none has sentences or quotes naming both the focus and the "
                f"counterpart. {EMPTY_CORPUS_HINT}")
    lines = []
    for row in usable.itertuples(index=False):
        focus, counterpart = _md(row.x_label.removeprefix("treatment of ")), _md(row.y_label.removeprefix("treatment of "))
        slant = {"measure": "slant", "value": row.slant, "ci_low": row.slant_low, "ci_high": row.slant_high, "n": row.slant_n, "unit": row.unit}
        sides = []
        for axis, who in (("x", focus), ("y", counterpart)):
            r = {"value": getattr(row, axis), "ci_low": getattr(row, f"{axis}_low"), "ci_high": getattr(row, f"{axis}_high"),
                 "n": getattr(row, f"{axis}_n"), "low_n": getattr(row, f"{axis}_low_n")}
            sides.append(f"{who} {_num(r['value'])} (*{verdict(r)}*; {_interval(r, _num, 'mentions')})")
        lines.append(f"- **{_md(row.outlet)}**: treatment of " + " and of ".join(sides) + f"; **{_md(slant_sentence(slant, row.x_label.removeprefix('treatment of '), row.y_label.removeprefix('treatment of ')))}**. "
                     f"Voice: {_md(row.voice)}.")
    skipped = len(points) - len(usable)
    if skipped:
        lines.append(f"- {skipped} outlet{'s' * (skipped != 1)} could not be placed (nothing said about one of the sides).")
    lines.append(f"\n*A lean is named only when its 95% interval excludes 0 and rests on at least {EVIDENCE_FLOOR} mentions; "
                 "otherwise the line says so.*")
    return "\n".join(lines)
