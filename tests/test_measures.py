from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import measures as ms
from analysis import tables as tb
from analysis import views
from analysis.actors import load_codebook
from analysis.schemas import empty_table
from notebook_support import US_CODEBOOK, write_us_corpus

BOOK = load_codebook()


def _quote(article_id, outlet, start, speaker, words, polarity=0.0, cue="said", quote_id=None):
    camp = BOOK.actor(speaker).camp if speaker and BOOK.resolve(speaker) else None
    text = " ".join(["word"] * words)
    return dict(article_id=article_id, outlet=outlet, quote_id=quote_id if quote_id is not None else start, quote=text,
                start=start, end=start + len(text), kind="direct", speaker=speaker, speaker_mention=speaker,
                speaker_start=None, speaker_end=None, camp=camp, cue=cue, cue_category="other", paragraph_id=0,
                sentence_id=0, word_count=words, outer_quote_id=pd.NA, own_word_count=words, position=0.0, order=0, polarity=polarity, subjectivity=0.5, compound=polarity)


def _hand_built(quotes: list[dict], treatment: list[dict] | None = None) -> tb.Tables:
    """Tables from a hand-built quotes (and treatment) table: no text processing involved."""
    from analysis.cues import label_cues

    q = pd.DataFrame(quotes, columns=list(tb.QUOTE_SCORES_SCHEMA.columns))
    q = label_cues(q.drop(columns="cue_category"))[list(tb.QUOTE_SCORES_SCHEMA.columns)]
    q = tb.QUOTE_SCORES_SCHEMA.validate(q.astype({"speaker_start": "Int64", "speaker_end": "Int64"}))
    arts = q[["article_id", "outlet"]].drop_duplicates().assign(title=None, text="x")
    t = pd.DataFrame(treatment or [], columns=list(tb.TREATMENT_SCHEMA.columns))
    t = tb.TREATMENT_SCHEMA.validate(t.astype({"quote_id": "Int64"}) if len(t) else empty_table(tb.TREATMENT_SCHEMA))
    return tb.Tables(
        articles=arts.reset_index(drop=True),
        sentences=pd.DataFrame(columns=["article_id", "sentence_id", "text"]),
        quotes=q,
        mentions=tb.MENTIONS_SCHEMA.validate(empty_table(tb.MENTIONS_SCHEMA)),
        treatment=t,
        frame_scores=pd.DataFrame(columns=["article_id", "outlet", "sentence_id", "start", "end", "sentence", "text_id",
                                           "frame_set", "frame", "hits_n", "score", "matched_terms", "match_offsets"]),
        codebook=BOOK,
        frame_set="generic_frames",
        paragraphs=pd.DataFrame(columns=["article_id", "paragraph_id", "text", "is_heading"]),
    )


@pytest.fixture
def hand_built():
    return _hand_built(
        [
            _quote("a1", "A", 10, "Jamil Jivani", 10, polarity=0.5),
            _quote("a1", "A", 50, "Mark Carney", 60, polarity=-0.5, cue="dismissed"),
            _quote("a1", "A", 90, "Jamil Jivani", 30, polarity=0.1, cue="insisted"),
            _quote("a2", "A", 5, "Pierre Poilievre", 20),
            _quote("a2", "A", 40, None, 80),
            _quote("b1", "B", 0, "Mélanie Joly", 5),
        ]
    )


def _measure(long, outlet, measure, group):
    row = long[(long["outlet"] == outlet) & (long["measure"] == measure) & (long["group"] == group)]
    assert len(row) == 1, (outlet, measure, group)
    return row.iloc[0]


def test_focus_and_counterpart_resolve_to_an_actor_or_a_camp():
    assert tb.Party.resolve("the Ontario MP", BOOK) == tb.Party("Jamil Jivani", "actor", "conservative")
    assert tb.Party.resolve("liberal_government", BOOK) == tb.Party("liberal_government", "camp", "liberal_government")
    with pytest.raises(ValueError, match="neither an actor nor a camp.*camps: \\['conservative'"):
        tb.Party.resolve("Nobody", BOOK)


