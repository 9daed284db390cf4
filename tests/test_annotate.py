"""The annotated article: every character of the text shown once and escaped, with quotes, stance and descriptors marked."""

from __future__ import annotations

import html5lib
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
