"""Charts: pure functions from a tidy table to an Altair chart, one theme.

Importing this module registers and enables the ``workbench`` theme and
renderer, and sets pandas to show tables whole (no rows or columns cut). The renderer emits the Vega-Lite spec under the ``+json`` MIME type
that JupyterLab 4 draws with its own bundled Vega (no CDN) and that nbformat
can store; Altair 6's own ``.v6.json`` type is drawn by neither. When the
report is built, :mod:`analysis.report` turns the same output into offline HTML.

>>> import pandas as pd
>>> from analysis.charts import corpus_overview
>>> table = pd.DataFrame({"article_id": ["a"], "outlet": ["CBC News"], "title": ["t"], "word_count": [700]})
>>> corpus_overview(table).to_dict()["mark"]["type"]
'bar'
"""

from __future__ import annotations

import sys
from collections.abc import Mapping


def _import_jsonschema_without_iri_grammar() -> None:
    """Import jsonschema's format checkers without ``rfc3987_syntax``, which compiles a grammar at import (~1.5 s).

    Altair validates specs with jsonschema, whose format checkers import
    ``rfc3987_syntax`` for the ``iri`` formats when it is installed (Jupyter
    pulls it in). Vega-Lite's schema uses no ``iri`` format, so it is hidden
    while jsonschema registers its checkers, then unhidden: nothing else changes.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # makes its import fail, which jsonschema allows
    try:
        import jsonschema._format  # noqa: F401
    finally:
        del sys.modules["rfc3987_syntax"]


_import_jsonschema_without_iri_grammar()

import altair as alt  # noqa: E402
import pandas as pd  # noqa: E402

FONT = "Helvetica Neue, Helvetica, Arial, sans-serif"
FIXED_COLORS = {"narrator": "#444444", "other": "#8c8c8c", "unknown": "#bbbbbb"}
"""Greys for the groups every story has: the outlet's own words, everyone else, speakers outside the codebook."""
FALLBACK_CAMP_COLORS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#e6ab02"]
"""Colours (ColorBrewer Dark2), in order, for camps the codebook gives no ``color``."""
UNKNOWN_CAMP_COLOR = FIXED_COLORS["unknown"]

OUTLET_PALETTE = ["#E69F00", "#009E73", "#56B4E9", "#CC79A7", "#F0E442", "#999999", "#D55E00"]
"""Okabe-Ito colours for outlets and other categories, kept apart from the party-coded camp colours."""


@alt.theme.register("workbench", enable=True)
def _workbench_theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            "view": {"continuousWidth": 480, "continuousHeight": 300, "stroke": None},
            "title": {"fontSize": 15, "anchor": "start", "subtitleColor": "#555555", "subtitleFontSize": 12},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 260, "gridColor": "#e6e6e6"},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
            "range": {"category": OUTLET_PALETTE},
        }
    }


JUPYTERLAB_VEGALITE_MIME = "application/vnd.vegalite.v5+json"


def _workbench_renderer(spec: dict, **metadata) -> dict:
    return {JUPYTERLAB_VEGALITE_MIME: spec, "text/plain": "<chart: open in JupyterLab or see reports/*.html>"}


alt.renderers.register("workbench", _workbench_renderer)
alt.renderers.enable("workbench")


def _show_whole_tables() -> None:
    """Tables in notebooks and reports show every row, column and character: no "..." over a 273-row table.

    The report puts each table in a scrolling box (:func:`analysis.report.export_html`).
    """
    pd.set_option("display.max_rows", None)
    pd.set_option("display.max_columns", None)
    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.width", None)


_show_whole_tables()