def test_voice_shares_on_a_hand_built_quotes_table(hand_built):
    long = ms.positioning_measures(hand_built, "Jamil Jivani", "liberal_government")
    focus = _measure(long, "A", "quote_share", "focus")
    assert focus["value"] == pytest.approx(2 / 5) and focus["n"] == 5 and not focus["low_n"]
    assert focus["ci_low"] <= focus["value"] <= focus["ci_high"]
    assert focus["evidence"] == "a1:10-59; a1:90-239"
    assert _measure(long, "A", "word_share", "focus")["value"] == pytest.approx(40 / 200)
    assert _measure(long, "A", "word_share", "counterpart")["value"] == pytest.approx(60 / 200)
    assert _measure(long, "A", "quote_share", "focus_camp")["value"] == pytest.approx(1 / 5)  # Poilievre
    assert _measure(long, "A", "quote_share", "other")["value"] == pytest.approx(1 / 5)  # unattributed
    shares = long[(long["outlet"] == "A") & (long["measure"] == "quote_share")]["value"]
    assert shares.sum() == pytest.approx(1.0)
    b = _measure(long, "B", "quote_share", "counterpart")
    assert b["value"] == 1.0 and b["n"] == 1 and b["low_n"] and math.isnan(b["ci_low"])


def test_tone_and_verbs_of_each_side(hand_built):
    long = ms.positioning_measures(hand_built, "Jamil Jivani", "liberal_government")
    assert _measure(long, "A", "quote_polarity", "focus")["value"] == pytest.approx(0.3)
    assert _measure(long, "A", "quote_polarity", "counterpart")["value"] == pytest.approx(-0.5)
    assert _measure(long, "A", "cue_emphatic", "focus")["value"] == pytest.approx(0.5)
    assert _measure(long, "A", "cue_dismissive", "counterpart")["value"] == 1.0
    assert _measure(long, "A", "loaded_cue", "focus")["value"] == pytest.approx(0.5)
    verbs = views.attribution_verbs(hand_built, "Jamil Jivani", "liberal_government")
    row = verbs[(verbs["outlet"] == "A") & (verbs["group"] == "focus") & (verbs["cue_category"] == "emphatic")].iloc[0]
    assert (row["count"], row["n"], row["cues"]) == (1, 2, "insisted")


def test_wide_table_has_one_row_per_outlet_with_n_interval_and_flag(hand_built):
    wide = ms.outlet_positioning(hand_built, focus="Jamil Jivani", counterpart="liberal_government")
    assert wide["outlet"].tolist() == ["A", "B"]
    assert wide.loc[0, ["articles_n", "quotes_n", "quoted_words_n"]].tolist() == [2, 5, 200]
    for stem in ("quote_share_focus", "word_share_counterpart", "speaks_first_focus", "quote_polarity_counterpart",
                 "narrator_sentiment_focus", "quoted_sentiment_counterpart", "loaded_cue_focus"):
        for suffix in ("", "_n", "_ci_low", "_ci_high", "_low_n"):
            assert stem + suffix in wide.columns
    assert wide.loc[0, "quote_share_focus"] == pytest.approx(0.4)
    assert wide["quote_share_focus_low_n"].dtype == bool


