from __future__ import annotations

import json

import altair as alt
import pandas as pd
import pytest

from analysis import charts, measures as ms, views
from analysis.tables import build_tables
from analysis.corpus import load_articles
from notebook_support import write_us_corpus

FOCUS, COUNTERPART = "Donald Trump", "clinton_campaign"


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    params = write_us_corpus(tmp_path_factory.mktemp("us"))
    return build_tables(load_articles(params["CORPUS"]), params["CODEBOOK"], "generic_frames")


@pytest.fixture(scope="module")
def built(tables):
    quotes = views.voice_quotes(tables, FOCUS, COUNTERPART)
    colors = tables.camp_colors
    return {
        "voice_share": charts.voice_share(quotes, colors=colors),
        "speaker_sentiment": charts.speaker_sentiment(views.speaker_tone(tables), colors=colors),
        "treatment_heatmap": charts.treatment_heatmap(views.speaker_target(tables)),
        "frame_heatmap": charts.frame_heatmap(views.frame_profile(tables, FOCUS, COUNTERPART)),
        "quote_timeline": charts.quote_timeline(quotes, colors=colors),
        "positioning_map": charts.positioning_map(ms.positioning_map_table(tables, FOCUS, COUNTERPART)),
    }


def _walk(spec):
    """Every dict inside a spec."""
    if isinstance(spec, dict):
        yield spec
        for value in spec.values():
            yield from _walk(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from _walk(value)


def _title(spec) -> str:
    title = spec.get("title")
    return title.get("text") if isinstance(title, dict) else str(title)


@pytest.mark.parametrize("name", ["voice_share", "speaker_sentiment", "treatment_heatmap", "frame_heatmap", "quote_timeline", "positioning_map"])
def test_each_chart_has_a_title_and_tooltips_with_the_text_behind_it(built, name):
    spec = built[name].to_dict()
    assert _title(spec) and "no data" not in _title(spec)
    tooltips = [d["tooltip"] for d in _walk(spec) if "tooltip" in d and isinstance(d["tooltip"], list)]
    assert tooltips, f"{name} has no tooltips"
    fields = {t.get("field") for tips in tooltips for t in tips if isinstance(t, dict)}
    assert fields & {"quote_short", "example", "line", "x_example"}, f"{name}: tooltips lack the quote or sentence: {fields}"
    assert charts.FONT in json.dumps(alt.theme.get()())  # the one theme is on


def test_voice_chart_filters_its_quote_list_by_the_clicked_speaker(built):
    spec = built["voice_share"].to_dict()
    params = [p for d in _walk(spec) for p in d.get("params", []) if isinstance(p, dict) and "select" in p]
    assert params and params[0]["select"]["type"] == "point" and params[0]["select"]["fields"] == ["speaker_label"]
    filters = [t["filter"] for d in _walk(spec) for t in d.get("transform", []) if "filter" in t]
    assert {"param": params[0]["name"]} in filters


def test_camp_colours_come_from_the_codebook_with_a_fallback_palette(tmp_path, built):
    from analysis.actors import load_codebook

    path = tmp_path / "book.yaml"
    path.write_text(
        "camps:\n  - {name: blue_team, color: '#112233'}\n  - red_team\nactors:\n"
        "  - {name: Ann Lee, aliases: [Lee], party: null, camp: blue_team, role: null, pronouns: she}\n"
        "  - {name: Bo Chan, aliases: [Chan], party: null, camp: red_team, role: null, pronouns: he}\n",
        encoding="utf-8",
    )
    book = load_codebook(path)
    assert book.camp_colors == {"blue_team": "#112233"}
    scale = charts.camp_scale(["blue_team", "red_team", "narrator", "unknown"], book.camp_colors)
    assert scale.range == ["#112233", charts.FALLBACK_CAMP_COLORS[0], charts.FIXED_COLORS["narrator"], charts.UNKNOWN_CAMP_COLOR]
    # the same camp gets the same colour in every chart of a story: the codebook's, else the fallback in camp order
    spec = json.dumps(built["voice_share"].to_dict())
    assert charts.FALLBACK_CAMP_COLORS[0] in spec  # the invented story's codebook gives no colours


def test_sentiment_colours_diverge_around_zero(built):
    spec = json.dumps(built["treatment_heatmap"].to_dict())
    assert '"domain": [-1, 1]' in spec and "redblue" in spec


EMPTY_INPUTS = {
    "voice_share": lambda t: charts.voice_share(views.voice_quotes(t, FOCUS, COUNTERPART)),
    "speaker_sentiment": lambda t: charts.speaker_sentiment(views.speaker_tone(t)),
    "treatment_heatmap": lambda t: charts.treatment_heatmap(views.speaker_target(t)),
    "frame_heatmap": lambda t: charts.frame_heatmap(views.frame_profile(t, FOCUS, COUNTERPART)),
    "quote_timeline": lambda t: charts.quote_timeline(views.voice_quotes(t, FOCUS, COUNTERPART)),
    "positioning_map": lambda t: charts.positioning_map(ms.positioning_map_table(t, FOCUS, COUNTERPART)),
}


@pytest.mark.parametrize("name", list(EMPTY_INPUTS))
def test_charts_on_empty_tables_say_no_data_and_still_render(name, tmp_path):
    empty = build_tables(pd.DataFrame({"article_id": [], "outlet": [], "text": []}), write_us_codebook(tmp_path), "generic_frames")
    chart = EMPTY_INPUTS[name](empty)
    assert _title(chart.to_dict()).endswith(": no data")
    chart.save(str(tmp_path / "empty.svg"))
    assert "<svg" in (tmp_path / "empty.svg").read_text()


def test_charts_render_offline_to_svg(built, tmp_path):
    for name, chart in built.items():
        path = tmp_path / f"{name}.svg"
        chart.save(str(path))
        assert path.stat().st_size > 2000, name


def write_us_codebook(folder) -> str:
    return write_us_corpus(folder / "us")["CODEBOOK"]


def test_corpus_chart_labels_articles_by_outlet_and_title(tables):
    spec = charts.corpus_overview(tables.articles).to_dict()
    labels = {row["label"] for rows in spec["datasets"].values() for row in rows}
    assert "Daily Ledger · Trump rallies Ohio crowd as Clinton attacks his record" in labels
    assert not any(label in set(tables.articles["article_id"]) for label in labels)


def test_treatment_heatmap_colour_and_number_agree_and_fit_a_page(tables, tmp_path):
    import re

    pairs = views.speaker_target(tables)
    spec = charts.treatment_heatmap(pairs).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert all(r["label"] == f"{r['polarity']:+.2f}".replace("+0.00", "0.00") for r in rows)  # the number is the colour's value
    assert spec["spec"]["layer"][0]["encoding"]["color"]["field"] == "polarity"
    # thirty targets in two outlets: sixteen columns drawn, stacked outlets, under 1,000 px wide
    wide = pd.DataFrame([{"outlet": o, "speaker": "narrator", "target": f"Target {k:02d}", "n": 1 + k, "polarity": (k - 15) / 15,
                          "ci_low": None, "ci_high": None, "example": "x"} for o in ("A", "B") for k in range(30)])
    chart = charts.treatment_heatmap(wide)
    kept = {r["target"] for r in next(iter(chart.to_dict()["datasets"].values()))}
    assert kept == {f"Target {k:02d}" for k in range(14, 30)}
    chart.save(str(tmp_path / "wide.svg"))
    width = float(re.search(r'<svg[^>]*width="([\d.]+)"', (tmp_path / "wide.svg").read_text()).group(1))
    assert width < 1000, width