def camp_colors(domain: list[str], colors: Mapping[str, str] | None = None) -> list[str]:
    """One colour per camp of ``domain``: the codebook's ``colors`` where given, else :data:`FIXED_COLORS`, else the next of :data:`FALLBACK_CAMP_COLORS`.

    ``colors`` is :attr:`analysis.actors.Codebook.camp_colors`.

    >>> camp_colors(["council", "opposition", "unknown"], {"council": "#1f4e9c"})
    ['#1f4e9c', '#1b9e77', '#bbbbbb']
    """
    colors = dict(colors or {})
    extra = iter(FALLBACK_CAMP_COLORS * (1 + len(domain) // len(FALLBACK_CAMP_COLORS)))
    return [colors.get(c) or FIXED_COLORS.get(c) or next(extra) for c in domain]


def camp_scale(domain: list[str], colors: Mapping[str, str] | None = None) -> alt.Scale:
    """A colour scale over the camps in ``domain`` (see :func:`camp_colors`)."""
    domain = list(domain)
    return alt.Scale(domain=domain, range=camp_colors(domain, colors))


def article_labels(articles: pd.DataFrame, limit: int = 70) -> list[str]:
    """One readable, distinct label per article: ``outlet · title`` (else the text's first words), clipped to ``limit``.

    >>> article_labels(pd.DataFrame({"article_id": ["a", "b", "c"], "outlet": ["X", "X", None],
    ...                              "title": ["Budget passes", None, "Budget passes"], "text": ["", "Lee said no to the plan.", ""]}))
    ['X · Budget passes', 'X · Lee said no to the plan.', '(unknown outlet) · Budget passes']
    """
    titles = articles["title"] if "title" in articles else pd.Series(None, index=articles.index, dtype=object)
    texts = articles["text"] if "text" in articles else pd.Series("", index=articles.index, dtype=object)
    outlets = articles["outlet"] if "outlet" in articles else pd.Series(None, index=articles.index, dtype=object)
    labels, seen = [], {}
    for outlet, title, text, article_id in zip(outlets, titles, texts, articles["article_id"]):
        name = title if isinstance(title, str) and title.strip() else " ".join(str(text or "").split()[:12]) or str(article_id)
        label = _clip(f"{outlet if isinstance(outlet, str) and outlet else '(unknown outlet)'} · {name}", limit)
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels


def corpus_overview(articles: pd.DataFrame) -> alt.Chart:
    """Horizontal bars: words per article, one row per article labelled by outlet and title, coloured by outlet.

    Tooltips show the outlet, title, article id and date behind each bar. An
    article without a title is labelled by its first words (:func:`article_labels`).
    """
    table = articles.assign(
        label=article_labels(articles),
        title=articles.get("title", pd.Series(index=articles.index, dtype=str)).fillna("(no title)"),
        outlet=articles["outlet"].fillna("(unknown outlet)"),
    )
    tooltip = ["outlet:N", "title:N", alt.Tooltip("article_id:N", title="article"), alt.Tooltip("word_count:Q", title="words")]
    if "published_date" in table:
        tooltip.append(alt.Tooltip("published_date:T", title="published"))
        table = table.assign(published_date=table["published_date"])
    return (
        alt.Chart(table[[c for c in ("label", "article_id", "outlet", "title", "word_count", "published_date") if c in table]])
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort="-x", axis=alt.Axis(labelLimit=420)),
            x=alt.X("word_count:Q", title="words"),
            color=alt.Color("outlet:N", title="outlet"),
            tooltip=tooltip,
        )
        .properties(title={"text": "Articles in the corpus", "subtitle": "words per article, by outlet"})
    )


# --------------------------------------------------------------------------- positioning charts

DIVERGING = alt.Scale(domain=[-1, 1], scheme="redblue")
"""Sentiment colours: red hostile, blue warm, white neutral; the same in every chart."""
TABLE_ROWS = 15
"""Rows shown in the quote list under an interactive chart."""


def _camp_domain(camps, colors: Mapping[str, str] | None) -> list[str]:
    """Camps present: in the codebook's order (the order of ``colors``), then the rest sorted, the fixed groups last."""
    present = list(dict.fromkeys(str(c) for c in camps))
    known = [c for c in (colors or {}) if c in present and c not in FIXED_COLORS]
    rest = sorted(c for c in present if c not in known and c not in FIXED_COLORS)
    return known + rest + [c for c in FIXED_COLORS if c in present]


def _clip(text, limit: int = 140) -> str:
    text = " ".join(str(text).split()) if isinstance(text, str) else ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def empty_chart(title: str, message: str = "No data: nothing in this corpus to show here.") -> alt.Chart:
    """A chart that says there is no data, so a notebook on an empty corpus still draws something.

    >>> empty_chart("Voice share").to_dict()["title"]["text"]
    'Voice share: no data'
    """
    return (
        alt.Chart(pd.DataFrame({"message": [message]}))
        .mark_text(fontSize=14, color="#555555", align="left", x=5)
        .encode(text="message:N")
        .properties(title={"text": f"{title}: no data", "subtitle": "nothing to draw for this corpus and these parameters; notebook 01 shows what was loaded"}, width=480, height=40)
    )


