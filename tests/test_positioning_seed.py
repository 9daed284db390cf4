"""The seed story's positioning, computed from the real seed articles with the notebooks' parameters, checked against a careful reading.

CBC runs a conflict story and gives the closing word to Industry Minister
Joly's attack on Jivani; The Epoch Times quotes Jivani at length and uses its
own loaded verb for Carney ("dismissed"). Every assertion reads a computed
table (the accurate stance scorer, ``data/``, ``data/actors.yaml``); nothing is
typed in by hand but the two article ids and the story's parameters.
"""

from __future__ import annotations

import html5lib
import pandas as pd
import pytest

from analysis import answers, charts
from analysis.measures import positioning_map_table, positioning_measures
from analysis.sides import treatment_voices
from analysis.tables import load_tables
from analysis.verdicts import EVIDENCE_FLOOR, NEGATIVE, POSITIVE, verdict
from analysis.views import article_order

CBC, EPOCH = "CBC News", "The Epoch Times"
FOCUS, COUNTERPART = "Jamil Jivani", "liberal_government"  # as in the notebooks' parameters cells


@pytest.fixture(scope="module")
def seed():
    tables, rejected = load_tables(None, stance="accurate")
    assert rejected.empty
    return tables, positioning_measures(tables, FOCUS, COUNTERPART)


def _value(measures, outlet, measure, group="focus"):
    row = measures[(measures["outlet"] == outlet) & (measures["measure"] == measure) & (measures["group"] == group)]
    assert len(row) == 1, (outlet, measure, group)
    return row.iloc[0]


def test_the_epoch_times_leans_further_toward_jivani_than_cbc(seed):
    tables, measures = seed
    for measure in ("slant", "slant_narrator"):  # narrator only: robust to the stance model's reading of Joly's "him"
        epoch, cbc = _value(measures, EPOCH, measure), _value(measures, CBC, measure)
        assert epoch["value"] > cbc["value"], measure
        assert epoch["n"] >= EVIDENCE_FLOOR and cbc["n"] >= EVIDENCE_FLOOR
    # the slant is the difference of the two pooled treatments it is built from
    for outlet in (CBC, EPOCH):
        gap = _value(measures, outlet, "treatment")["value"] - _value(measures, outlet, "treatment", "counterpart")["value"]
        assert _value(measures, outlet, "slant")["value"] == pytest.approx(gap)
    # and it stays ahead without any quoted pronoun (Joly's "him" among them)
    voices = treatment_voices(tables, FOCUS, COUNTERPART)
    named = voices[~voices["mention"].str.lower().isin(["him", "her", "he", "she", "they", "them", "it"])]
    means = named.groupby(["outlet", "about"])["polarity"].mean()
    assert means[EPOCH, "focus"] - means[EPOCH, "counterpart"] > means[CBC, "focus"] - means[CBC, "counterpart"]


def test_jivanis_own_words_are_not_the_outlets_treatment_of_the_government(seed):
    tables, measures = seed
    voices = treatment_voices(tables, FOCUS, COUNTERPART)
    humility = voices[voices["sentence"].str.contains("I ask with humility")]
    assert set(humility["voice"]) == {"other_side"} and set(humility["speaker"]) == {"Jamil Jivani"}
    for outlet in (CBC, EPOCH):
        parts = {m: _value(measures, outlet, m, "counterpart") for m in ("narrator_sentiment", "by_other_side", "by_own_side", "by_third_party")}
        assert sum(int(p["n"]) for p in parts.values()) == _value(measures, outlet, "treatment", "counterpart")["n"]


def test_jolys_closing_attack_is_cbcs_last_word_and_targets_jivani(seed):
    tables, measures = seed
    order = article_order(tables, FOCUS, COUNTERPART).set_index("outlet")
    cbc = order.loc[CBC]
    assert cbc["last_speaker"] == "Mélanie Joly" and cbc["last_group"] == "counterpart"
    assert "Jamil Jivani" in cbc["last_targets"].split("; ")
    text = tables.articles.set_index("outlet").loc[CBC, "text"]
    assert text[cbc["last_start"]:cbc["last_end"]] == cbc["last_quote"] and cbc["last_quote"].startswith("I haven’t heard him once")
    assert _value(measures, CBC, "last_word", "counterpart")["value"] == 1.0
    # a background "has said" statement is no last word: The Epoch Times' closing sentence about the Liberals' position is not
    q = tables.quotes[tables.quotes["outlet"] == EPOCH]
    background = q[q["cue"].fillna("").str.startswith("has said") & (q["kind"] == "indirect")]
    assert len(background) and background["start"].max() > order.loc[EPOCH, "last_start"]  # the article's last statement is background
    assert not q[q["start"] == order.loc[EPOCH, "last_start"]]["cue"].str.startswith("has said").any()


