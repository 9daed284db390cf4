"""Answer pages and the sides behind them, on small invented articles (escaping, the unique-content hook, claims answered)."""

from __future__ import annotations

import subprocess
import sys

import html5lib
import numpy as np
import pandas as pd
import pytest

from analysis import answers
from analysis.actors import parse_codebook
from analysis.sides import claims_and_responses, first_third, side_masks, treatment_voices
from analysis.stats import difference_summary
from analysis.tables import Party, build_tables

BOOK = parse_codebook({"camps": ["council", "opposition", "press"], "actors": [
    {"name": "Ann Lee", "aliases": ["Lee"], "camp": "council", "pronouns": "she"},
    {"name": "Dee Park", "aliases": ["Park"], "camp": "council", "pronouns": "she"},
    {"name": "Bo Chan", "aliases": ["Chan"], "camp": "opposition", "pronouns": "he"},
    {"name": "Cy Roy", "aliases": ["Roy"], "camp": "press", "pronouns": "he"}]})
TEXT = ("Lee defends the budget <script>alert(1)</script>\n"
        "Ann Lee said Chan is wrong about the budget and betrayed the city.\n"
        "Park said Chan was a reckless and dishonest critic.\n"
        "Roy said Lee ran a careful, honest process.\n"
        "Chan said Lee ignored his good offers.\n"
        "The council praised Lee for a balanced plan.")


@pytest.fixture(scope="module")
def tables():
    arts = pd.DataFrame({"article_id": ["a"], "outlet": ["<b>Ledger</b>"], "title": [None], "text": [TEXT]})
    return build_tables(arts, BOOK, "generic_frames")


def test_each_mention_is_labelled_by_whose_voice_it_is_in(tables):
    t = treatment_voices(tables, "Ann Lee", "Bo Chan")
    v = {(a, s): set(t.loc[(t["about"] == a) & (t["speaker"] == s), "voice"]) for a, s in zip(t["about"], t["speaker"])}
    assert v[("counterpart", "Ann Lee")] == {"other_side"}   # Lee on Chan: Lee's stance, not the outlet's
    assert v[("counterpart", "Dee Park")] == {"other_side"}  # an ally of the focus is on the focus's side
    assert v[("focus", "Cy Roy")] == {"third_party"}
    assert v[("focus", "Bo Chan")] == {"other_side"}
    assert v[("focus", "narrator")] == {"narrator"}
    masks = side_masks(pd.Series(["Ann Lee", "Dee Park"]), pd.Series(["council", "council"]),
                       Party("Ann Lee", "actor", "council"), Party("Dee Park", "actor", "council"))
    assert masks["focus"].tolist() == [True, False] and masks["counterpart"].tolist() == [False, True]  # same camp: parties alone


def test_claims_by_one_side_and_the_other_sides_answer(tables):
    claims = claims_and_responses(tables, "Ann Lee", "Bo Chan").set_index("speaker")
    assert bool(claims.loc["Ann Lee", "answered"]) and claims.loc["Ann Lee", "answer_speaker"] == "Bo Chan"
    assert bool(claims.loc["Dee Park", "answered"])
    assert not bool(claims.loc["Bo Chan", "answered"])  # nobody on Lee's side speaks after Chan
    early = first_third(tables, "Ann Lee", "Bo Chan")
    assert early["names_focus"].all() and len(early) >= 2


def test_answer_page_escapes_article_text_and_shows_unique_content(tables, tmp_path):
    unique = pd.DataFrame({"outlet": ["<b>Ledger</b>"], "article_id": ["a"], "start": [0], "end": [50], "text": [TEXT[:50]]})
    paths = answers.write_answer_pages(tables, "Ann Lee", "Bo Chan", tmp_path, unique_content=unique)
    page = paths[1].read_text(encoding="utf-8")
    assert paths[1].name == "b-ledger-b.html" and "<script>" not in page and "&lt;script&gt;" in page
    doc = html5lib.parse(page, namespaceHTMLElements=False)
    assert not doc.findall(".//script") and doc.find(".//h1").text.startswith("How <b>Ledger</b> positions Ann Lee")
    assert "Only in <b>Ledger</b> (1 passages)" in "".join(doc.find(".//body").itertext())
    with pytest.raises(ValueError, match="unique_content lacks columns"):
        answers.answer_page([], "x", "a", "b", unique_content=unique.drop(columns="text"))
    with pytest.raises(ValueError, match="no outlet 'Nope'"):
        answers.answer_lines(tables, "Ann Lee", "Bo Chan", "Nope")


def test_difference_interval_resamples_both_sides_together():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(0.4, 0.2, 60), rng.normal(-0.1, 0.2, 60)])
    first = np.arange(120) < 60
    d = difference_summary(x, first, np.arange(120) % 40)  # 40 clusters holding both sides
    assert d["mean"] == pytest.approx(x[:60].mean() - x[60:].mean())
    assert d["ci_low"] < d["mean"] < d["ci_high"] and d["ci_low"] > 0 and not d["low_n"]
    assert np.isnan(difference_summary(x[:60], first[:60], np.arange(60))["mean"])  # one side only: no difference


def test_polnear_positioning_says_when_the_corpus_is_absent(tmp_path):
    done = subprocess.run([sys.executable, "benchmarks/polnear_positioning.py", str(tmp_path / "missing")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "PolNeAR not found at" in done.stdout