def voice_share(quotes: pd.DataFrame, *, title: str = "Who gets to speak", colors: Mapping[str, str] | None = None) -> alt.VConcatChart | alt.Chart:
    """Stacked bars of quoted words by outlet and speaker camp, with the quote list below.

    ``quotes`` is :func:`analysis.views.voice_quotes`; ``colors`` the codebook's
    camp colours (:attr:`analysis.tables.Tables.camp_colors`). Each bar segment
    is one quote (its share of the outlet's quoted words), so hovering shows
    the quote itself. Click a segment to select its speaker: the list of
    quotes below filters to them (double-click to clear).

    >>> empty = voice_share(pd.DataFrame())
    >>> empty.to_dict()["title"]["text"]
    'Who gets to speak: no data'
    """
    if quotes.empty:
        return empty_chart(title, "No quotes were found in this corpus.")
    data = quotes.assign(
        quote_short=quotes["quote"].map(_clip),
        line=[f"{o} · {s}: “{_clip(q, 120)}”" for o, s, q in zip(quotes["outlet"], quotes["speaker_label"], quotes["quote"])],
        camp_rank=quotes["camp_label"].map({c: i for i, c in enumerate(_camp_domain(quotes["camp_label"], colors))}),
    )[["article_id", "outlet", "start", "end", "speaker_label", "camp_label", "group_label", "quote_short", "line",
       "word_count", "word_share", "camp_rank", "polarity"]]
    domain = _camp_domain(data["camp_label"], colors)
    speaker = alt.selection_point(fields=["speaker_label"], on="click", clear="dblclick", name="speaker")
    bars = (
        alt.Chart(data)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            y=alt.Y("outlet:N", title=None),
            x=alt.X("sum(word_share):Q", title="share of the outlet's quoted words", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("camp_label:N", title="speaker's camp", scale=camp_scale(domain, colors)),
            order=alt.Order("camp_rank:O"),
            opacity=alt.condition(speaker, alt.value(1.0), alt.value(0.3)),
            tooltip=[
                alt.Tooltip("speaker_label:N", title="speaker"),
                alt.Tooltip("camp_label:N", title="camp"),
                alt.Tooltip("group_label:N", title="group"),
                alt.Tooltip("quote_short:N", title="quote"),
                alt.Tooltip("word_count:Q", title="words"),
                alt.Tooltip("sum(word_share):Q", title="share of outlet's quoted words", format=".1%"),
                alt.Tooltip("article_id:N", title="article"),
            ],
        )
        .add_params(speaker)
        .properties(
            width=560,
            title={"text": title, "subtitle": "each segment is one quote, sized by its words; click a segment to list that speaker's quotes"},
        )
    )
    rows = (
        alt.Chart(data)
        .transform_filter(speaker)
        .transform_window(row="row_number()")
        .transform_filter(f"datum.row <= {TABLE_ROWS}")
        .encode(
            y=alt.Y("row:O", axis=None),
            tooltip=[alt.Tooltip("line:N", title="quote"), alt.Tooltip("article_id:N", title="article"),
                     alt.Tooltip("start:Q", title="from character"), alt.Tooltip("end:Q", title="to character")],
        )
    )
    table = alt.layer(
        rows.mark_square(size=90, x=6).encode(color=alt.Color("camp_label:N", title="speaker's camp", scale=camp_scale(domain, colors))),
        rows.mark_text(align="left", baseline="middle", x=18, limit=880, fontSize=12, color="#222222").encode(text="line:N"),
    ).properties(width=780, height=TABLE_ROWS * 18, title={"text": "Quotes", "subtitle": f"first {TABLE_ROWS}, filtered by the speaker clicked above; the square is the speaker's camp"})
    return alt.vconcat(bars, table, spacing=20)