def test_treatment_by_narrator_and_by_other_speakers_leaves_out_own_words():
    def row(source, speaker, speaker_camp, target, target_camp, polarity, start):
        return dict(article_id="a1", outlet="A", source=source, speaker=speaker, speaker_camp=speaker_camp, target=target,
                    target_camp=target_camp, mention=target, start=start, end=start + 5, sentence_id=0,
                    quote_id=None if source == "narrator" else 0, sentence="t", polarity=polarity, label="neutral")

    tables = _hand_built(
        [_quote("a1", "A", 0, "Mark Carney", 3)],
        [
            row("narrator", "narrator", "narrator", "Jamil Jivani", "conservative", -0.4, 0),
            row("narrator", "narrator", "narrator", "Jamil Jivani", "conservative", -0.2, 10),
            row("quote", "Mark Carney", "liberal_government", "Jamil Jivani", "conservative", -0.6, 20),
            row("quote", "Jamil Jivani", "conservative", "Liberal government", "liberal_government", -0.8, 30),
            # a Liberal on the Liberals is not how others treat them
            row("quote", "Mark Carney", "liberal_government", "Liberal government", "liberal_government", 0.9, 40),
        ],
    )
    long = ms.positioning_measures(tables, "Jamil Jivani", "liberal_government")
    narrator = _measure(long, "A", "narrator_sentiment", "focus")
    assert narrator["value"] == pytest.approx(-0.3) and narrator["evidence"] == "a1:0-5; a1:10-15"
    # one article: sentences are resampled within it; both mentions share one sentence, so no interval, flagged
    assert narrator["unit"] == "mentions (sentences resampled within 1 article)"
    assert narrator["low_n"] and math.isnan(narrator["ci_low"])
    # the parts by voice: Carney (the other side) on Jivani; Jivani (the other side) on the Liberals; nobody's own side
    assert _measure(long, "A", "by_other_side", "focus")["value"] == pytest.approx(-0.6)
    assert _measure(long, "A", "by_other_side", "counterpart")["value"] == pytest.approx(-0.8)
    assert _measure(long, "A", "by_own_side", "counterpart")["n"] == 0
    slant = _measure(long, "A", "slant", "focus")  # (-0.4 - 0.2 - 0.6) / 3 minus -0.8
    assert slant["value"] == pytest.approx(-0.4 + 0.8) and slant["n"] == 4
    assert _measure(long, "A", "quoted_sentiment", "focus")["value"] == pytest.approx(-0.6)
    assert _measure(long, "A", "treatment", "focus")["n"] == 3
    assert _measure(long, "A", "quoted_sentiment", "counterpart")["value"] == pytest.approx(-0.8)
    assert _measure(long, "A", "quoted_sentiment", "counterpart")["n"] == 1
    pairs = views.speaker_target(tables)
    carney = pairs[(pairs["speaker"] == "Mark Carney") & (pairs["target"] == "Jamil Jivani")].iloc[0]
    assert carney["n"] == 1 and carney["polarity"] == pytest.approx(-0.6) and carney["low_n"]
    by_camp = views.speaker_target(tables, by_camp=True)
    assert set(by_camp["target"]) == {"conservative", "liberal_government"}


ARTICLE = (
    "Jivani meets Trump officials\n"
    "Conservative MP Jamil Jivani said he met officials in Washington.\n"
    "Prime Minister Mark Carney said Jivani is not the trade critic.\n"
    "“We have extensive contacts with the U.S. administration,” Carney told reporters.\n"
    "Critics attacked Jivani over the partisan trip.\n"
)


@pytest.fixture(scope="module")
def built():
    arts = pd.DataFrame({"article_id": ["a1", "e1"], "outlet": ["CBC News", None], "title": [None, None],
                         "text": [ARTICLE, "Nothing to see here."]})
    return tb.build_tables(arts, frame_set="generic_frames")


def test_every_row_points_back_to_its_text(built):
    text = dict(zip(built.articles["article_id"], built.articles["text"]))
    assert len(built.quotes) >= 2
    for q in built.quotes.itertuples():
        assert text[q.article_id][q.start : q.end] == q.quote
    for m in built.mentions.itertuples():
        assert text[m.article_id][m.start : m.end] == m.mention
    sentence_text = dict(zip(zip(built.sentences["article_id"], built.sentences["sentence_id"]), built.sentences["text"]))
    assert len(built.treatment) >= 3
    for t in built.treatment.itertuples():
        assert text[t.article_id][t.start : t.end] == t.mention
        assert sentence_text[(t.article_id, t.sentence_id)] == t.sentence and t.mention in t.sentence
    for f in built.frame_scores[built.frame_scores["hits_n"] > 0].itertuples():
        assert text[f.article_id][f.start : f.end] == f.sentence
    assert built.outlets == ["(unknown outlet)", "CBC News"]


def test_attribution_is_not_the_narrator_talking_about_the_speaker(built):
    narrator = built.treatment[built.treatment["source"] == "narrator"]
    # "Carney told reporters" and "Mark Carney said" attribute quotes: no narrator row about Carney
    assert "Mark Carney" not in set(narrator["target"])
    attacked = narrator[narrator["sentence"].str.startswith("Critics attacked")]
    assert attacked["target"].tolist() == ["Jamil Jivani"] and attacked["polarity"].iloc[0] < 0
    carney_on_jivani = built.treatment[(built.treatment["speaker"] == "Mark Carney") & (built.treatment["target"] == "Jamil Jivani")]
    assert carney_on_jivani[["source", "mention"]].values.tolist() == [["quote", "Jivani"]]
    assert carney_on_jivani["sentence"].tolist() == ["Prime Minister Mark Carney said Jivani is not the trade critic."]


