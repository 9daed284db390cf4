"""The annotated article: every character of the text shown once and escaped, with quotes, stance and descriptors marked."""

from __future__ import annotations

import html5lib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pandas as pd
import pytest

from analysis import annotate
from analysis.actors import parse_codebook
from analysis.descriptors import find_descriptors
from analysis.tables import build_tables, load_tables

BOOK = parse_codebook({"camps": [{"name": "council", "color": "#1f4e9c"}, {"name": "opposition", "color": "#d62728"}],
                       "actors": [{"name": "Ann Lee", "aliases": ["Lee"], "camp": "council", "pronouns": "she"},
                                  {"name": "Bo Chan", "aliases": ["Chan"], "camp": "opposition", "pronouns": "he"}]})
HOSTILE = ("Budget <script>alert('x')</script> fight <!-- not a comment\n"
           "Finance Minister Ann Lee, a former banker, said the plan works. "
           "“Chan is a disgrace and a liar </div> <!--<script>,” Lee said. Chan did not reply & left.")


def _parse(page: str):
    return html5lib.parse(page, namespaceHTMLElements=False)


def _text_div(doc):
    [div] = [d for d in doc.iter("div") if d.get("class") == "wb-text"]
    return div


@pytest.fixture(scope="module")
def hostile():
    tables = build_tables(pd.DataFrame({"article_id": ["a<1>"], "outlet": ["<i>Daily</i> & Co"], "title": ["<script>x</script>"],
                                        "text": [HOSTILE]}), BOOK)
    return tables, find_descriptors(tables)


def test_article_text_with_script_and_comment_marks_shows_as_text(hostile):
    tables, descriptors = hostile
    page = annotate.article_page(annotate.annotate_article(tables, "a<1>", descriptors), "t")
    doc = _parse(page)
    assert not list(doc.iter("script")) and "<script" not in page and "<!--" not in page
    assert "".join(_text_div(doc).itertext()) == tables.articles["text"].iloc[0]  # every character once, in order
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "&lt;i&gt;Daily&lt;/i&gt; &amp; Co" in page


def test_quotes_mentions_and_descriptors_are_marked_with_their_details(hostile):
    tables, descriptors = hostile
    doc = _parse(annotate.annotate_article(tables, "a<1>", descriptors))
    spans = [s for s in _text_div(doc).iter("span")]
    quote = [s for s in spans if "wb-quote" in s.get("class", "") and "disgrace" in "".join(s.itertext())]
    assert quote and "rgba(31,78,156," in quote[0].get("style")  # the speaker's camp colour, from the codebook
    assert "quote (direct) by Ann Lee, cue “said”" in quote[0].get("title")
    chan = [s for s in spans if "".join(s.itertext()) == "Chan" and "wb-mention" in s.get("class", "")][0]
    score = tables.treatment[(tables.treatment["mention"] == "Chan") & (tables.treatment["speaker"] == "Ann Lee")]["polarity"].iloc[0]
    assert f"Bo Chan (opposition): stance {score:+.2f}" in chan.get("title") and "voiced by Ann Lee" in chan.get("title")
    assert annotate.stance_color(score) in chan.get("style")
    underlined = "".join("".join(s.itertext()) for s in spans if "wb-descriptor" in s.get("class", ""))
    assert "Finance Minister" in underlined and "a former banker" in underlined


def test_unknown_article_is_refused_by_name(hostile):
    with pytest.raises(KeyError, match="nope"):
        annotate.annotate_article(hostile[0], "nope")


def test_pages_and_index_for_the_seed_articles(tmp_path):
    tables, _ = load_tables(None)
    index = annotate.write_article_pages(tables, find_descriptors(tables), tmp_path)
    assert index["outlet"].tolist() == ["CBC News", "The Epoch Times"]
    assert index["path"].tolist()[1] == "articles/the-epoch-times-tory-mp-jivani-says-trump-gave-him-a-message-for-canadians.html"
    links = [a.get("href") for a in _parse((tmp_path / "articles" / "index.html").read_text(encoding="utf-8")).iter("a")]
    assert [f"articles/{href}" for href in links] == index["path"].tolist()
    cbc = _parse((tmp_path / index["path"].iloc[0]).read_text(encoding="utf-8"))
    assert "".join(_text_div(cbc).itertext()) == tables.articles["text"].iloc[0]
    joly = [s for s in cbc.iter("span") if "I haven’t heard" in "".join(s.itertext())]
    assert "quote (direct) by Mélanie Joly" in joly[0].get("title")


def _fake_tables(text: str, spans: list[tuple[int, int, int]]):
    """A Tables stand-in holding one article and quotes / scored mentions / plain mentions at the given spans."""
    from types import SimpleNamespace

    layer = {0: [], 1: [], 2: []}
    for kind, start, end in spans:
        layer[kind].append((start, end))
    quotes = pd.DataFrame([{"article_id": "a", "start": s, "end": e, "speaker": "<Ann>", "camp": "council", "kind": "direct",
                            "cue": "said", "cue_category": "neutral"} for s, e in layer[0]],
                          columns=["article_id", "start", "end", "speaker", "camp", "kind", "cue", "cue_category"])
    treatment = pd.DataFrame([{"article_id": "a", "start": s, "end": e, "speaker": "narrator", "target": "Bo & Co",
                               "target_camp": "opposition", "polarity": ((s * 7) % 21 - 10) / 10, "label": "neutral"} for s, e in layer[1]],
                             columns=["article_id", "start", "end", "speaker", "target", "target_camp", "polarity", "label"])
    mentions = pd.DataFrame([{"article_id": "a", "start": s, "end": e, "actor": "Ann", "camp": "council", "is_speaker_mention": True}
                             for s, e in layer[2]], columns=["article_id", "start", "end", "actor", "camp", "is_speaker_mention"])
    articles = pd.DataFrame({"article_id": ["a"], "outlet": ["<X>"], "title": [None], "text": [text]})
    return SimpleNamespace(articles=articles, quotes=quotes, treatment=treatment, mentions=mentions,
                           codebook=BOOK, camp_colors=dict(BOOK.camp_colors))


# no "\r": loaded texts have normalised line ends
TEXT = st.lists(st.sampled_from(list("ab <>&\"'“”\n-!/") + ["<script>", "<!--", "-->", "</div>", "&amp;"]), max_size=40).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_text_with_any_overlapping_spans_shows_every_character_once(data):
    text = data.draw(TEXT)
    bounds = st.integers(0, len(text))
    spans = data.draw(st.lists(st.tuples(st.integers(0, 2), bounds, bounds), max_size=8))
    spans = [(k, min(a, b), max(a, b)) for k, a, b in spans]
    page = annotate.article_page(annotate.annotate_article(_fake_tables(text, spans), "a"), "t")
    doc = _parse(page)
    assert "".join(_text_div(doc).itertext()) == text
    assert not list(doc.iter("script"))