def speaker_sentiment(tone: pd.DataFrame, *, title: str = "Tone of each speaker's quotes", colors: Mapping[str, str] | None = None) -> alt.FacetChart | alt.Chart:
    """Diverging dots: mean TextBlob polarity of each speaker's quotes, with its bootstrap 95% interval, one panel per outlet.

    ``tone`` is :func:`analysis.views.speaker_tone`; ``colors`` as in :func:`voice_share`. Hollow dots have
    fewer than 5 quotes (``low_n``). Hover shows the most extreme quote.
    """
    if tone.empty:
        return empty_chart(title, "No attributed quotes to score.")
    data = tone.assign(example=tone["example"].map(_clip), low=tone["ci_low"].fillna(tone["polarity"]), high=tone["ci_high"].fillna(tone["polarity"]))
    domain = _camp_domain(data["camp"], colors)
    tooltip = [
        alt.Tooltip("speaker:N"), alt.Tooltip("camp:N"), alt.Tooltip("outlet:N"), alt.Tooltip("n:Q", title="quotes"),
        alt.Tooltip("polarity:Q", format=".2f", title="mean polarity"), alt.Tooltip("ci_low:Q", format=".2f", title="95% CI low"),
        alt.Tooltip("ci_high:Q", format=".2f", title="95% CI high"), alt.Tooltip("subjectivity:Q", format=".2f"),
        alt.Tooltip("example:N", title="most extreme quote"),
    ]
    base = alt.Chart().encode(y=alt.Y("speaker:N", title=None, sort=alt.EncodingSortField("polarity", order="descending")))
    zero = alt.Chart().mark_rule(color="#999999", strokeDash=[4, 3]).encode(x=alt.datum(0))
    interval = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("low:Q", title="mean polarity of quotes (−1 negative … +1 positive)", scale=alt.Scale(domain=[-1, 1])),
        x2="high:Q",
        color=alt.Color("camp:N", scale=camp_scale(domain, colors), title="camp"),
        tooltip=tooltip,
    )
    dots = base.mark_point(size=90, strokeWidth=2).encode(
        x="polarity:Q",
        color=alt.Color("camp:N", scale=camp_scale(domain, colors), title="camp"),
        fill=alt.condition("datum.low_n", alt.value("white"), alt.Color("camp:N", scale=camp_scale(domain, colors), legend=None)),
        tooltip=tooltip,
    )
    return (
        alt.layer(zero, interval, dots, data=data)
        .properties(width=480)
        .facet(row=alt.Row("outlet:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold", labelFontSize=13)))
        .resolve_scale(y="independent")
        .properties(title={"text": title, "subtitle": "dot: mean polarity; line: bootstrap 95% interval; hollow: fewer than 5 quotes"})
    )


HEATMAP_TARGETS = 16
"""At most this many targets (columns) in the treatment heat map: the most often named; the table keeps every one."""