def test_order_headline_lead_and_frames(built):
    order = views.article_order(built, "Jamil Jivani", "Mark Carney")
    row = order.set_index("article_id").loc["a1"]
    assert row["headline"] == "Jivani meets Trump officials"
    assert (row["first_speaker"], row["first_group"], row["last_speaker"]) == ("Jamil Jivani", "focus", "Mark Carney")
    assert row["focus_in_headline"] and not row["counterpart_in_headline"]
    assert row["focus_in_lead"] and row["counterpart_in_lead"]
    profile = views.frame_profile(built, "Jamil Jivani", "Mark Carney")
    conflict = profile[(profile["about_kind"] == "focus") & (profile["frame"] == "conflict")].iloc[0]
    assert conflict["texts_with_frame_n"] >= 1 and "attacked" in conflict["matched_terms"]
    assert conflict["example"] and conflict["evidence"].startswith("a1:")


def test_empty_corpus_gives_empty_tables_not_errors():
    tables = tb.build_tables(pd.DataFrame({"article_id": [], "outlet": [], "text": []}), frame_set="story_frames")
    f, c = "Jamil Jivani", "liberal_government"
    wide = ms.outlet_positioning(tables, focus=f, counterpart=c)
    assert wide.empty and list(wide.columns[:3]) == ["outlet", "articles_n", "quotes_n"]
    for table in (ms.positioning_measures(tables, f, c), views.speaker_tone(tables), views.speaker_target(tables),
                  views.frame_profile(tables, f, c), views.article_order(tables, f, c), views.attribution_verbs(tables, f, c),
                  views.voice_quotes(tables, f, c), ms.positioning_map_table(tables, f, c)):
        assert table.empty


def test_focus_and_counterpart_are_required_everywhere():
    import inspect

    for fn in (ms.positioning_measures, ms.outlet_positioning, ms.positioning_map_table, views.voice_quotes,
               views.article_order, views.frame_profile, views.attribution_verbs):
        params = inspect.signature(fn).parameters
        assert params["focus"].default is inspect.Parameter.empty, fn.__name__
        assert params["counterpart"].default is inspect.Parameter.empty, fn.__name__


def test_another_story_with_its_own_codebook(tmp_path):
    from analysis.corpus import load_articles

    params = write_us_corpus(tmp_path / "us")
    tables = tb.build_tables(load_articles(params["CORPUS"]), params["CODEBOOK"], "generic_frames")
    wide = ms.outlet_positioning(tables, focus="Donald Trump", counterpart="clinton_campaign")
    assert wide["outlet"].tolist() == ["Daily Ledger", "Evening Courier"]
    assert (wide["quote_share_focus"] > 0).all() and (wide["quote_share_counterpart"] > 0).all()
    assert (wide["narrator_sentiment_focus"] < 0).all()  # the invented articles are hard on the focus
    assert "Jivani" not in US_CODEBOOK
    with pytest.raises(ValueError, match="same"):
        ms.outlet_positioning(tables, focus="Trump", counterpart="Donald Trump")


PRAISE_AND_ATTACK = (
    "Pierre Poilievre praised Jivani's courage but called the Liberal government a failure.\n"
    "“The Liberals have betrayed workers,” Jivani said.\n"
    "Mark Carney said Jivani was reckless and dishonest.\n"
)
OTHER = (
    "The Liberal government won praise from business groups for a steady deal.\n"
    "“Jivani is a distraction,” Carney said.\n"
)


@pytest.fixture(scope="module")
def two_articles():
    arts = pd.DataFrame({"article_id": ["p1", "p2"], "outlet": ["Paper", "Paper"], "title": [None, None],
                         "text": [PRAISE_AND_ATTACK, OTHER]})
    return arts, tb.build_tables(arts, frame_set="generic_frames")