def test_dismissed_is_the_epoch_times_loaded_verb_for_the_government(seed):
    tables, measures = seed
    epoch, cbc = _value(measures, EPOCH, "loaded_cue", "counterpart"), _value(measures, CBC, "loaded_cue", "counterpart")
    assert epoch["value"] > 0 and cbc["value"] == 0
    article = tables.articles.set_index("outlet").loc[EPOCH]
    spans = [ref.split(":")[1].split("-") for ref in epoch["evidence"].split("; ")]
    cues = {tables.quotes[(tables.quotes["article_id"] == article["article_id"]) & (tables.quotes["start"] == int(s))]["cue"].iloc[0] for s, _ in spans}
    assert "dismissed" in cues
    wording = answers.answer_lines(tables, FOCUS, COUNTERPART, EPOCH, measures)[4]
    assert "“dismissed” (dismissive)" in wording.text
    assert any("dismissed" in e.text for e in wording.evidence)


def test_verdicts_name_a_direction_only_with_enough_evidence_and_an_interval_excluding_zero(seed):
    _, measures = seed
    signed = measures[measures["dimension"].isin(["treatment", "slant"])]
    assert len(signed) > 20
    for row in signed.to_dict("records"):
        v = verdict(row)
        if v in (POSITIVE, NEGATIVE):
            assert row["n"] >= EVIDENCE_FLOOR and (row["ci_low"] > 0 or row["ci_high"] < 0)
        assert "sentences resampled within 1 article" in row["unit"]  # one article per outlet, and the unit says so


def test_the_map_draws_real_intervals(seed):
    tables, measures = seed
    points = positioning_map_table(tables, FOCUS, COUNTERPART, measures=measures)
    assert (points["x_low"] < points["x_high"]).all() and (points["y_low"] < points["y_high"]).all()
    spec = charts.positioning_map(points).to_dict()
    rules = [layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "rule" and "x2" in layer.get("encoding", {})]
    assert rules and rules[0]["encoding"]["x"]["field"] == "x_low"
    assert "sentences resampled within 1 article" in " ".join(spec["title"]["subtitle"])


def test_answer_pages_for_the_seed_outlets(seed, tmp_path):
    tables, measures = seed
    paths = answers.write_answer_pages(tables, FOCUS, COUNTERPART, tmp_path, measures=measures)
    assert [p.name for p in paths] == ["index.html", "cbc-news.html", "the-epoch-times.html"]
    texts = dict(zip(tables.articles["article_id"], tables.articles["text"]))
    for outlet in (CBC, EPOCH):
        lines = answers.answer_lines(tables, FOCUS, COUNTERPART, outlet, measures)
        assert len(lines) == 5 and all(line.text for line in lines)
        assert all(2 <= len(line.evidence) <= answers.EVIDENCE_PER_LINE for line in lines[:4])
        for e in (e for line in lines for e in line.evidence):
            assert texts[e.article_id][e.start:e.end] == e.text and e.outlet == outlet
    page = (tmp_path / "answers" / "cbc-news.html").read_text(encoding="utf-8")
    doc = html5lib.parse(page, namespaceHTMLElements=False)
    assert not doc.findall(".//script") and "http" not in "".join(el.get("src", "") + el.get("href", "") for el in doc.iter())
    assert len(doc.findall(".//ol/li")) == 5 and "Mélanie Joly" in page


def test_answer_pages_draw_in_chromium_with_no_console_errors(seed, tmp_path):
    from test_browser import _chromium

    from analysis.paths import REPORTS_DIR

    chromium = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    tables, measures = seed
    paths = answers.write_answer_pages(tables, FOCUS, COUNTERPART, tmp_path, measures=measures)
    shots = REPORTS_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            for path in paths:
                page = browser.new_page(viewport={"width": 1000, "height": 800})
                errors, requests = [], []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("request", lambda r: requests.append(r.url))
                page.goto(path.as_uri())
                assert page.locator("h1").count() == 1 and not errors, (path.name, errors)
                assert all(url.startswith("file:") for url in requests), requests  # nothing loaded from elsewhere
                if path.name != "index.html":
                    assert page.locator("ol.lines > li").count() == 5 and page.locator("blockquote").count() >= 8
                page.screenshot(path=str(shots / f"answers-{path.stem}.png"), full_page=True)
                page.close()
        finally:
            browser.close()