def treatment_heatmap(pairs: pd.DataFrame, *, title: str = "Who says what about whom",
                      max_targets: int = HEATMAP_TARGETS) -> alt.FacetChart | alt.Chart:
    """Heat map of speaker -> target sentiment (target-directed polarity), one panel per outlet, stacked.

    ``pairs`` is :func:`analysis.views.speaker_target`. Colour and number say
    the same thing: the mean sentiment toward the target (−1 … +1); hover
    shows the mentions (``n``), the interval and the sentence behind the most
    extreme score. The ``narrator`` row is the outlet's own words. Outlets are
    stacked (one panel under another) and at most ``max_targets`` targets,
    the most named, are drawn, so the chart keeps to a page's width (about
    900 px).

    >>> pairs = pd.DataFrame({"outlet": ["X"], "speaker": ["narrator"], "target": ["Ann Lee"], "n": [3], "polarity": [-0.42],
    ...                       "ci_low": [-0.6], "ci_high": [-0.2], "example": ["Lee failed."]})
    >>> spec = treatment_heatmap(pairs).to_dict()
    >>> "row" in spec["facet"], spec["spec"]["layer"][1]["encoding"]["text"]["field"], list(spec["datasets"].values())[0][0]["label"]
    (True, 'label', '-0.42')
    """
    if pairs.empty:
        return empty_chart(title, "No sentence or quote names a codebook actor.")
    counts = pairs.groupby("target")["n"].sum().sort_values(ascending=False, kind="stable")
    kept = list(counts.index[:max_targets])
    data = pairs[pairs["target"].isin(kept)]
    data = data.assign(example=data["example"].map(_clip), label=[f"{p:+.2f}".replace("+0.00", "0.00") for p in data["polarity"]])
    dropped = len(counts) - len(kept)
    tooltip = [
        alt.Tooltip("speaker:N"), alt.Tooltip("target:N"), alt.Tooltip("outlet:N"), alt.Tooltip("n:Q", title="mentions"),
        alt.Tooltip("polarity:Q", format="+.2f", title="mean sentiment"), alt.Tooltip("ci_low:Q", format=".2f", title="95% CI low"),
        alt.Tooltip("ci_high:Q", format=".2f", title="95% CI high"), alt.Tooltip("example:N", title="most extreme sentence"),
    ]
    rect = alt.Chart().mark_rect(stroke="white").encode(
        x=alt.X("target:N", title="about (target)", sort=kept, axis=alt.Axis(labelAngle=-35, labelLimit=160)),
        y=alt.Y("speaker:N", title="speaker", axis=alt.Axis(labelLimit=180)),
        color=alt.Color("polarity:Q", scale=DIVERGING, title="mean sentiment"),
        tooltip=tooltip,
    )
    text = alt.Chart().mark_text(fontSize=10).encode(
        x=alt.X("target:N", sort=kept), y="speaker:N", text="label:N",
        color=alt.condition("abs(datum.polarity) > 0.5", alt.value("white"), alt.value("#222222")), tooltip=tooltip,
    )
    subtitle = ["colour and number: mean sentiment toward the target where each speaker names it (−1 hostile … +1 warm);",
                "narrator: the outlet's own words; hover for the mentions (n), the interval and the sentence"]
    if dropped:
        subtitle.append(f"the {len(kept)} most named targets; {dropped} more in the table (speaker-target.csv)")
    return (
        alt.layer(rect, text, data=data)
        .properties(width={"step": 44}, height={"step": 26})
        .facet(row=alt.Row("outlet:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left", labelOrient="top",
                                                                      labelFontWeight="bold", labelFontSize=13, labelLimit=400)), spacing=24)
        .resolve_scale(y="independent")
        .properties(title={"text": title, "subtitle": subtitle})
    )


def frame_heatmap(profile: pd.DataFrame, *, title: str = "How each side is framed") -> alt.FacetChart | alt.Chart:
    """Heat map of frame shares: sentences about the focus, the counterpart and each camp (rows) by frame, one panel per outlet.

    ``profile`` is :func:`analysis.views.frame_profile`. Hover shows the
    indicator words that fired and one sentence.
    """
    if profile.empty:
        return empty_chart(title, "No sentence names the focus, the counterpart or a camp.")
    kind_label = {"focus": "focus: ", "counterpart": "counterpart: ", "camp": "camp: "}
    data = profile.assign(
        example=profile["example"].map(_clip),
        subject=[kind_label[k] + a for k, a in zip(profile["about_kind"], profile["about"])],
        label=[f"{s:.0%}" for s in profile["share"]],
        frame=profile["frame"].str.replace("_", " "),
    )
    subjects = list(dict.fromkeys(data.sort_values("about_kind", key=lambda s: s.map({"focus": 0, "counterpart": 1, "camp": 2}), kind="stable")["subject"]))
    tooltip = [
        alt.Tooltip("subject:N", title="sentences about"), alt.Tooltip("frame:N"), alt.Tooltip("outlet:N"),
        alt.Tooltip("share:Q", format=".0%", title="share of sentences"), alt.Tooltip("texts_with_frame_n:Q", title="sentences with frame"),
        alt.Tooltip("n:Q", title="sentences"), alt.Tooltip("matched_terms:N", title="words that fired"), alt.Tooltip("example:N", title="example sentence"),
    ]
    rect = alt.Chart().mark_rect(stroke="white").encode(
        x=alt.X("frame:N", title=None, axis=alt.Axis(labelAngle=-35, labelLimit=180)),
        y=alt.Y("subject:N", title=None, sort=subjects, axis=alt.Axis(labelLimit=240)),
        color=alt.Color("share:Q", scale=alt.Scale(domain=[0, 1], scheme="blues"), title="share of sentences", legend=alt.Legend(format="%")),
        tooltip=tooltip,
    )
    text = alt.Chart().mark_text(fontSize=10).encode(
        x="frame:N", y=alt.Y("subject:N", sort=subjects), text="label:N",
        color=alt.condition("datum.share > 0.5", alt.value("white"), alt.value("#222222")), tooltip=tooltip,
    )
    return (
        alt.layer(rect, text, data=data)
        .properties(width={"step": 48}, height={"step": 28})
        .facet(column=alt.Column("outlet:N", title=None, header=alt.Header(labelFontWeight="bold", labelFontSize=13, labelLimit=400)), spacing=30)
        .properties(title={"text": title, "subtitle": "share of sentences naming each side in which the frame's words appear (lexicon indicator, not a reading)"})
    )


