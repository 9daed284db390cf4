from __future__ import annotations

import json

import altair as alt
import pandas as pd
import pytest

from analysis import charts, positioning as pos
from analysis.corpus import load_articles
from notebook_support import write_us_corpus

FOCUS, COUNTERPART = "Donald Trump", "clinton_campaign"


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    params = write_us_corpus(tmp_path_factory.mktemp("us"))
    return pos.build_tables(load_articles(params["CORPUS"]), params["CODEBOOK"], "generic_frames")


@pytest.fixture(scope="module")
def built(tables):
    quotes = pos.voice_quotes(tables, FOCUS, COUNTERPART)
    return {
        "voice_share": charts.voice_share(quotes),
        "speaker_sentiment": charts.speaker_sentiment(pos.speaker_tone(tables)),
        "treatment_heatmap": charts.treatment_heatmap(pos.speaker_target(tables)),
        "frame_heatmap": charts.frame_heatmap(pos.frame_profile(tables, FOCUS, COUNTERPART)),
        "quote_timeline": charts.quote_timeline(quotes),
        "positioning_map": charts.positioning_map(pos.positioning_map_table(tables, FOCUS, COUNTERPART)),
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


def test_camp_colours_are_fixed_and_other_stories_get_their_own():
    scale = charts.camp_scale(["liberal_government", "clinton_campaign", "trump_campaign", "unknown"])
    assert scale.range[0] == charts.CAMP_COLORS["liberal_government"]
    assert len(set(scale.range)) == 4 and scale.range[-1] == charts.UNKNOWN_CAMP_COLOR


def test_sentiment_colours_diverge_around_zero(built):
    spec = json.dumps(built["treatment_heatmap"].to_dict())
    assert '"domain": [-1, 1]' in spec and "redblue" in spec


EMPTY_INPUTS = {
    "voice_share": lambda t: charts.voice_share(pos.voice_quotes(t)),
    "speaker_sentiment": lambda t: charts.speaker_sentiment(pos.speaker_tone(t)),
    "treatment_heatmap": lambda t: charts.treatment_heatmap(pos.speaker_target(t)),
    "frame_heatmap": lambda t: charts.frame_heatmap(pos.frame_profile(t)),
    "quote_timeline": lambda t: charts.quote_timeline(pos.voice_quotes(t)),
    "positioning_map": lambda t: charts.positioning_map(pos.positioning_map_table(t)),
}


@pytest.mark.parametrize("name", list(EMPTY_INPUTS))
def test_charts_on_empty_tables_say_no_data_and_still_render(name, tmp_path):
    empty = pos.build_tables(pd.DataFrame({"article_id": [], "outlet": [], "text": []}), frame_set="generic_frames")
    chart = EMPTY_INPUTS[name](empty)
    assert _title(chart.to_dict()).endswith(": no data")
    chart.save(str(tmp_path / "empty.svg"))
    assert "<svg" in (tmp_path / "empty.svg").read_text()


def test_charts_render_offline_to_svg(built, tmp_path):
    for name, chart in built.items():
        path = tmp_path / f"{name}.svg"
        chart.save(str(path))
        assert path.stat().st_size > 2000, name


def test_nothing_in_the_chart_and_findings_code_names_the_first_story():
    from pathlib import Path

    import analysis

    for module in ("charts.py", "findings.py"):
        assert "Jivani" not in (Path(analysis.__file__).parent / module).read_text(), module