@pytest.mark.parametrize(
    "stance",
    ["fast", pytest.param("accurate", marks=pytest.mark.xfail(
        strict=True, reason="documented limit in analysis.stance: an attack in the same sentence spills onto a target "
        "praised through a possessive ('praised Jivani's courage but called ... a failure')"))],
)
def test_treatment_is_directed_at_each_target_in_a_sentence(two_articles, stance):
    arts, default_tables = two_articles
    tables = default_tables if stance == "accurate" else tb.build_tables(arts, frame_set="generic_frames", stance=stance)
    t = tables.treatment
    both = t[t["sentence"].str.startswith("Pierre Poilievre praised")].set_index("target")
    # one sentence, two targets, two different scores: praise for the focus, attack on the counterpart
    assert set(both["source"]) == {"narrator"}
    assert both.loc["Jamil Jivani", "polarity"] > 0 > both.loc["Liberal government", "polarity"]
    assert both.loc["Jamil Jivani", "label"] == "positive" and both.loc["Liberal government", "label"] == "negative"
    assert both.loc["Liberal government", "mention"] == "the Liberal government"
    narrator = t[(t["article_id"] == "p1") & (t["source"] == "narrator")].groupby("target")["polarity"].mean()
    assert narrator["Jamil Jivani"] > narrator["Liberal government"]
    # the speakers' own attributions ("Jivani said", "Mark Carney said") are not treatment
    assert not ((t["source"] == "narrator") & (t["target"] == "Mark Carney")).any()
    assert (t["source"] == "narrator").sum() == 4  # Poilievre, Jivani, the Liberal government in p1; the Liberal government in p2


def test_speaker_target_pairs_with_n_and_interval(two_articles):
    _, tables = two_articles
    pairs = views.speaker_target(tables).set_index(["speaker", "target"])
    assert sorted(pairs.index) == [("Jamil Jivani", "Liberal government"), ("Mark Carney", "Jamil Jivani"),
                                   ("narrator", "Jamil Jivani"), ("narrator", "Liberal government"), ("narrator", "Pierre Poilievre")]
    carney = pairs.loc[("Mark Carney", "Jamil Jivani")]
    assert carney["n"] == 2 and carney["polarity"] < 0 and carney["low_n"]  # two articles, but n < 5
    assert carney["ci_low"] <= carney["polarity"] <= carney["ci_high"]  # two articles: an interval
    p1, p2 = PRAISE_AND_ATTACK.index("Jivani was"), OTHER.index("Jivani is")
    assert carney["evidence"] == f"p1:{p1}-{p1 + 6}; p2:{p2}-{p2 + 6}"
    jivani = pairs.loc[("Jamil Jivani", "Liberal government")]
    assert jivani["n"] == 1 and jivani["polarity"] < 0 and math.isnan(jivani["ci_low"])
    assert jivani["example"] == "“The Liberals have betrayed workers,” Jivani said."
    assert pairs.loc[("narrator", "Liberal government"), "n"] == 2
    long = ms.positioning_measures(tables, "Jamil Jivani", "liberal_government")
    quoted = _measure(long, "Paper", "quoted_sentiment", "focus")
    assert (quoted["n"], quoted["unit"]) == (2, "mentions (sentences resampled within 2 articles)") and quoted["value"] == pytest.approx(carney["polarity"])


def test_outlet_positioning_reads_tables_with_keyword_sides(two_articles):
    arts, tables = two_articles
    wide = ms.outlet_positioning(tables, focus="Jamil Jivani", counterpart="liberal_government")
    assert len(wide) == 1 and wide.loc[0, "treatment_focus_n"] == 3  # the narrator once, Carney twice
    rebuilt = ms.outlet_positioning(tb.build_tables(arts, frame_set="generic_frames"), focus="Jamil Jivani", counterpart="liberal_government")
    pd.testing.assert_frame_equal(wide, rebuilt)
    with pytest.raises(TypeError):
        ms.outlet_positioning(tables, "Jamil Jivani", "liberal_government")
    with pytest.raises(TypeError, match="reads Tables"):
        ms.outlet_positioning(arts, focus="Jamil Jivani", counterpart="liberal_government")


def test_a_camp_named_camp_is_not_labelled_twice():
    """The 'ruiz camp camp' of issue 16: a camp called ruiz_camp reads 'ruiz camp'."""
    from analysis.views import group_labels

    labels = group_labels(tb.Party("Ana Ruiz", "actor", "ruiz_camp"), tb.Party("city_council", "camp", "city_council"))
    assert labels["focus_camp"] == "ruiz camp (not Ana Ruiz)"
    assert group_labels(tb.Party("Bo Chan", "actor", "opposition"), tb.Party("ruiz_camp", "camp", "ruiz_camp"))["focus_camp"] == "opposition camp (not Bo Chan)"