def quote_timeline(quotes: pd.DataFrame, *, title: str = "Quotes through each article", colors: Mapping[str, str] | None = None) -> alt.FacetChart | alt.Chart:
    """Each quote placed by where it starts in its article (x) and its polarity (y), coloured by camp, one panel per article.

    ``quotes`` is :func:`analysis.views.voice_quotes`; ``colors`` as in :func:`voice_share`. Who opens, who
    closes, and whether one side is answered. Click a dot to highlight the
    speaker in every panel.
    """
    if quotes.empty:
        return empty_chart(title, "No quotes were found in this corpus.")
    data = quotes.assign(
        quote_short=quotes["quote"].map(_clip),
        article=[f"{o} · {a}" for o, a in zip(quotes["outlet"], quotes["article_id"])],
    )[["article", "article_id", "outlet", "position", "polarity", "camp_label", "speaker_label", "group_label", "quote_short", "order", "start"]]
    domain = _camp_domain(data["camp_label"], colors)
    speaker = alt.selection_point(fields=["speaker_label"], on="click", clear="dblclick", name="timeline_speaker")
    zero = alt.Chart().mark_rule(color="#999999", strokeDash=[4, 3]).encode(y=alt.datum(0))
    path = alt.Chart().mark_line(color="#cccccc").encode(x="position:Q", y="polarity:Q", order="order:Q")
    dots = (
        alt.Chart()
        .mark_circle(size=110, stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("position:Q", title="where the quote starts (0 = top of the article, 1 = end)", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("polarity:Q", title="polarity", scale=alt.Scale(domain=[-1, 1])),
            color=alt.Color("camp_label:N", title="speaker's camp", scale=camp_scale(domain, colors)),
            opacity=alt.condition(speaker, alt.value(1.0), alt.value(0.25)),
            tooltip=[alt.Tooltip("speaker_label:N", title="speaker"), alt.Tooltip("camp_label:N", title="camp"),
                     alt.Tooltip("order:Q", title="quote number (0 = first)"), alt.Tooltip("polarity:Q", format=".2f"),
                     alt.Tooltip("quote_short:N", title="quote"), alt.Tooltip("article_id:N", title="article")],
        )
        .add_params(speaker)
    )
    return (
        alt.layer(zero, path, dots, data=data)
        .properties(width=560, height=110)
        .facet(row=alt.Row("article:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold")))
        .properties(title={"text": title, "subtitle": "each dot a quote; click one to highlight its speaker everywhere (double-click clears)"})
    )


