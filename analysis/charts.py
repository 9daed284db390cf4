"""Charts: pure functions from a tidy table to an Altair chart, one theme.

Importing this module registers and enables the ``workbench`` theme and
renderer. The renderer emits the Vega-Lite spec under the ``+json`` MIME type
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

import altair as alt
import pandas as pd

FONT = "Helvetica Neue, Helvetica, Arial, sans-serif"
CAMP_COLORS = {
    "conservative": "#1f4e9c",
    "liberal_government": "#d62728",
    "us_administration": "#7f3c8d",
    "other": "#8c8c8c",
    "narrator": "#444444",
}
"""Fixed colour per camp so a camp looks the same in every chart."""

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


def camp_scale(domain: list[str] | None = None) -> alt.Scale:
    """A colour scale that keeps :data:`CAMP_COLORS` and greys out unknown camps."""
    domain = domain or list(CAMP_COLORS)
    return alt.Scale(domain=domain, range=[CAMP_COLORS.get(c, "#bbbbbb") for c in domain])


def corpus_overview(articles: pd.DataFrame) -> alt.Chart:
    """Horizontal bars: words per article, one row per article, coloured by outlet.

    Tooltips show the outlet, title and date behind each bar.
    """
    table = articles.assign(
        label=articles["article_id"].astype(str),
        title=articles.get("title", pd.Series(index=articles.index, dtype=str)).fillna("(no title)"),
        outlet=articles["outlet"].fillna("(unknown outlet)"),
    )
    tooltip = ["outlet:N", "title:N", alt.Tooltip("word_count:Q", title="words")]
    if "published_date" in table:
        tooltip.append(alt.Tooltip("published_date:T", title="published"))
        table = table.assign(published_date=table["published_date"])
    return (
        alt.Chart(table[[c for c in ("label", "outlet", "title", "word_count", "published_date") if c in table]])
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort="-x"),
            x=alt.X("word_count:Q", title="words"),
            color=alt.Color("outlet:N", title="outlet"),
            tooltip=tooltip,
        )
        .properties(title={"text": "Articles in the corpus", "subtitle": "words per article, by outlet"})
    )