def positioning_map(points: pd.DataFrame, *, title: str = "Where each outlet puts the two sides") -> alt.LayerChart | alt.Chart:
    """The headline chart: each outlet placed by its treatment of the focus (x) and of the counterpart (y).

    ``points`` is :func:`analysis.views.positioning_map_table`: per
    outlet ``x``, ``y`` (mean sentiment, −1 … +1), their intervals, ``n`` and
    the most extreme sentence about each side, shown on hover. Lines are
    bootstrap 95% intervals. Outlets with nothing about either side are left out.
    """
    usable = points.dropna(subset=["x", "y"]) if not points.empty else points
    if usable.empty:
        return empty_chart(title, "No outlet says anything about both the focus and the counterpart.")
    x_title, y_title = usable["x_label"].iloc[0], usable["y_label"].iloc[0]
    data = usable.assign(
        x_low=usable["x_low"].fillna(usable["x"]), x_high=usable["x_high"].fillna(usable["x"]),
        y_low=usable["y_low"].fillna(usable["y"]), y_high=usable["y_high"].fillna(usable["y"]),
        x_example=usable["x_example"].map(_clip), y_example=usable["y_example"].map(_clip),
    )
    # the domain leaves a band beyond ±1 for the quadrant captions, where no mean sentiment can fall
    scale = alt.Scale(domain=[-1.2, 1.2], nice=False)
    axis = alt.Axis(values=[-1, -0.5, 0, 0.5, 1])
    tooltip = [
        alt.Tooltip("outlet:N"),
        alt.Tooltip("x:Q", format=".2f", title=f"{x_title}"), alt.Tooltip("x_n:Q", title="n (x)"),
        alt.Tooltip("x_example:N", title="most extreme about x"),
        alt.Tooltip("y:Q", format=".2f", title=f"{y_title}"), alt.Tooltip("y_n:Q", title="n (y)"),
        alt.Tooltip("y_example:N", title="most extreme about y"),
        alt.Tooltip("voice:N", title="voice"),
        *([alt.Tooltip("slant:Q", format="+.2f", title="slant (x minus y)"), alt.Tooltip("verdict:N", title="verdict")]
          if "verdict" in usable else []),
    ]
    quadrants = pd.DataFrame({"x": [-1.17, 1.17, -1.17, 1.17], "y": [1.12, 1.12, -1.12, -1.12], "align": ["left", "right", "left", "right"],
                              "text": ["warmer to the counterpart", "warm to both", "cold to both", "warmer to the focus"]})
    rules = alt.Chart(pd.DataFrame({"v": [0]}))
    layers = [
        rules.mark_rule(color="#999999", strokeDash=[4, 3]).encode(x=alt.X("v:Q", scale=scale)),
        rules.mark_rule(color="#999999", strokeDash=[4, 3]).encode(y=alt.Y("v:Q", scale=scale)),
        alt.Chart(quadrants[quadrants["align"] == "left"]).mark_text(color="#888888", fontSize=11, align="left").encode(x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale), text="text:N"),
        alt.Chart(quadrants[quadrants["align"] == "right"]).mark_text(color="#888888", fontSize=11, align="right").encode(x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale), text="text:N"),
    ]
    base = alt.Chart(data)
    layers += [
        base.mark_rule(strokeWidth=2, opacity=0.6).encode(x=alt.X("x_low:Q", scale=scale), x2="x_high:Q", y="y:Q", color=alt.Color("outlet:N", legend=None), tooltip=tooltip),
        base.mark_rule(strokeWidth=2, opacity=0.6).encode(y=alt.Y("y_low:Q", scale=scale), y2="y_high:Q", x="x:Q", color=alt.Color("outlet:N", legend=None), tooltip=tooltip),
        base.mark_point(size=220, filled=True, opacity=1).encode(
            x=alt.X("x:Q", title=x_title, scale=scale, axis=axis), y=alt.Y("y:Q", title=y_title, scale=scale, axis=axis),
            color=alt.Color("outlet:N", title="outlet"), tooltip=tooltip,
        ),
    ]
    # outlet names sit above their point, or below it near the top edge; right-aligned near the right edge
    for (upper, right), part in data.groupby([data["y"] > 0.85, data["x"] > 0.6]):
        layers.append(
            alt.Chart(part).mark_text(align="right" if right else "left", dx=-12 if right else 12, dy=16 if upper else -12, fontSize=13, fontWeight="bold")
            .encode(x="x:Q", y="y:Q", text="outlet:N", color=alt.Color("outlet:N", legend=None), tooltip=tooltip)
        )
    units = sorted(set(usable["unit"].dropna().str.partition(" (")[2].str.rstrip(")"))) if "unit" in usable else []
    resampled = "; ".join(u for u in units if u) or "articles resampled"
    return alt.layer(*layers).properties(
        width=520, height=420,
        title={"text": title, "subtitle": ["mean sentiment toward each side where the narrator or another speaker names it;",
                                           f"lines: bootstrap 95% intervals ({resampled}); hover for the evidence"]},
    )
